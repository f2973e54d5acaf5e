"""tcgcsv's daily price archives (`prices-YYYY-MM-DD.ppmd.7z`): find, download and read one day."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pandas as pd
import py7zr

from pokewatch.landing_schema import PRICE_COLUMNS
from pokewatch.settings import Settings
from pokewatch.sources.base import HttpSource, SourceError, require_fields
from pokewatch.sources.tcgcsv import SOURCE, prices_frame


def archive_day(path: Path) -> dt.date | None:
    """The day an archive holds, from its name (`prices-2025-10-26.ppmd.7z`): the source's own date."""
    try:
        return dt.date.fromisoformat(Path(path).name.removeprefix("prices-").removesuffix(".ppmd.7z"))
    except ValueError:
        return None


def archive_name(day: dt.date) -> str:
    return f"prices-{day.isoformat()}.ppmd.7z"


def archive_path(day: dt.date) -> str:
    """Where tcgcsv publishes a day's archive, relative to its base URL."""
    return f"/archive/tcgplayer/{archive_name(day)}"


def download_archive(settings: Settings, day: dt.date, dest: Path, base_url: str | None = None) -> Path | None:
    """Download one day's archive into `dest`; None when tcgcsv has none for that day (HTTP 404)."""
    target = Path(dest) / archive_name(day)
    with HttpSource(settings, base_url or settings.tcgcsv_base_url) as client:
        client.name = SOURCE
        try:
            response = client.get(archive_path(day))
        except SourceError as exc:
            if exc.status == 404:
                return None
            raise
    tmp = target.with_suffix(".part")
    tmp.write_bytes(response.content)
    tmp.replace(target)  # a half-downloaded archive never looks like a real one
    return target


def read_archive(path: Path, categories: tuple[int, ...] | list[int] = (3,)) -> pd.DataFrame:
    """Every price row of the given categories in an archive, as landing rows with `as_of` (from the member names).

    A category the archive lacks is not an error (tcgcsv's early archives hold fewer categories); none at all is.
    """
    path = Path(path)
    try:
        with py7zr.SevenZipFile(path) as archive:
            names = archive.getnames()
            # Members are `<date>/<categoryId>/<groupId>/prices`; keep the categories asked for, skip the rest unread.
            wanted = [n for n in names if _member(n, categories)]
            if not wanted:
                listed = ", ".join(str(c) for c in categories)
                raise SourceError(f"{path}: no price members of category {listed} in the archive")
            with tempfile.TemporaryDirectory(prefix="pokewatch-7z-") as tmp:
                archive.extract(path=tmp, targets=wanted)
                frames = [_member_frame(Path(tmp), name, path) for name in wanted]
    except (py7zr.exceptions.Bad7zFile, py7zr.exceptions.ArchiveError, EOFError) as exc:
        raise SourceError(f"{path}: not a readable 7z archive ({exc})") from None
    return pd.concat(frames, ignore_index=True)[["as_of", *PRICE_COLUMNS]]


def _member(name: str, categories) -> bool:
    parts = name.split("/")
    return len(parts) == 4 and parts[1] in {str(c) for c in categories} and parts[3] == "prices"


def _member_frame(root: Path, name: str, archive: Path) -> pd.DataFrame:
    day, category, group, _ = name.split("/")
    where = f"{archive}:{name}"
    try:
        body = json.loads((root / name).read_bytes())
    except ValueError:
        raise SourceError(f"{where}: malformed JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise SourceError(f"{where}: unexpected shape: no 'results' list")
    require_fields(where, body["results"], ("productId", "subTypeName"), SOURCE)
    frame = prices_frame(body["results"], int(group), int(category))
    frame.insert(0, "as_of", dt.date.fromisoformat(day))
    return frame
