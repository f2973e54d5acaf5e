"""Every form a database password or token takes is masked before anything prints or stores it."""

import pytest
from sqlalchemy.engine import make_url

from pokewatch.db import safe_url
from pokewatch.masking import mask_secrets


@pytest.mark.parametrize(("given", "shown"), [
    ("postgresql+psycopg://writer:Db-Passw0rd@db.example:5432/pokewatch",
     "postgresql+psycopg://writer:***@db.example:5432/pokewatch"),
    ("postgresql+psycopg://writer:p@ss@w0rd@db.example/pokewatch", "postgresql+psycopg://writer:***@db.example/pokewatch"),
    ("postgresql+psycopg://writer@db.example/pokewatch?password=Db-Passw0rd&sslmode=require",
     "postgresql+psycopg://writer@db.example/pokewatch?password=***&sslmode=require"),
    ("postgresql+psycopg://writer@db.example/pokewatch?sslmode=require&sslpassword=k3y",
     "postgresql+psycopg://writer@db.example/pokewatch?sslmode=require&sslpassword=***"),
    ("host=db.example user=writer password=Db-Passw0rd dbname=pokewatch",
     "host=db.example user=writer password=*** dbname=pokewatch"),
    ("https://api.example/v2/cards?api_key=tcg-FAKE&page=2", "https://api.example/v2/cards?api_key=***&page=2"),
    ("postgresql+psycopg://reader@db.example/pokewatch", "postgresql+psycopg://reader@db.example/pokewatch"),
])
def test_a_secret_in_any_form_is_masked_and_the_rest_kept(given, shown):
    assert mask_secrets(given) == shown
    assert mask_secrets(f"cannot connect to {given} (timeout)") == f"cannot connect to {shown} (timeout)"


def test_safe_url_masks_a_password_given_as_a_query_parameter_or_with_a_raw_at():
    assert "Db-Passw0rd" not in safe_url(make_url("postgresql+psycopg://w@h/db?password=Db-Passw0rd"))
    assert "w0rd" not in safe_url(make_url("postgresql+psycopg://w:p@ss@w0rd@h/db"))
    assert "ss" not in safe_url(make_url("postgresql+psycopg://w:p@ss@w0rd@h/db")).split("@")[0]
