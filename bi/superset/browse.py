"""Open a Superset dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) as a logged-in
user, the way a person would: log in on the form, open the dashboard, wait until every chart has its data and has
drawn. Prints one JSON report: per chart, what its data request returned (status, rows, errors) and what the page
shows (error boxes, "No results"); the page's text; optionally a PNG screenshot of the whole dashboard.

Run with the Superset venv's python (Playwright is installed there; no browser is ever downloaded):

  SUPERSET_ADMIN_PASSWORD=... python bi/superset/browse.py --url http://127.0.0.1:8088 --dashboard pokewatch \
      --screenshot docs/dashboard.png
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("POKEWATCH_CHROMIUM", "/usr/bin/chromium")
# Only this machine: any other host name resolves to nothing (no font, pixel or tile is fetched from outside).
CHROMIUM_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--disable-dev-shm-usage"]
CHART_DATA = "/api/v1/chart/data"


def chart_states(page) -> dict:
    """What each chart on the page shows: its loading spinner, an error box, "No results", a drawn chart."""
    return page.evaluate("""() => {
        const out = {};
        for (const holder of document.querySelectorAll('[data-test="dashboard-component-chart-holder"]')) {
            const chart = holder.querySelector('[data-test-chart-id]');
            if (!chart) continue;
            const id = chart.getAttribute('data-test-chart-id');
            const text = holder.innerText || '';
            out[id] = {
                name: chart.getAttribute('data-test-chart-name'),
                loading: !!holder.querySelector('[data-test="loading-indicator"], .loading'),
                error: Array.from(holder.querySelectorAll('[role="alert"], .ant-alert-error, [data-test="error-tooltip"]'))
                    .map(e => (e.innerText || e.getAttribute('aria-label') || 'error').trim()).filter(Boolean),
                no_results: /No results/i.test(text),
                drawn: !!holder.querySelector('canvas, table'),  // ECharts draw on a canvas, tables are tables
                text: text.slice(0, 2000),
            };
        }
        return out;
    }""")


def browse(url: str, slug: str, user: str, password: str, screenshot: str | None, timeout: float) -> dict:
    started = time.monotonic()
    report: dict = {"charts": {}, "requests": {}, "console_errors": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        # Tall enough for the whole dashboard: Superset draws only the charts in view (dashboard virtualization).
        page = browser.new_page(viewport={"width": 1600, "height": 2600})
        page.set_default_timeout(timeout * 1000)
        responses = []
        page.on("response", lambda r: responses.append(r) if CHART_DATA in r.url and r.request.method == "POST" else None)
        page.on("console", lambda m: report["console_errors"].append(m.text[:300]) if m.type == "error" else None)

        page.goto(f"{url}/login/")
        page.fill('[data-test="username-input"]', user)
        page.fill('[data-test="password-input"]', password)
        page.click('[data-test="login-button"]')
        page.wait_for_url(lambda u: "/login" not in u)
        report["login_seconds"] = round(time.monotonic() - started, 1)

        charts = page.request.get(f"{url}/api/v1/dashboard/{slug}/charts")
        if not charts.ok:
            raise SystemExit(f"dashboard {slug!r}: HTTP {charts.status} {charts.text()[:300]}")
        expected = {str(c["id"]): c["slice_name"] for c in charts.json()["result"]}
        report["expected_charts"] = expected

        opened = time.monotonic()
        page.goto(f"{url}/superset/dashboard/{slug}/")
        page.wait_for_selector('[data-test="dashboard-component-chart-holder"]')
        deadline = time.monotonic() + timeout
        while True:
            states = chart_states(page)
            asked = {str(((r.request.post_data_json or {}).get("form_data") or {}).get("slice_id")) for r in responses}
            settled = (set(states) >= set(expected) and asked >= set(expected)
                       and all(not s["loading"] for s in states.values())
                       and all(s["drawn"] or s["error"] or s["no_results"] for s in states.values()))
            if settled or time.monotonic() > deadline:
                break
            page.wait_for_timeout(250)
        page.wait_for_timeout(500)  # let the last animation (ECharts draws in steps) end before the screenshot
        report["render_seconds"] = round(time.monotonic() - opened, 1)
        report["charts"] = chart_states(page)
        report["settled"] = settled

        for response in responses:
            body = response.request.post_data_json or {}
            chart_id = str((body.get("form_data") or {}).get("slice_id"))
            try:
                payload = response.json()
            except Exception:  # noqa: BLE001 - an HTML error page
                payload = {"message": response.text()[:500]}
            results = payload.get("result") or []
            report["requests"][chart_id] = {
                "status": response.status,
                "rows": sum(r.get("rowcount") or 0 for r in results),
                "columns": sorted({c for r in results for c in (r.get("colnames") or [])}),
                "data": [row for r in results for row in (r.get("data") or [])][:100],
                "query_context": body,
                "errors": [str(e) for e in [payload.get("message"), *(r.get("error") for r in results)] if e],
            }
        report["page_text"] = page.inner_text("body")
        if screenshot:
            # The page down to the last chart (the viewport is taller than the dashboard).
            bottom = page.evaluate("""() => Math.max(...Array.from(
                document.querySelectorAll('[data-test="dashboard-component-chart-holder"]'),
                e => e.getBoundingClientRect().bottom + window.scrollY))""")
            page.screenshot(path=screenshot, full_page=True,
                            clip={"x": 0, "y": 0, "width": 1600, "height": min(bottom + 24, 2600)})
            report["screenshot"] = screenshot
        browser.close()
    report["seconds"] = round(time.monotonic() - started, 1)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="Superset's address, e.g. http://127.0.0.1:8088")
    parser.add_argument("--dashboard", default="pokewatch", help="the dashboard's slug or id")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--screenshot", help="write a PNG of the whole dashboard here")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for the charts")
    args = parser.parse_args(argv)
    password = os.environ.get("SUPERSET_ADMIN_PASSWORD")
    if not password:
        raise SystemExit("set SUPERSET_ADMIN_PASSWORD (the password of --user)")
    report = browse(args.url.rstrip("/"), args.dashboard, args.user, password, args.screenshot, args.timeout)
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
