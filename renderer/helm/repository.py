"""What charts a render reads from the chart cache, and filling the cache with them.

Rendering is offline: a chart from a Helm repository or an OCI registry (a Flux
HelmRepository or OCIRepository, an Argo CD chart source, a chart dependency) is read from
the chart cache (`--chart-cache DIR`), one layout for all of them: `<repository URL without
scheme>/<chart>-<version>.tgz` (renderer.helm.cachekey). This module finds what the fleet
needs; `renderer.helm.pull` has Helm download it, the one step that talks to the network.
"""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from ..core.errors import InputError
from .cachekey import chart_cache_key, oci_cache_key, oci_chart_name
from .pull import helm_pull

APPLICATION_API_VERSION = "argoproj.io/v1alpha1"


def pull_chart(repo_url: str, chart: str, constraint: str, cache_dir: Path, *, oci: bool = False) -> Path:
    """Helm pulls the newest `chart` matching `constraint` from `repo_url` (an HTTP
    repository, or an OCI registry path with `oci`) into `cache_dir/<URL key>/`."""
    return helm_pull(repo_url, chart, constraint, cache_dir, oci=oci)


# ----------------------------------------------------------------------------------------
# What a HelmRelease or an Application needs from a chart repository
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class ChartWant:
    """One chart a render reads from the chart cache, and where it comes from."""

    cache_key: str  # the cache directory: the repository URL without scheme (cachekey.chart_cache_key)
    chart: str
    constraint: str  # a version or a semver constraint ("*": the newest)
    repo_url: str  # the repository (for OCI: the registry path holding the chart)
    oci: bool = False  # an OCI registry rather than an HTTP repository
    origin: str = field(default="", compare=False)  # who needs it, for messages
    source: str = field(default="", compare=False)  # the Flux source object, for a HelmRelease's chart

    def describe(self) -> str:
        return f"{self.origin}: chart {self.chart} {self.constraint} from {self.repo_url}"


def is_http_url(url: str) -> bool:
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
            constraint=str(source.get("targetRevision") or "*"), repo_url=repo_url, oci=not is_http_url(repo_url),
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
            if not url:
                raise InputError(f"{label}: chartRef OCIRepository {ref_ns}/{name} not found or has no spec.url", file=file)
            return ChartWant(cache_key=oci_cache_key(url), chart=oci_chart_name(url),
                             constraint=str(ref.get("tag") or ref.get("semver") or "*"),
                             repo_url=url.rstrip("/").rsplit("/", 1)[0], oci=True, origin=label,
                             source=f"OCIRepository {ref_ns}/{name}")
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
    return ChartWant(cache_key=chart_cache_key(url), chart=str(template.get("chart")), constraint=str(template.get("version") or "*"),
                     repo_url=url, oci=repo_spec.get("type") == "oci" or not is_http_url(url), origin=label,
                     source=f"HelmRepository {src_ns}/{name}")


def pull_want(want: ChartWant, cache_dir: Path) -> Path:
    try:
        return pull_chart(want.repo_url, want.chart, want.constraint, cache_dir, oci=want.oci)
    except InputError as exc:
        raise InputError(f"{want.origin}: {exc.message}", file=exc.file, line=exc.line) from None


def pull_for_release(hr: dict[str, Any], objects: Any, cache_dir: Path) -> Path | None:
    """Pull the chart of a HelmRelease whose chart comes from a HelmRepository or an
    OCIRepository; None when its chart needs no pull (a path in the repository)."""
    want = release_chart(hr, objects)
    return None if want is None else pull_want(want, cache_dir)


def pull_for_application(app: dict[str, Any], cache_dir: Path, *, file: str | None = None) -> list[Path]:
    """Pull every Helm-repository or OCI chart of an Argo CD Application into the cache;
    returns the archives (none for sources that are paths)."""
    wants = application_charts(app, file=file)
    return list(dict.fromkeys(pull_want(want, cache_dir) for want in wants))


# ----------------------------------------------------------------------------------------
# The whole fleet
# ----------------------------------------------------------------------------------------


def unique_wants(wants: Iterable[ChartWant]) -> list[ChartWant]:
    """Sorted, one entry per (cache key, chart, constraint, URL, OCI); the first origin kept."""
    seen: dict[tuple[Any, ...], ChartWant] = {}
    for want in sorted(wants, key=lambda w: (w.cache_key, w.chart, w.constraint, w.repo_url, w.oci, w.origin)):
        seen.setdefault((want.cache_key, want.chart, want.constraint, want.repo_url, want.oci), want)
    return list(seen.values())


def dependency_wants(fs: Any, chart_path: str, origin: str) -> list[ChartWant]:
    """The http(s)/OCI dependencies missing from the charts/ of a chart in the repository,
    as the render will look them up in the chart cache."""
    from ..core.errors import SluiceError
    from ..core.fs import join
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


def release_dependencies(fs: Any, hr: dict[str, Any], objects: ObjectLookup) -> list[ChartWant]:
    """`dependency_wants` of a HelmRelease whose chart is a path in the repository
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
    return dependency_wants(fs, str(template["chart"]), f"HelmRelease {ns}/{meta.get('name')}")


def pull_release_dependencies(fs: Any, hr: dict[str, Any], objects: ObjectLookup, cache_dir: Path) -> list[Path]:
    """For a HelmRelease whose chart is a path in the repository: pull the dependencies its
    charts/ misses."""
    wants = unique_wants(release_dependencies(fs, hr, objects))
    return sorted({pull_want(w, cache_dir) for w in wants})


MAX_PULL_ROUNDS = 5
