"""A fake GitHub REST API on 127.0.0.1 that records every request: the test double for
GitHub itself (the Action's script talks to it through GITHUB_API_URL)."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    method: str
    path: str  # without the query
    query: dict[str, list[str]]
    body: Any
    authorization: str


@dataclass
class FakeGitHub:
    """Comments of one repository's issues; `read_only` answers writes with 403 as GitHub
    does for a fork's pull-request token."""

    repository: str = "acme/gitops"
    read_only: bool = False
    page_size: int = 100
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    url: str = ""
    _next_id: int = 1000

    def add_comment(self, number: int, body: str) -> int:
        self._next_id += 1
        self.comments.setdefault(number, []).append({"id": self._next_id, "body": body, "user": {"login": "someone"}})
        return self._next_id

    def summary(self) -> list[tuple[str, str]]:
        return [(c.method, c.path) for c in self.calls]

    # -- the API -----------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any, dict[str, str]]:
        prefix = f"/repos/{self.repository}/issues/"
        if not path.startswith(prefix):
            return 404, {"message": "Not Found"}, {}
        rest = path[len(prefix):].split("/")
        if method == "GET" and len(rest) == 2 and rest[1] == "comments":
            items = self.comments.get(int(rest[0]), [])
            page = int(query.get("page", ["1"])[0])
            size = min(self.page_size, int(query.get("per_page", ["30"])[0]))
            chunk = items[(page - 1) * size: page * size]
            headers = {}
            if page * size < len(items):
                headers["Link"] = f'<{self.url}{path}?per_page={size}&page={page + 1}>; rel="next"'
            return 200, chunk, headers
        if self.read_only and method in ("POST", "PATCH"):
            return 403, {"message": "Resource not accessible by integration"}, {}
        if method == "POST" and len(rest) == 2 and rest[1] == "comments":
            cid = self.add_comment(int(rest[0]), body["body"])
            return 201, {"id": cid, "body": body["body"]}, {}
        if method == "PATCH" and rest[0] == "comments" and len(rest) == 2:
            for items in self.comments.values():
                for c in items:
                    if c["id"] == int(rest[1]):
                        c["body"] = body["body"]
                        return 200, c, {}
        return 404, {"message": "Not Found"}, {}


@contextmanager
def serve(fake: FakeGitHub) -> Iterator[FakeGitHub]:
    class Handler(BaseHTTPRequestHandler):
        def _do(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            query = parse_qs(parts.query)
            fake.calls.append(Call(self.command, parts.path, query, body, self.headers.get("Authorization", "")))
            status, payload, headers = fake.handle(self.command, parts.path, query, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _do

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
