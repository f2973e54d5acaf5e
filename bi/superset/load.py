"""Load the PokeWatch dashboard (bi/superset/dashboard/: Superset's native import format) into Superset.

The database file there leaves its URI as a placeholder, ${POKEWATCH_READER_URL}: the warehouse as the read-only
`pokewatch_reader` role. Run with the Superset venv's python (bi/superset/install.sh prints its path):

  export SUPERSET_CONFIG_PATH=bi/superset/superset_config.py SUPERSET_SECRET_KEY=... POKEWATCH_SUPERSET_HOME=...
  POKEWATCH_READER_URL=postgresql://pokewatch_reader:PASSWORD@127.0.0.1:5432/pokewatch \
  SUPERSET_ADMIN_PASSWORD=... python bi/superset/load.py --init

--init first prepares the Superset home: what `superset db upgrade`, `superset init` and `superset fab create-admin`
do, in one process (--no-import: only that). SUPERSET_ADMIN_PASSWORD creates the user `admin` or resets its
password. Loading again replaces the database connection, datasets, charts and dashboard (matched by uuid).
--zip FILE only writes the bundle, URI filled in, for the UI's import or `superset import-dashboards -p FILE -u
admin` (that keeps an existing connection, datasets and charts as they are).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

DASHBOARD_DIR = Path(__file__).resolve().parent / "dashboard"
PLACEHOLDER = "${POKEWATCH_READER_URL}"


def superset_url(url: str) -> str:
    """The URL for Superset's SQLAlchemy 1.4 and psycopg2: PokeWatch's `postgresql+psycopg://` form is accepted."""
    return re.sub(r"^postgres(ql)?(\+psycopg2?)?://", "postgresql://", url.strip())


def bundle_files(reader_url: str, root: Path = DASHBOARD_DIR) -> dict[str, str]:
    """Every YAML file of the directory by its relative path, the reader's URL in place of the placeholder."""
    files = {}
    for path in sorted(root.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if PLACEHOLDER in text:
            text = text.replace(PLACEHOLDER, superset_url(reader_url))
        files[path.relative_to(root).as_posix()] = text
    if "metadata.yaml" not in files:
        raise SystemExit(f"{root}: no metadata.yaml (not a Superset export directory)")
    return files


def write_zip(files: dict[str, str], target) -> None:
    """A zip as Superset exports it: every file under one top folder."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in files.items():
            bundle.writestr(f"pokewatch_dashboard/{name}", text)


def prepare(admin_password: str | None) -> None:
    """Migrate Superset's metadata database, create its roles and permissions, and the admin user (or set its
    password): `superset db upgrade`, `superset init` and `superset fab create-admin` in one go."""
    from flask_migrate import upgrade
    from superset import appbuilder, db, security_manager

    upgrade()
    appbuilder.add_permissions(update_perms=True)
    security_manager.sync_role_definitions()
    db.session.commit()
    ensure_admin(admin_password)


def ensure_admin(password: str | None) -> None:
    from superset import db, security_manager

    if not password:
        return
    user = security_manager.find_user(username="admin")
    if user is None:
        role = security_manager.find_role("Admin")
        if not security_manager.add_user("admin", "PokeWatch", "Admin", "admin@localhost", role, password=password):
            raise SystemExit("could not create the Superset admin user")
    else:
        security_manager.reset_password(user.id, password)
    db.session.commit()


def import_bundle(files: dict[str, str]) -> None:
    """Import everything, replacing what the same uuids already are (Superset's assets import)."""
    import yaml
    from superset import security_manager
    from superset.commands.importers.v1.assets import ImportAssetsCommand
    from superset.utils.core import override_user

    metadata = yaml.safe_load(files["metadata.yaml"])
    metadata["type"] = "assets"  # the same files as a dashboard export; the assets import overwrites all of them
    contents = {**files, "metadata.yaml": yaml.safe_dump(metadata)}
    admin = security_manager.find_user(username="admin")
    if admin is None:
        raise SystemExit("no Superset user `admin`: run with --init and SUPERSET_ADMIN_PASSWORD first")
    with override_user(admin):
        try:
            ImportAssetsCommand(contents).run()
        except Exception as exc:  # noqa: BLE001 - the command wraps the cause: show it in one line
            cause = exc.__cause__ or exc
            detail = getattr(cause, "normalized_messages", lambda: None)() or cause
            raise SystemExit(f"import failed: {type(exc).__name__}: {exc}: {detail}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--init", action="store_true", help="prepare the Superset home (migrate, roles, admin)")
    parser.add_argument("--no-import", action="store_true", help="with --init: prepare the home only")
    parser.add_argument("--zip", metavar="FILE", help="only write the bundle to FILE (no Superset needed)")
    parser.add_argument("--dir", type=Path, default=DASHBOARD_DIR, help="the export directory (default: %(default)s)")
    args = parser.parse_args(argv)

    reader_url = os.environ.get("POKEWATCH_READER_URL")
    if not reader_url and not args.no_import:
        raise SystemExit("set POKEWATCH_READER_URL, e.g. postgresql://pokewatch_reader:PASSWORD@127.0.0.1:5432/pokewatch")
    files = None if args.no_import else bundle_files(reader_url, args.dir)
    if args.zip:
        write_zip(files, args.zip)
        print(f"wrote {args.zip}: {len(files)} files")
        return 0

    from superset.app import create_app

    with create_app().app_context():
        admin_password = os.environ.get("SUPERSET_ADMIN_PASSWORD")
        if args.init:
            prepare(admin_password)
        else:
            ensure_admin(admin_password)
        if files is None:
            print("prepared the Superset home")
            return 0
        import_bundle(files)
    charts = sum(name.startswith("charts/") for name in files)
    print(f"loaded the PokeWatch dashboard: {charts} charts, the warehouse as {urlsplit(reader_url).username}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
