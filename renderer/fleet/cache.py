"""A content-addressed cache of rendered units, on disk, in JSON.

A unit's render depends on what was planned for it (the targets, their capabilities),
the options and versions every render shares (the `salt`), and the files it read. The
last are only known after rendering, so a lookup is two steps: `index/<key>.json`, the
key being a digest of plan and salt, lists the entries recorded for it; an entry,
stored at `entries/<sha256 of its bytes>.json`, records the files it read with their
digests, and is taken only if its bytes hash to its name, it names the same key, and
every recorded file has the same digest now. Anything else (missing, truncated, edited,
unparseable) is a miss: a cache is never trusted, only checked.

The directory is chosen by the person running sluice (`--cache-dir`); a repository's
own content can never point it anywhere. Writes are atomic (temporary file + rename), so
concurrent workers and runs share a directory safely.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

CACHE_VERSION = 1
MAX_ENTRIES_PER_KEY = 4  # recent variants kept per unit (branches a CI cache switches between)


def digest_json(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


class FileDigests:
    """sha256 of repository files, each hashed once per process; None for an absent file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._memo: dict[str, str | None] = {}

    def __call__(self, rel: str) -> str | None:
        if rel not in self._memo:
            try:
                self._memo[rel] = hashlib.sha256((self.root / rel).read_bytes()).hexdigest()
            except OSError:
                self._memo[rel] = None
        return self._memo[rel]


class RenderCache:
    """Entries under `directory/v1/`."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.base = Path(directory).absolute() / f"v{CACHE_VERSION}"

    def _index_path(self, key: str) -> Path:
        return self.base / "index" / key[:2] / f"{key}.json"

    def _entry_path(self, sha: str) -> Path:
        return self.base / "entries" / sha[:2] / f"{sha}.json"

    def lookup(self, key: str, digests: Callable[[str], str | None]) -> dict[str, Any] | None:
        """The payload of a verified entry for `key` whose inputs are unchanged, else None."""
        for sha in self._candidates(key):
            entry = self._read_entry(sha)
            if entry is None or entry.get("key") != key:
                continue
            inputs = entry.get("inputs")
            if not isinstance(inputs, dict):
                continue
            if all(digests(path) == recorded for path, recorded in inputs.items()):
                payload = entry.get("payload")
                return payload if isinstance(payload, dict) else None
        return None

    def _candidates(self, key: str) -> list[str]:
        try:
            data = json.loads(self._index_path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            return []
        return [e for e in entries if isinstance(e, str) and len(e) == 64 and all(c in "0123456789abcdef" for c in e)]

    def _read_entry(self, sha: str) -> dict[str, Any] | None:
        try:
            data = self._entry_path(sha).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != sha:
            return None  # corrupt or edited: ignored, never trusted
        try:
            entry = json.loads(data)
        except ValueError:
            return None
        return entry if isinstance(entry, dict) and entry.get("version") == CACHE_VERSION else None

    def store(self, key: str, inputs: Mapping[str, str | None], payload: dict[str, Any]) -> None:
        """Record `payload` for `key` and these inputs. A cache that cannot be written
        (read-only, full) only costs the next run a render."""
        entry = {"version": CACHE_VERSION, "key": key, "inputs": dict(sorted(inputs.items())), "payload": payload}
        try:
            data = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode("utf-8")
        except (TypeError, ValueError):
            return  # not JSON (an exotic value): not cached
        sha = hashlib.sha256(data).hexdigest()
        try:
            _atomic_write(self._entry_path(sha), data)
            recent = [sha, *(e for e in self._candidates(key) if e != sha)][:MAX_ENTRIES_PER_KEY]
            _atomic_write(self._index_path(key), json.dumps({"entries": recent}).encode("utf-8"))
        except OSError:
            pass


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def context_salt(*, config: Any, build_options: Any, chart_cache: str | os.PathLike[str] | None,
                 extra: Iterable[str] = ()) -> str:
    """Key material every unit shares: sluice's and Helm's versions, sluice.yaml as loaded,
    build options, and the chart cache's archives by content."""
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for package in ("sluice", "helm-python-sdk"):
        try:
            parts.append(f"{package}={version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package}=dev")
    parts.append(_source_digest())
    parts.append(repr(config))
    parts.append(repr(build_options))
    if chart_cache:
        base = Path(chart_cache)
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            if path.is_file():
                parts.append(f"{path.relative_to(base).as_posix()}:{hashlib.sha256(path.read_bytes()).hexdigest()}")
    parts.extend(extra)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


_SOURCE_DIGEST: str | None = None


def _source_digest() -> str:
    """A digest of sluice's own code and data: a development checkout changes output
    without changing its version number."""
    global _SOURCE_DIGEST
    if _SOURCE_DIGEST is None:
        package = Path(__file__).resolve().parent.parent
        h = hashlib.sha256()
        for path in sorted(package.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".json", ".yaml"):
                h.update(path.relative_to(package).as_posix().encode() + b"\0")
                h.update(hashlib.sha256(path.read_bytes()).digest())
        _SOURCE_DIGEST = h.hexdigest()
    return _SOURCE_DIGEST
