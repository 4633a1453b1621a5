"""Filling the chart cache from a Helm (HTTP) chart repository.

Rendering is offline: a HelmRelease whose chart comes from a HelmRepository reads it
from the chart cache (`--chart-cache DIR`, laid out as `<HelmRepository name>/index.yaml`
+ archives). This module is the one step that talks to the network, explicitly, before
a render: `sluice helm pull` reads the repository's `index.yaml`, picks the newest version
matching the HelmRelease's constraint, checks the archive's sha256 digest and stores both.
"""
from __future__ import annotations

import hashlib
import posixpath
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..yaml import dump_document, load_documents
from .release import _parse_version, _vkey, version_matches

TIMEOUT = 30


def _get(url: str) -> bytes:
    scheme = urllib.parse.urlparse(url).scheme
    if scheme not in ("http", "https"):
        raise InputError(f"chart repository URL {url!r}: only http(s) repositories can be pulled (OCI charts go in the cache by hand)")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 - http(s) only, checked above
            return bytes(response.read())
    except (urllib.error.URLError, OSError) as exc:
        raise InputError(f"cannot fetch {url}: {exc}") from None


def pull_chart(repo_url: str, repo_name: str, chart: str, constraint: str, cache_dir: Path) -> Path:
    """Download the best matching `chart` version into `cache_dir/repo_name/`; returns the archive."""
    base = repo_url.rstrip("/") + "/"
    index_text = _get(urllib.parse.urljoin(base, "index.yaml")).decode("utf-8")
    docs = load_documents(index_text, f"{base}index.yaml", dialect="config")
    entries = ((docs[0] if docs else {}) or {}).get("entries") or {}
    candidates = [e for e in entries.get(chart) or [] if isinstance(e, dict) and _parse_version(str(e.get("version", "")))]
    try:
        matching = [e for e in candidates if version_matches(constraint, str(e["version"]))]
    except ValueError as exc:
        raise InputError(f"chart {chart!r}: {exc}") from None
    if not matching:
        have = ", ".join(sorted(str(e.get("version")) for e in candidates)) or "none"
        raise InputError(f"chart {chart!r} version {constraint or '*'!r} is not in {base}index.yaml (versions: {have})")
    entry = max(matching, key=lambda e: _vkey(_parse_version(str(e["version"]))))  # type: ignore[arg-type]
    urls = entry.get("urls") or []
    if not urls:
        raise InputError(f"chart {chart!r} {entry['version']}: the index names no archive URL")
    archive_url = urllib.parse.urljoin(base, str(urls[0]))
    data = _get(archive_url)
    digest = entry.get("digest")
    if digest and hashlib.sha256(data).hexdigest() != str(digest):
        raise InputError(f"chart {chart!r} {entry['version']}: {archive_url} does not match the index digest {digest}")
    target = cache_dir / repo_name
    target.mkdir(parents=True, exist_ok=True)
    archive = target / posixpath.basename(urllib.parse.urlparse(archive_url).path)
    archive.write_bytes(data)
    _record(target / "index.yaml", chart, {**entry, "urls": [archive.name]})
    return archive


def _record(index_path: Path, chart: str, entry: dict[str, Any]) -> None:
    """Keep a local index.yaml listing what the cache holds (merged with earlier pulls)."""
    index: dict[str, Any] = {"apiVersion": "v1", "entries": {}}
    if index_path.is_file():
        docs = load_documents(index_path.read_text(encoding="utf-8"), str(index_path), dialect="config")
        if docs and isinstance(docs[0], dict):
            index = docs[0]
    versions = [e for e in (index.setdefault("entries", {}).get(chart) or []) if e.get("version") != entry.get("version")]
    index["entries"][chart] = [*versions, entry]
    index_path.write_text(dump_document(index), encoding="utf-8")


def pull_for_release(hr: dict[str, Any], objects: Any, cache_dir: Path) -> Path | None:
    """Pull the chart of a HelmRelease whose chart comes from an HTTP HelmRepository;
    None when its chart needs no pull (a path in the repository)."""
    spec = hr.get("spec") or {}
    template = ((spec.get("chart") or {}).get("spec")) or {}
    source = template.get("sourceRef") or {}
    if source.get("kind") != "HelmRepository":
        return None
    namespace = source.get("namespace") or (hr.get("metadata") or {}).get("namespace") or "default"
    name = str(source.get("name", ""))
    repo = objects("HelmRepository", namespace, name)
    if repo is None:
        raise InputError(f"HelmRepository {namespace}/{name} (used by HelmRelease {(hr.get('metadata') or {}).get('name')}) not found")
    repo_spec = repo.get("spec") or {}
    if repo_spec.get("type") == "oci":
        raise InputError(f"HelmRepository {namespace}/{name} is an OCI repository: put the chart archive in the cache by hand")
    return pull_chart(str(repo_spec.get("url", "")), name, str(template.get("chart")), str(template.get("version") or "*"), cache_dir)
