"""Filling the chart cache for a whole fleet (`sluice helm pull --fleet`): every chart a
render of the repository would read from the cache, found by planning the fleet (app of
apps included), then pulled through Helm. A fleet operation, so it lives above the Helm
engine, which knows nothing of fleets."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..helm.cachekey import chart_cache_key
from ..helm.repository import (
    MAX_PULL_ROUNDS,
    ChartWant,
    dependency_wants,
    is_http_url,
    pull_want,
    release_dependencies,
    unique_wants,
    release_chart,
)


@dataclass(frozen=True)
class FleetPull:
    pulled: tuple[Path, ...]  # sorted, each once
    failed: tuple[tuple[ChartWant, str], ...]  # what Helm could not pull, and why


def fleet_charts(fs: Any, cache_dir: Path | None = None) -> list[ChartWant]:
    """Every chart a render of the repository reads from the chart cache: the Helm-repository
    chart sources of the fleet's Applications, the charts of the HelmReleases in the
    repository that come from a HelmRepository (or an OCIRepository), and the http(s)/OCI
    dependencies missing from the charts/ of the charts in the repository (Argo CD chart
    paths, HelmRelease GitRepository charts); sorted, each once."""
    from .config import load_config
    from .discover import discover
    from ..kustomize import find_kustomization
    from ..helm.release import is_helmrelease, iter_repo_objects, objects_resolver

    from ..core.errors import NothingFound

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
                repo_url=spec.chart_repo, oci=not is_http_url(spec.chart_repo),
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
                wants.extend(release_dependencies(fs, obj, lookup))
    for target in targets:
        for spec in (target.source, *target.extra_sources):
            if spec.type == "auto" and find_kustomization(fs, spec.path) is not None:
                continue  # a kustomization renders, not the chart beside it
            if spec.type in ("helm", "auto") and not getattr(spec, "repo", ""):
                wants.extend(dependency_wants(fs, spec.path, f"Application {target.app} {spec.field} ({target.origin})"))
    return unique_wants(wants)


def _all_targets(fs: Any, plan: Any, cache_dir: Path | None) -> list[Any]:
    """The plan's targets and the Applications their renders generate (app of apps), as far
    as the charts in the cache let the render see; the plan's alone if the render fails."""
    from ..core.errors import SluiceError
    from .pipeline import every_target

    try:
        return every_target(fs, plan, chart_cache=cache_dir if cache_dir is not None and cache_dir.is_dir() else None)
    except SluiceError:
        return list(plan.targets)


def pull_fleet(fs: Any, cache_dir: Path) -> FleetPull:
    """Pull every chart `fleet_charts` finds (charts, and the dependencies missing from the
    charts/ of charts in the repository); one that fails does not stop the others."""
    pulled: set[Path] = set()
    failed: dict[ChartWant, str] = {}
    done: set[ChartWant] = set()
    for _round in range(MAX_PULL_ROUNDS):
        # a pulled chart can render Applications that need more charts (app of apps): again
        wants = [w for w in fleet_charts(fs, cache_dir) if w not in done]
        if not wants:
            break
        for want in wants:
            done.add(want)
            try:
                pulled.add(pull_want(want, cache_dir))
            except InputError as exc:
                failed[want] = exc.message
    return FleetPull(pulled=tuple(sorted(pulled)), failed=tuple(failed.items()))
