"""Helm's template engine in a child process, under an address-space limit.

Why: a chart's templates are a program (`range`, `concat`, `indent` with any count). Go's
runtime has no hard memory limit: a template doubling a list forty times asks for
terabytes, and in this process Go's `fatal error: out of memory` would abort sluice itself
(a Go stack dump, exit 134). The in-process engine therefore runs each render here: one
long-lived child (the Helm library is loaded once, a render costs a pipe round trip)
started with RLIMIT_AS at `limits.helmRenderMemory`. A render that runs out of memory or
time ends the child, not sluice, and becomes a RenderError naming the limit; the next
render starts a new child.

Frames both ways: an 8-byte big-endian length, then UTF-8 JSON. Request: {"chart",
"values", "opts", "max_output"}; answer: {"ok": rendered JSON text} or {"error": message}.
"""
from __future__ import annotations

import atexit
import json
import os
import select
import struct
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, BinaryIO

from ..core.errors import RenderError
from ..core.limits import how_to_raise

DEFAULT_RENDER_MEMORY = 4 * 1024 * 1024 * 1024
"""Address space of the render process (Go reserves about 1.7 GiB of it up front)."""

_HEADER = struct.Struct(">Q")


def _write_frame(out: BinaryIO, payload: dict[str, Any]) -> None:
    data = json.dumps(payload).encode("utf-8")
    out.write(_HEADER.pack(len(data)) + data)
    out.flush()


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = stream.read(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


def serve() -> None:
    """The child: answer render requests until stdin closes."""
    import helm_python
    from helm_python import _native

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            (size,) = _HEADER.unpack(_read_exact(stdin, _HEADER.size))
            request = json.loads(_read_exact(stdin, size))
        except EOFError:
            return
        try:
            with helm_python.Chart.load(request["chart"]) as chart:
                raw = _native.call_string("helm_render", chart._raw(), request["values"], request["opts"])
            if len(raw) > request["max_output"]:
                _write_frame(stdout, {"too_big": len(raw)})
            else:
                _write_frame(stdout, {"ok": raw})
        except helm_python.HelmError as exc:
            _write_frame(stdout, {"error": str(exc)})


def _limit(pid: int, memory: int) -> int:
    """RLIMIT_AS of the child (never above what this process may use), no core dump."""
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
    resource.prlimit(pid, resource.RLIMIT_AS, (cap, hard))
    resource.prlimit(pid, resource.RLIMIT_CORE, (0, 0))
    return cap


class RenderWorker:
    """The parent's handle on the child (started on first use, again after one died)."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: Any = None
        self._memory = 0
        self._cap = 0  # the limit in force (this process's own may be lower than asked)
        self._lock = threading.Lock()  # one request at a time on the pipe
        self._owner = os.getpid()  # a forked copy must not talk on its parent's pipe

    def _start(self, memory: int) -> subprocess.Popen[bytes]:
        self.close()
        self._stderr = tempfile.TemporaryFile()
        self._memory = memory
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)
        self._proc = subprocess.Popen(
            [sys.executable, "-c", "from renderer.helm.render_worker import serve; serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env={**os.environ, "PYTHONPATH": path},
        )
        self._cap = _limit(self._proc.pid, memory)  # before the first request: starting Python allocates little
        return self._proc

    def close(self) -> None:
        if self._owner != os.getpid():
            return
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def _died(self, chart: str) -> RenderError:
        proc, memory = self._proc, self._cap
        code = proc.wait() if proc is not None else None
        err = b""
        if self._stderr is not None:
            self._stderr.seek(0)
            err = self._stderr.read()
        self.close()
        text = err.decode("utf-8", "replace")
        if "out of memory" in text or "MemoryError" in text or "cannot allocate memory" in text.lower():
            return RenderError(f"chart {chart}: the render needed more than {memory} bytes of memory (a runaway "
                               f"template?); {how_to_raise('helmRenderMemory')}")
        first = next((line for line in text.splitlines() if line.strip()), f"exit code {code}")
        return RenderError(f"chart {chart}: the Helm render process failed: {first[:300]}")

    def _read(self, proc: subprocess.Popen[bytes], n: int, deadline: float) -> bytes | None:
        """`n` bytes of the answer, or None when the deadline passed."""
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        buf = bytearray()
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, min(n - len(buf), 1 << 20))
            if not chunk:
                raise EOFError
            buf += chunk
        return bytes(buf)

    def render(self, chart: str, values_json: str, opts_json: str, *, seconds: float, max_output: int,
               memory: int, too_slow: RenderError) -> str:
        """The rendered files' JSON (Helm's `helm_render`), or a RenderError."""
        with self._lock:
            return self._render(chart, values_json, opts_json, seconds=seconds, max_output=max_output, memory=memory,
                                too_slow=too_slow)

    def _render(self, chart: str, values_json: str, opts_json: str, *, seconds: float, max_output: int,
                memory: int, too_slow: RenderError) -> str:
        if self._owner != os.getpid():  # inherited through fork: the child is the parent's
            self._proc, self._stderr, self._owner = None, None, os.getpid()
        proc = self._proc if self._proc is not None and self._proc.poll() is None and self._memory == memory \
            else self._start(memory)
        assert proc.stdin is not None
        deadline = time.monotonic() + seconds
        try:
            _write_frame(proc.stdin, {"chart": chart, "values": values_json, "opts": opts_json, "max_output": max_output})
            head = self._read(proc, _HEADER.size, deadline)
            body = None if head is None else self._read(proc, _HEADER.unpack(head)[0], deadline)
        except (EOFError, BrokenPipeError, OSError):
            raise self._died(chart) from None
        if body is None:  # a runaway render: ending the child stops it (a thread could only be abandoned)
            self.close()
            raise too_slow
        answer = json.loads(body)
        if "error" in answer:
            raise RenderError(f"chart {chart}: helm template failed: {answer['error']}")
        if "too_big" in answer:
            raise RenderError(f"chart {chart}: the render produced more than {max_output} bytes; raise "
                              "limits.helmOutputBytes in sluice.yaml if the chart really renders that much")
        return str(answer["ok"])


SHARED = RenderWorker()
"""The worker of this process (every in-process engine uses it: one Helm library load)."""
atexit.register(SHARED.close)

__all__ = ["DEFAULT_RENDER_MEMORY", "SHARED", "RenderWorker", "serve"]
