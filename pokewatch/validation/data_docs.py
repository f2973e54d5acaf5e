"""Data Docs that read offline. GX draws its index with JavaScript loaded from CDNs (empty offline) and every page
loads GX's logo from its servers. After each build PokeWatch removes every outside request from the site (scripts,
stylesheets, images, CSS urls) and writes its own static index.html, without script: per suite each expectation with
its severity and why, and each validation with its data asset, result and a link to GX's page for it. GX's own
result pages say "Data asset: None" for a dataframe batch and show neither severity nor why: each new result page
gets its asset's name and a table of its expectations with severity, why and outcome (`annotate`)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from pokewatch.validation.suites import SUITES_DIR

OUTSIDE = re.compile(
    r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>'
    r'|<link[^>]*\bhref="https?://[^"]*"[^>]*>'
    r'|<img[^>]*\bsrc="https?://[^"]*"[^>]*>'
    r"|url\(\s*['\"]?https?://[^)]*\)", re.I)
NEWEST = 300  # validations listed on the index, newest first
OUTCOME_STYLE = ".critical{color:#a00;font-weight:bold}.warning{color:#a60}.failed{color:#a00}.passed{color:#070}"
STYLE = ("body{font-family:sans-serif;margin:2em;max-width:75em}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}" + OUTCOME_STYLE)


def strip_outside_requests(text: str) -> str:
    return OUTSIDE.sub(lambda m: "url()" if m.group(0).lower().startswith("url(") else "", text)


def _suites() -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(SUITES_DIR.glob("*.json"))]


def _validations(results: Path, site: Path) -> list[dict]:
    rows = []
    newest = sorted(results.glob("*/*/*/*.json"), key=lambda p: p.parts[-2], reverse=True)[:NEWEST]  # by run time
    for path in newest:
        suite, run_name, run_time = path.parts[-4:-1]
        page = site / "validations" / suite / run_name / run_time / path.with_suffix(".html").name
        try:
            result = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        batch = (result.get("meta") or {}).get("active_batch_definition") or {}
        stats = result.get("statistics") or {}
        rows.append({"suite": suite, "run": run_name, "time": run_time, "success": bool(result.get("success")),
                     "asset": batch.get("data_asset_name") or suite,
                     "passed": f"{stats.get('successful_expectations', '?')} of "
                               f"{stats.get('evaluated_expectations', '?')}",
                     "page": page.relative_to(site).as_posix() if page.is_file() else None})
    return rows


def _cell(value) -> str:
    return html.escape("" if value is None else str(value))


def index_html(site: Path, results: Path) -> str:
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>PokeWatch data contract</title>"
             f"<style>{STYLE}</style></head><body><h1>PokeWatch data contract: Data Docs</h1>",
             "<p>The suites live in <code>expectations/</code>; <em>critical</em> stops the run, <em>warning</em> "
             "quarantines the rows it rejects. Readable offline: no script, no outside request.</p>",
             "<h2>Validations, newest first</h2><table><tr><th>when (UTC)</th><th>suite</th><th>data asset</th>"
             "<th>run</th><th>result</th><th>expectations met</th></tr>"]
    for v in _validations(results, site):
        state = "passed" if v["success"] else "failed"
        link = f"<a href='{_cell(v['page'])}'>{state}</a>" if v["page"] else state
        parts.append(f"<tr><td>{_cell(v['time'])}</td><td>{_cell(v['suite'])}</td><td>{_cell(v['asset'])}</td>"
                     f"<td>{_cell(v['run'])}</td><td class='{state}'>{link}</td><td>{_cell(v['passed'])}</td></tr>")
    parts.append("</table>")
    for suite in _suites():
        parts.append(f"<h2 id='{_cell(suite['name'])}'>Suite {_cell(suite['name'])}</h2><table><tr><th>expectation"
                     "</th><th>type</th><th>arguments</th><th>severity</th><th>why</th></tr>")
        for e in suite["expectations"]:
            meta, severity = e.get("meta") or {}, e.get("severity", "critical")
            kwargs = ", ".join(f"{k}={v}" for k, v in (e.get("kwargs") or {}).items())
            parts.append(f"<tr><td>{_cell(meta.get('name'))}</td><td>{_cell(e['type'])}</td><td>{_cell(kwargs)}</td>"
                         f"<td class='{_cell(severity)}'>{_cell(severity)}</td><td>{_cell(meta.get('why'))}</td></tr>")
        parts.append("</table>")
    return "\n".join(parts + ["</body></html>"])


def _outcome(item: dict) -> str:
    if item.get("success"):
        return "passed"
    count = (item.get("result") or {}).get("unexpected_count")
    return f"failed ({count} rows)" if count else "failed"


def annotate(text: str, result: dict) -> str:
    """GX's result page with its data asset named and, before its overview, each expectation's severity and why."""
    if 'id="pokewatch-severity"' in text:
        return text
    asset = ((result.get("meta") or {}).get("active_batch_definition") or {}).get("data_asset_name")
    text = text.replace("Data asset: None<br>", f'<span class="h6">Data asset:</span> {_cell(asset)}<br>', 1)
    rows = []
    for item in result.get("results") or []:
        config = item.get("expectation_config") or {}
        meta, kwargs = config.get("meta") or {}, config.get("kwargs") or {}
        column = kwargs.get("column") or ", ".join(kwargs.get("column_list") or [])
        state = "passed" if item.get("success") else "failed"
        rows.append(f"<tr><td>{_cell(meta.get('name'))}</td><td>{_cell(column)}</td><td>{_cell(config.get('type'))}"
                    f"</td><td class='{_cell(config.get('severity'))}'>{_cell(config.get('severity'))}</td>"
                    f"<td>{_cell(meta.get('why'))}</td><td class='{state}'>{_cell(_outcome(item))}</td></tr>")
    block = ('<div id="pokewatch-severity" class="ge-section container-fluid mb-1 pb-1 pl-sm-3 px-0">'
             f"<style>{OUTCOME_STYLE}</style><h5>Severity and why</h5>"
             "<p>critical stops the run, warning quarantines the rows it rejects, info only reports (as the suite "
             "says; a POKEWATCH_VALIDATION_SEVERITY override applies when PokeWatch reads the result).</p>"
             "<table class='table table-sm'><tr><th>expectation</th><th>column</th><th>type</th><th>severity</th>"
             "<th>why</th><th>outcome</th></tr>" + "".join(rows) + "</table></div>")
    return text.replace('<div id="section-1"', block + '<div id="section-1"', 1)


def make_offline(site: Path, results: Path) -> Path:
    """Strip outside requests from the pages of `site` GX wrote since the last pass (a marker file's time) and
    write the static index over GX's. Returns the index."""
    marker = site / ".offline"
    since = marker.stat().st_mtime if marker.exists() else 0.0
    marker.touch()  # before reading: a page GX writes meanwhile is seen by the next pass
    for page in [*site.rglob("*.html"), *site.rglob("*.css")]:
        if page.stat().st_mtime < since:
            continue
        text = page.read_text(encoding="utf-8")
        clean = strip_outside_requests(text)
        relative = page.relative_to(site)
        if relative.parts[0] == "validations" and len(relative.parts) == 5:
            try:
                clean = annotate(clean, json.loads((results / relative.with_suffix(".json").relative_to(
                    "validations")).read_text()))
            except (OSError, ValueError):
                pass  # a page whose result is gone keeps GX's text
        if clean != text:
            page.write_text(clean, encoding="utf-8")
    index = site / "index.html"
    index.write_text(index_html(site, results), encoding="utf-8")
    return index
