"""The type of an optional flow parameter, as the Prefect UI's run form shows it.

`dt.date | None` gives the parameter schema an `anyOf` with a `null` branch, which the form shows as a blank type
("Property is type None"). `Maybe[dt.date]` keeps None as the Python default and leaves the branch out of the
schema (Pydantic's SkipJsonSchema): the form shows a date field, left empty for "the default". Deployments
therefore never send an explicit null (deployments/prefect.yaml lists no such parameter)."""

from typing import TypeVar, Union

from pydantic.json_schema import SkipJsonSchema

T = TypeVar("T")
Maybe = Union[T, SkipJsonSchema[None]]  # noqa: UP007 (a generic alias: Maybe[dt.date])
