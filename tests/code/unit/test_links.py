"""Artifact links (issue 18): URLs where a server is configured, else a file URI / the command that opens MLflow."""

from pokewatch import links
from pokewatch.settings import Settings


def test_data_docs_and_mlflow_links_use_the_configured_servers(tmp_path):
    s = Settings(home=tmp_path, data_docs_url="http://docs.example/pokewatch/", mlflow_ui_url="http://mlflow:5000/")
    page = tmp_path / "data_docs" / "validations" / "daily_prices" / "run" / "t" / "p.html"
    assert links.data_docs(s, str(page)) == (
        "[Data Docs](http://docs.example/pokewatch/validations/daily_prices/run/t/p.html)")
    assert links.mlflow_run(s, "3", "abc") == "[MLflow run abc](http://mlflow:5000/#/experiments/3/runs/abc)"


def test_without_servers_a_file_uri_and_the_command_that_opens_the_store(tmp_path):
    s = Settings(home=tmp_path)
    page = tmp_path / "data_docs" / "index.html"
    assert links.data_docs(s, str(page)).startswith(f"[Data Docs]({page.as_uri()})")
    line = links.mlflow_run(s, "3", "abc")
    assert line.startswith("MLflow run `abc` (`uv run mlflow ui --backend-store-uri sqlite:///") and "mlflow.db" in line
    assert links.data_docs(s, None) is None and links.mlflow_run(s, "3", None) is None
