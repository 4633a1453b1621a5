"""Filling the chart cache from Helm (HTTP) chart repositories.

Rendering is offline: a HelmRelease whose chart comes from a HelmRepository reads it from
the chart cache (`--chart-cache DIR`, laid out as `<HelmRepository name>/index.yaml` +
archives), and so does an Argo CD Application whose source is a chart from a Helm
repository (`<repoURL without scheme>/...`, see `renderer.helm.argo.chart_cache_key`).
This module is the one step that talks to the network, explicitly, before a render:
`sluice helm pull` reads the repository's `index.yaml`, picks the newest version matching
the constraint, checks the archive's sha256 digest and stores both.

OCI registries are not pulled (sluice speaks no registry protocol): their charts go in the
cache by hand.
"""
from __future__ import annotations

import hashlib
import posixpath
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from ..errors import InputError
from ..yaml import dump_document, load_documents
from .argo import chart_cache_key
from .release import _parse_version, _vkey, version_matches

TIMEOUT = 30
APPLICATION_API_VERSION = "argoproj.io/v1alpha1"


def _get(url: str) -> bytes:
    scheme = urllib.parse.urlparse(url).scheme
    if scheme not in ("http", "https"):
        raise InputError(f"chart repository URL {url!r}: only http(s) repositories can be pulled (OCI charts go in the cache by hand)")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 - http(s) only, checked above
            return bytes(response.read())
    except (urllib.error.URLError, OSError) as exc:
        raise InputError(f"cannot fetch {url}: {exc}") from None


def _index_entries(base: str, indexes: dict[str, Any] | None) -> dict[str, Any]:
    """The `entries` of `<base>index.yaml`, fetched once per pull run when `indexes` is given."""
    if indexes is not None and base in indexes:
        return indexes[base]
    index_text = _get(urllib.parse.urljoin(base, "index.yaml")).decode("utf-8")
    docs = load_documents(index_text, f"{base}index.yaml", dialect="config")
    entries = ((docs[0] if docs else {}) or {}).get("entries") or {}
    if not isinstance(entries, dict):
        raise InputError(f"{base}index.yaml: entries must be a mapping")
    if indexes is not None:
        indexes[base] = entries
    return entries


def pull_chart(repo_url: str, repo_name: str, chart: str, constraint: str, cache_dir: Path, *,
               indexes: dict[str, Any] | None = None) -> Path:
    """Download the best matching `chart` version into `cache_dir/repo_name/`; returns the archive.
    An archive already there with the index's digest is kept (pulling twice changes nothing)."""
    base = repo_url.rstrip("/") + "/"
    entries = _index_entries(base, indexes)
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
    target = cache_dir / repo_name
    archive = target / posixpath.basename(urllib.parse.urlparse(archive_url).path)
    digest = entry.get("digest")
    if not (digest and archive.is_file() and hashlib.sha256(archive.read_bytes()).hexdigest() == str(digest)):
        data = _get(archive_url)
        if digest and hashlib.sha256(data).hexdigest() != str(digest):
            raise InputError(f"chart {chart!r} {entry['version']}: {archive_url} does not match the index digest {digest}")
        target.mkdir(parents=True, exist_ok=True)
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
    index["entries"][chart] = sorted([*versions, entry], key=lambda e: str(e.get("version")))
    text = dump_document(index)
    if not index_path.is_file() or index_path.read_text(encoding="utf-8") != text:
        index_path.write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------------------
# What a HelmRelease or an Application needs from a chart repository
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class ChartWant:
    """One chart a render reads from the chart cache, and where it comes from."""

    cache_key: str  # the cache directory: a HelmRepository's name, or an Argo CD repoURL without scheme
    chart: str
    constraint: str  # a version or a semver constraint ("*": the newest)
    repo_url: str
    oci: bool = False  # an OCI registry: not pullable, placed in the cache by hand
    origin: str = field(default="", compare=False)  # who needs it, for messages
    source: str = field(default="", compare=False)  # the Flux source object, for a HelmRelease's chart

    @property
    def by_hand(self) -> str:
        return f"place {self.cache_key}/{self.chart}-<version>.tgz in the chart cache by hand"

    def describe(self) -> str:
        return f"{self.origin}: chart {self.chart} {self.constraint} from {self.repo_url}"


def _is_http(url: str) -> bool:
    return urllib.parse.urlparse(url).scheme in ("http", "https")


def is_application(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("kind") == "Application" and str(doc.get("apiVersion", "")).startswith("argoproj.io/")


def application_charts(app: dict[str, Any], *, file: str | None = None) -> list[ChartWant]:
    """The Helm-repository charts of an Argo CD Application's sources (`spec.source` or
    `spec.sources[]`), in source order. Argo CD's `targetRevision` for a chart is a version
    or a semver constraint; none means the newest."""
    name = str((app.get("metadata") or {}).get("name", ""))
    if app.get("apiVersion") != APPLICATION_API_VERSION:
        raise InputError(f"Application {name}: apiVersion {app.get('apiVersion')!r} is not {APPLICATION_API_VERSION}", file=file)
    spec = app.get("spec") or {}
    if not isinstance(spec, dict):
        raise InputError(f"Application {name}: spec must be a mapping", file=file)
    if spec.get("sources"):
        sources = spec["sources"]
        if not isinstance(sources, list):
            raise InputError(f"Application {name}: spec.sources must be a list", file=file)
        located = [(f"spec.sources[{i}]", s) for i, s in enumerate(sources)]
    else:
        located = [("spec.source", spec.get("source"))]
    wants: list[ChartWant] = []
    for where, source in located:
        if not isinstance(source, dict) or source.get("chart") is None:
            continue  # a path in a git repository: nothing to pull
        repo_url = str(source.get("repoURL") or "")
        if not repo_url:
            raise InputError(f"Application {name}: {where}.repoURL is required for a chart source", file=file)
        wants.append(ChartWant(
            cache_key=chart_cache_key(repo_url), chart=str(source["chart"]),
            constraint=str(source.get("targetRevision") or "*"), repo_url=repo_url, oci=not _is_http(repo_url),
            origin=f"Application {name} {where}",
        ))
    return wants


ObjectLookup = Callable[[str, str, str], Optional[dict]]


def release_chart(hr: dict[str, Any], objects: ObjectLookup, *, file: str | None = None) -> ChartWant | None:
    """The chart a HelmRelease reads from a HelmRepository (`spec.chart.spec`, or `spec.chartRef`
    to a HelmChart) or an OCIRepository (`spec.chartRef`); None when its chart is a path in
    a GitRepository/Bucket (the dry repository)."""
    meta = hr.get("metadata") or {}
    ns = str(meta.get("namespace") or "default")
    label = f"HelmRelease {ns}/{meta.get('name')}"
    spec = hr.get("spec") or {}
    chart_ref = spec.get("chartRef") or {}
    template = ((spec.get("chart") or {}).get("spec")) or {}
    if chart_ref:
        kind, name = chart_ref.get("kind"), str(chart_ref.get("name", ""))
        ref_ns = str(chart_ref.get("namespace") or ns)
        if kind == "OCIRepository":
            repo = objects("OCIRepository", ref_ns, name) or {}
            url = str((repo.get("spec") or {}).get("url", ""))
            ref = (repo.get("spec") or {}).get("ref") or {}
            return ChartWant(cache_key=name, chart=url.rstrip("/").rsplit("/", 1)[-1] or name,
                             constraint=str(ref.get("tag") or ref.get("semver") or "*"), repo_url=url or f"OCIRepository {ref_ns}/{name}",
                             oci=True, origin=label, source=f"OCIRepository {ref_ns}/{name}")
        if kind != "HelmChart":
            return None
        hc = objects("HelmChart", ref_ns, name)
        if hc is None:
            raise InputError(f"{label}: chartRef HelmChart {ref_ns}/{name} not found", file=file)
        template, ns = hc.get("spec") or {}, ref_ns
    source = template.get("sourceRef") or {}
    if source.get("kind") != "HelmRepository":
        return None
    src_ns = str(source.get("namespace") or ns)
    name = str(source.get("name", ""))
    helm_repo = objects("HelmRepository", src_ns, name)
    if helm_repo is None:
        raise InputError(f"HelmRepository {src_ns}/{name} (used by {label}) not found", file=file)
    repo_spec = helm_repo.get("spec") or {}
    url = str(repo_spec.get("url", ""))
    return ChartWant(cache_key=name, chart=str(template.get("chart")), constraint=str(template.get("version") or "*"),
                     repo_url=url, oci=repo_spec.get("type") == "oci" or not _is_http(url), origin=label,
                     source=f"HelmRepository {src_ns}/{name}")


def _pull(want: ChartWant, cache_dir: Path, indexes: dict[str, Any] | None = None) -> Path:
    try:
        return pull_chart(want.repo_url, want.cache_key, want.chart, want.constraint, cache_dir, indexes=indexes)
    except InputError as exc:
        raise InputError(f"{want.origin}: {exc.message}", file=exc.file, line=exc.line) from None


def pull_for_release(hr: dict[str, Any], objects: Any, cache_dir: Path) -> Path | None:
    """Pull the chart of a HelmRelease whose chart comes from an HTTP HelmRepository;
    None when its chart needs no pull (a path in the repository)."""
    want = release_chart(hr, objects)
    if want is None:
        return None
    if want.oci:
        raise InputError(f"{want.source} is an OCI repository: put the chart archive in the cache by hand ({want.by_hand})")
    return pull_chart(want.repo_url, want.cache_key, want.chart, want.constraint, cache_dir)


def pull_for_application(app: dict[str, Any], cache_dir: Path, *, file: str | None = None) -> list[Path]:
    """Pull every Helm-repository chart of an Argo CD Application into the cache at
    `<repoURL without scheme>/`; returns the archives (none for sources that are paths).
    An OCI registry (a repoURL without http(s) scheme) cannot be pulled: an error, before
    anything is downloaded."""
    wants = application_charts(app, file=file)
    for want in wants:
        if want.oci:
            raise InputError(
                f"{want.origin}: repoURL {want.repo_url!r} is an OCI registry (no http(s) scheme): sluice pulls only "
                f"from http(s) Helm repositories; {want.by_hand}", file=file)
    indexes: dict[str, Any] = {}
    return list(dict.fromkeys(_pull(want, cache_dir, indexes) for want in wants))


# ----------------------------------------------------------------------------------------
# The whole fleet
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FleetPull:
    pulled: tuple[Path, ...]  # sorted, each once
    skipped: tuple[ChartWant, ...]  # OCI charts, to place by hand


def _unique(wants: Iterable[ChartWant]) -> list[ChartWant]:
    """Sorted, one entry per (cache key, chart, constraint, URL, OCI); the first origin kept."""
    seen: dict[tuple[Any, ...], ChartWant] = {}
    for want in sorted(wants, key=lambda w: (w.cache_key, w.chart, w.constraint, w.repo_url, w.oci, w.origin)):
        seen.setdefault((want.cache_key, want.chart, want.constraint, want.repo_url, want.oci), want)
    return list(seen.values())


def fleet_charts(fs: Any, cache_dir: Path | None = None) -> list[ChartWant]:
    """Every chart a render of the repository reads from the chart cache: the Helm-repository
    chart sources of the fleet's Applications, the charts of the HelmReleases in the
    repository that come from a HelmRepository (or an OCIRepository), and the http(s)/OCI
    dependencies missing from the charts/ of the charts in the repository (Argo CD chart
    paths, HelmRelease GitRepository charts); sorted, each once."""
    from ..fleet import discover
    from ..fleet_config import load_config
    from ..kustomize import find_kustomization
    from .release import is_helmrelease, iter_repo_objects, objects_resolver

    from ..errors import NothingFound

    try:
        plan = discover(fs, load_config(fs))
        targets = _all_targets(fs, plan, cache_dir)
    except NothingFound:
        targets = []  # no Application or Flux cluster: the HelmReleases in the repository still count
    wants: list[ChartWant] = []
    for target in targets:
        for spec in (target.source, *target.extra_sources):
            if spec.type != "helm-repo":
                continue
            wants.append(ChartWant(
                cache_key=chart_cache_key(spec.chart_repo), chart=spec.chart, constraint=spec.chart_version or "*",
                repo_url=spec.chart_repo, oci=not _is_http(spec.chart_repo),
                origin=f"Application {target.app} {spec.field} ({target.origin})",
            ))
    kinds = frozenset({"HelmRelease", "HelmRepository", "HelmChart", "OCIRepository"})
    objects = list(iter_repo_objects(fs, kinds))
    exact = objects_resolver(objects)
    by_name: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for obj in objects:
        by_name.setdefault((str(obj.get("kind")), str((obj.get("metadata") or {}).get("name", ""))), []).append(obj)

    def lookup(kind: str, ns: str, name: str) -> dict[str, Any] | None:
        # a namespace set by a kustomization is not in the file: then a unique name will do
        found = exact(kind, ns, name)
        if found is None and len(by_name.get((kind, name), [])) == 1:
            found = by_name[(kind, name)][0]
        return found

    for obj in objects:
        if is_helmrelease(obj):
            want = release_chart(obj, lookup)
            if want is not None:
                wants.append(want)
            else:
                wants.extend(_release_dependencies(fs, obj, lookup))
    for target in targets:
        for spec in (target.source, *target.extra_sources):
            if spec.type == "auto" and find_kustomization(fs, spec.path) is not None:
                continue  # a kustomization renders, not the chart beside it
            if spec.type in ("helm", "auto") and not getattr(spec, "repo", ""):
                wants.extend(_dependency_wants(fs, spec.path, f"Application {target.app} {spec.field} ({target.origin})"))
    return _unique(wants)


def _all_targets(fs: Any, plan: Any, cache_dir: Path | None) -> list[Any]:
    """The plan's targets and the Applications their renders generate (app of apps), as far
    as the charts in the cache let the render see; the plan's alone if the render fails."""
    from ..errors import SluiceError
    from ..pipeline import every_target

    try:
        return every_target(fs, plan, chart_cache=cache_dir if cache_dir is not None and cache_dir.is_dir() else None)
    except SluiceError:
        return list(plan.targets)


def _dependency_wants(fs: Any, chart_path: str, origin: str) -> list[ChartWant]:
    """The http(s)/OCI dependencies missing from the charts/ of a chart in the repository,
    as the render will look them up in the chart cache."""
    from ..errors import SluiceError
    from ..fs import join
    from .dependencies import remote_dependencies

    try:
        rel = fs.resolve(chart_path)
    except SluiceError:
        return []  # the render reports a path that leaves the repository
    if not (fs.is_file(rel) and rel.endswith(".tgz")) and not fs.is_file(join(rel, "Chart.yaml")):
        return []  # not a chart: a kustomization or plain manifests
    wants = []
    for chart, dep in remote_dependencies(fs.abspath(rel)):
        wants.append(ChartWant(
            cache_key=chart_cache_key(dep.repository), chart=dep.name, constraint=dep.constraint,
            repo_url=dep.repository, oci=dep.kind == "oci",
            origin=f"{origin}: dependency {dep.name} of chart {chart}",
        ))
    return wants


def _release_dependencies(fs: Any, hr: dict[str, Any], objects: ObjectLookup) -> list[ChartWant]:
    """`_dependency_wants` of a HelmRelease whose chart is a path in the repository
    (GitRepository/Bucket source, directly or through a HelmChart)."""
    meta = hr.get("metadata") or {}
    ns = str(meta.get("namespace") or "default")
    spec = hr.get("spec") or {}
    template = ((spec.get("chart") or {}).get("spec")) or {}
    chart_ref = spec.get("chartRef") or {}
    if chart_ref.get("kind") == "HelmChart":
        hc = objects("HelmChart", str(chart_ref.get("namespace") or ns), str(chart_ref.get("name", ""))) or {}
        template = hc.get("spec") or {}
    if (template.get("sourceRef") or {}).get("kind") not in ("GitRepository", "Bucket") or not template.get("chart"):
        return []
    return _dependency_wants(fs, str(template["chart"]), f"HelmRelease {ns}/{meta.get('name')}")


def pull_release_dependencies(fs: Any, hr: dict[str, Any], objects: ObjectLookup,
                              cache_dir: Path) -> tuple[list[Path], list[ChartWant]]:
    """For a HelmRelease whose chart is a path in the repository: pull the http(s)
    dependencies its charts/ misses; OCI ones are returned to be placed by hand."""
    wants = _unique(_release_dependencies(fs, hr, objects))
    indexes: dict[str, Any] = {}
    pulled = sorted({_pull(w, cache_dir, indexes) for w in wants if not w.oci})
    return pulled, [w for w in wants if w.oci]


MAX_PULL_ROUNDS = 5


def pull_fleet(fs: Any, cache_dir: Path) -> FleetPull:
    """Pull every HTTP chart `fleet_charts` finds (charts, and the http(s) dependencies
    missing from the charts/ of charts in the repository); OCI ones are reported, not errors."""
    indexes: dict[str, Any] = {}
    pulled: set[Path] = set()
    skipped: dict[ChartWant, None] = {}
    done: set[ChartWant] = set()
    for _round in range(MAX_PULL_ROUNDS):
        # a pulled chart can render Applications that need more charts (app of apps): again
        wants = [w for w in fleet_charts(fs, cache_dir) if w not in done]
        if not wants:
            break
        for want in wants:
            done.add(want)
            if want.oci:
                skipped.setdefault(want, None)
            else:
                pulled.add(_pull(want, cache_dir, indexes))
    return FleetPull(pulled=tuple(sorted(pulled)), skipped=tuple(skipped))
