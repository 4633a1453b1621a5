"""A real smart-HTTP git server on 127.0.0.1 for tests: ``git http-backend`` run as a
CGI program behind a small ``http.server``, refusing every request that lacks the
expected token (the way a CI forge does): as a bearer header, or as the password of Basic
auth (``https://oauth2:<token>@host/…``, GitLab's form). ``git_https`` serves the same over
TLS with a self-signed certificate made for the test (``GitHTTP.ca_file``)."""
from __future__ import annotations

import base64
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

try:
    from tests.gitrepos import _env, init_bare, isolated_git_env
except ModuleNotFoundError:  # tests/ is not a package
    from gitrepos import _env, init_bare, isolated_git_env

__all__ = ["GitHTTP", "git_http", "git_https", "isolated_git_env"]

TOKEN = "t0ken-for-tests"
AUTH_HEADER = f"Authorization: Bearer {TOKEN}"


def _authorised(header: str) -> bool:
    """A bearer token, or Basic auth with the token as password (any user name)."""
    if header == f"Bearer {TOKEN}":
        return True
    scheme, _, encoded = header.partition(" ")
    if scheme != "Basic":
        return False
    try:
        _user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return False
    return password == TOKEN


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _serve(self) -> None:
        if not _authorised(self.headers.get("Authorization", "")):
            self.server.refused += 1
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self._body() if self.command == "POST" else b""
        path, _, query = self.path.partition("?")
        env = _env(
            {
                "GIT_PROJECT_ROOT": str(self.server.base),
                "GIT_HTTP_EXPORT_ALL": "1",
                "REMOTE_USER": "ci",
                "REQUEST_METHOD": self.command,
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
                "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
            }
        )
        proc = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, check=False)
        head, _, payload = proc.stdout.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.decode("latin-1").split("\r\n"):
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.strip().split()[0])
            elif key:
                headers.append((key, value.strip()))
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _serve
    do_POST = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    base: Path
    refused: int = 0


@dataclass
class GitHTTP:
    base: Path
    port: int
    server: _Server
    ca_file: Path | None = None  # the certificate to trust (GIT_SSL_CAINFO) when served over TLS

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, name: str) -> str:
        return f"{'https' if self.ca_file else 'http'}://{self.host}/{name}"

    def create(self, name: str) -> tuple[Path, str]:
        return init_bare(self.base / name), self.url(name)

    @property
    def refused(self) -> int:
        return self.server.refused


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made by openssl for this test only."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def _serve(tmp_path: Path, *, tls: bool) -> Iterator[GitHTTP]:
    base = tmp_path / "http"
    base.mkdir()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.base = base
    ca_file = None
    if tls:
        ca_file, key = _self_signed(tmp_path)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(ca_file, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield GitHTTP(base=base, port=server.server_address[1], server=server, ca_file=ca_file)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def git_http(tmp_path: Path, isolated_git_env: Path) -> Iterator[GitHTTP]:
    """Smart HTTP on 127.0.0.1:<free port> serving ``<tmp>/http``; needs the token."""
    yield from _serve(tmp_path, tls=False)


@pytest.fixture
def git_https(tmp_path: Path, isolated_git_env: Path) -> Iterator[GitHTTP]:
    """The same over TLS; clients trust ``ca_file``."""
    yield from _serve(tmp_path, tls=True)
