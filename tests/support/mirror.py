"""A real loopback HTTP server that serves recorded responses, with faults injected per path.

Tests talk to it over TCP with the production HTTP client, so timeouts, resets and retries are real.
"""

from __future__ import annotations

import csv
import json
import socket
import struct
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

# A route answers (status, headers, body) for a request's query and headers.
Answer = tuple[int, dict[str, str], bytes]
Handler = Callable[[dict[str, list[str]], dict[str, str]], Answer]

FAULTS = ("status", "slow", "reset", "truncate", "empty", "wrong_shape", "redirect_loop")


@dataclass
class Fault:
    kind: str
    times: int | None = 1  # None: every request
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    seconds: float = 0.0


def json_answer(payload, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(payload).encode()


class Mirror:
    """Routes by path; `fail(path, kind, …)` queues a fault for that path. Every request is recorded."""

    def __init__(self) -> None:
        self.routes: dict[str, Answer | Handler] = {}
        self.faults: dict[str, list[Fault]] = defaultdict(list)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- set-up ---------------------------------------------------------------------------------------------
    def route(self, path: str, answer: Answer | Handler | bytes | str) -> None:
        if isinstance(answer, str):
            answer = answer.encode()
        if isinstance(answer, bytes):
            answer = (200, {"Content-Type": "application/json"}, answer)
        self.routes[path] = answer

    def fail(self, path: str, kind: str, times: int | None = 1, **kw) -> None:
        assert kind in FAULTS, kind
        with self._lock:
            self.faults[path].append(Fault(kind, times, **kw))

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def hits(self, path: str) -> int:
        return sum(p == path for p, _ in self.requests)

    # -- server ---------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Mirror:
        mirror = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle's algorithm the body waited for the client's
            # delayed ACK of the headers (~40 ms an answer: 9 s of B1's collect over its 900 requests).
            disable_nagle_algorithm = True

            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                mirror._serve(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Mirror:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _next_fault(self, path: str) -> Fault | None:
        with self._lock:
            queue = self.faults.get(path)
            if not queue:
                return None
            fault = queue[0]
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
            return fault

    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(req.path)
        path, query = parts.path, parse_qs(parts.query)
        headers = {k.lower(): v for k, v in req.headers.items()}
        with self._lock:
            self.requests.append((path, headers))
        fault = self._next_fault(path)
        if fault and fault.kind == "slow":
            time.sleep(fault.seconds)
        if fault and fault.kind == "reset":
            # RST instead of FIN: the client sees "connection reset by peer" mid-request.
            req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            req.connection.close()
            req.close_connection = True
            return
        if fault and fault.kind == "redirect_loop":
            return _send(req, 302, {"Location": req.path}, b"")
        if fault and fault.kind == "status":
            return _send(req, fault.status, fault.headers, fault.body)
        answer = self.routes.get(path)
        if answer is None:
            return _send(req, 404, {"Content-Type": "application/json"}, b'{"error": "not found"}')
        status, head, body = answer(query, headers) if callable(answer) else answer
        if fault and fault.kind == "truncate":
            body = body[: max(1, len(body) // 2)]  # a complete HTTP answer whose JSON stops half-way
        elif fault and fault.kind == "empty":
            body = b""
        elif fault and fault.kind == "wrong_shape":
            body = fault.body or b'{"success": true, "errors": [], "results": {"unexpected": "object"}}'
        _send(req, status, head, body)


def _send(req: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
    try:
        req.send_response(status)
        for key, value in headers.items():
            req.send_header(key, value)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test): nothing to do
        pass


# -- tcgcsv --------------------------------------------------------------------------------------------------

TCGCSV_DAY = "2025-10-26"
# Not recorded anywhere: a value in the live file's format (an ISO timestamp); only equality matters.
TCGCSV_LAST_UPDATED = "2025-10-26T20:05:38+0000"


@dataclass
class TcgcsvData:
    """Real bodies for the tcgcsv mirror of 2025-10-26, built once per session."""

    groups: list[dict]  # derived from Groups_3_pokemon.csv (English) and Groups_85_pokemon_japan.csv (Japanese)
    prices: dict[int, bytes]  # real archive members `2025-10-26/{category}/{gid}/prices`
    products_604: list[dict]  # derived from ProductsAndPrices_3_604_BaseSet.csv
    archive: Path  # the real prices-2025-10-26.ppmd.7z
    fixtures: Path


def load_tcgcsv_data(shared: Path, workdir: Path) -> TcgcsvData:
    import py7zr

    archive = shared / "data/tcgcsv/prices-2025-10-26.ppmd.7z"
    with py7zr.SevenZipFile(archive) as z:
        wanted = [n for n in z.getnames() if n.split("/")[1:2] in (["3"], ["85"]) and n.endswith("/prices")]
        z.extract(path=workdir, targets=wanted)
    prices = {int(name.split("/")[2]): (workdir / name).read_bytes() for name in wanted}
    return TcgcsvData(
        groups=_groups(shared / "data/tcgcsv/Groups_3_pokemon.csv")
        + _japanese_groups(shared / "data/tcgcsv_japan/Groups_85_pokemon_japan.csv", set(prices)),
        prices=prices,
        products_604=_products(shared / "fixtures/tcgcsv/ProductsAndPrices_3_604_BaseSet.csv"),
        archive=archive,
        fixtures=shared / "fixtures/tcgcsv",
    )


def _groups(path: Path) -> list[dict]:
    # Derived: the groups CSV has no header (groupId, name, categoryId, <empty>, modifiedOn); the live
    # endpoint's objects carry the same fields (plus abbreviation/publishedOn, which the CSV lacks).
    with path.open(newline="", encoding="utf-8") as fh:
        return [
            {"groupId": int(r[0]), "name": r[1], "categoryId": int(r[2]), "modifiedOn": r[4]}
            for r in csv.reader(fh)
            if r
        ]


def _japanese_groups(path: Path, priced: set[int]) -> list[dict]:
    # Derived: the Japanese list has groupId and name only; served are the sets whose prices the archive holds.
    with path.open(newline="", encoding="utf-8") as fh:
        return [{"groupId": int(r["groupId"]), "name": r["name"], "categoryId": 85}
                for r in csv.DictReader(fh) if int(r["groupId"]) in priced]


def _products(path: Path) -> list[dict]:
    # Derived: ProductsAndPrices.csv is products joined to prices (one row per variant); one product object
    # per productId with the live endpoint's extendedData shape for Number, Rarity and CardType.
    products: dict[int, dict] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            pid = int(r["productId"])
            products.setdefault(
                pid,
                {
                    "productId": pid,
                    "name": r["name"],
                    "cleanName": r["cleanName"],
                    "imageUrl": r["imageUrl"],
                    "categoryId": int(r["categoryId"]),
                    "groupId": int(r["groupId"]),
                    "url": r["url"],
                    "modifiedOn": r["modifiedOn"],
                    "extendedData": [
                        {"name": "Number", "displayName": "Card Number", "value": r["extNumber"]},
                        {"name": "Rarity", "displayName": "Rarity", "value": r["extRarity"]},
                        {"name": "CardType", "displayName": "Card Type", "value": r["extCardType"]},
                    ],
                },
            )
    return list(products.values())


def envelope(results: list, total: bool = True) -> bytes:
    body = {"success": True, "errors": [], "results": results}
    if total:
        body["totalItems"] = len(results)
    return json.dumps(body).encode()


def tcgcsv_mirror(data: TcgcsvData, groups: list[int] | None = None) -> Mirror:
    """A tcgcsv mirror of 2025-10-26: every English (3) and Japanese (85) Pokémon set (or only `groups`), real
    prices, the real archive.

    Products are real for Base Set (604) only; other sets answer an empty products list (no recording).
    """
    mirror = Mirror()
    served = [g for g in data.groups if groups is None or g["groupId"] in groups]
    mirror.route("/last-updated.txt", (200, {"Content-Type": "text/plain"}, TCGCSV_LAST_UPDATED.encode()))
    for category in (3, 85):
        mine = [g for g in served if g["categoryId"] == category]
        mirror.route(f"/tcgplayer/{category}/groups", envelope(mine))
        for group in mine:
            gid = group["groupId"]
            mirror.route(f"/tcgplayer/{category}/{gid}/prices", data.prices[gid])
            mirror.route(f"/tcgplayer/{category}/{gid}/products",
                         envelope(data.products_604 if gid == 604 else []))
    archive = (200, {"Content-Type": "application/x-7z-compressed"}, data.archive.read_bytes())
    mirror.route(f"/archive/tcgplayer/prices-{TCGCSV_DAY}.ppmd.7z", archive)
    return mirror
