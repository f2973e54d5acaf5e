"""The dashboard as code (bi/superset/dashboard/) holds together without Superset: every file is Superset's import
format with a header comment, every reference resolves, every column a chart uses is in its dataset, and every
dataset's columns are the warehouse view's (a renamed view column fails here, not in a browser)."""

from __future__ import annotations

import importlib.util
import json
import re
import zipfile

import pytest
import yaml

from pokewatch.settings import PROJECT_DIR

DASHBOARD = PROJECT_DIR / "bi" / "superset" / "dashboard"


def _load(kind: str) -> dict[str, dict]:
    return {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((DASHBOARD / kind).rglob("*.yaml"))}


def _loader():
    spec = importlib.util.spec_from_file_location("superset_load", PROJECT_DIR / "bi" / "superset" / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _columns_used(params: dict) -> set[str]:
    used = set(params.get("all_columns") or []) | set(params.get("groupby") or [])
    used |= {json.loads(c)[0] for c in params.get("order_by_cols") or []}
    used |= {f["subject"] for f in params.get("adhoc_filters") or [] if f.get("expressionType") == "SIMPLE"}
    if isinstance(params.get("x_axis"), str):
        used.add(params["x_axis"])
    return used


def test_every_file_has_a_header_comment_and_a_unique_uuid():
    uuids = []
    for path in sorted(DASHBOARD.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# "), f"{path.relative_to(DASHBOARD)}: no header comment"
        data = yaml.safe_load(text)
        assert data["version"] == "1.0.0", path
        if path.name != "metadata.yaml":
            uuids.append(data["uuid"])
    assert len(uuids) == len(set(uuids))


def test_the_dashboard_places_every_chart_and_every_chart_reads_a_shipped_dataset():
    datasets = {d["uuid"]: d for d in _load("datasets").values()}
    charts = _load("charts")
    (dashboard,) = _load("dashboards").values()
    placed = {c["meta"]["uuid"] for c in dashboard["position"].values() if isinstance(c, dict) and c["type"] == "CHART"}
    assert placed == {c["uuid"] for c in charts.values()}
    for name, chart in charts.items():
        assert chart["viz_type"] == chart["params"]["viz_type"], name
        dataset = datasets[chart["dataset_uuid"]]
        missing = _columns_used(chart["params"]) - {c["column_name"] for c in dataset["columns"]}
        assert not missing, f"{name}: columns not in dataset {dataset['table_name']}: {missing}"
    (database,) = _load("databases").values()
    assert {d["database_uuid"] for d in datasets.values()} == {database["uuid"]}
    assert database["sqlalchemy_uri"] == "${POKEWATCH_READER_URL}"  # never a URL with a password in the repo
    assert not database["allow_dml"] and not database["allow_csv_upload"]


def test_the_datasets_have_the_views_columns_and_types(conn):
    for name, dataset in _load("datasets").items():
        view = dataset["table_name"] if not dataset["sql"] else re.search(r"from pokewatch\.(\w+)", dataset["sql"])[1]
        actual = conn.execute(
            "select column_name, upper(data_type) from information_schema.columns "
            "where table_schema = 'pokewatch' and table_name = %s order by ordinal_position", (view,)).fetchall()
        assert actual, f"{name}: no view pokewatch.{view}"
        shipped = [(c["column_name"], c["type"]) for c in dataset["columns"] if not c.get("expression")]
        assert shipped == actual, f"{name}: the dataset's columns are not pokewatch.{view}'s"
        if dataset["sql"]:
            conn.execute(f"select * from ({dataset['sql']}) q limit 0")


def test_the_loader_fills_in_the_reader_url_and_zips_an_export(tmp_path):
    load = _loader()
    files = load.bundle_files("postgresql+psycopg://pokewatch_reader:s3cret@127.0.0.1:5432/pokewatch")
    database = yaml.safe_load(files["databases/pokewatch.yaml"])
    assert database["sqlalchemy_uri"] == "postgresql://pokewatch_reader:s3cret@127.0.0.1:5432/pokewatch"
    assert not any("${" in text for text in files.values())
    target = tmp_path / "dashboard.zip"
    load.write_zip(files, target)
    with zipfile.ZipFile(target) as bundle:
        names = bundle.namelist()
    assert "pokewatch_dashboard/metadata.yaml" in names and len(names) == len(files)


@pytest.mark.parametrize("url", ["postgresql://u:p@h/d", "postgres://u:p@h/d", "postgresql+psycopg2://u:p@h/d"])
def test_the_loader_gives_superset_a_psycopg2_url(url):
    assert _loader().superset_url(url) == "postgresql://u:p@h/d"
