"""What `sluice get` lists: the fleet as discovery sees it (targets, clusters, the sources
they read, what is left out), without rendering anything, so that it answers in the time
discovery takes. Children of an app of apps appear only once their parent renders, so
they are not listed here."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..core.errors import InputError
from ..core.fs import RepoFS
from ..core.notes import NotRendered, Skipped
from .config import load_config, with_repositories
from .discover import FleetPlan, Target, discover

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FleetListing:
    targets: tuple[Row, ...]
    clusters: tuple[Row, ...]
    sources: tuple[Row, ...]
    skipped: tuple[Row, ...]

    def table(self, what: str) -> tuple[Row, ...]:
        return {"targets": self.targets, "clusters": self.clusters, "sources": self.sources, "skipped": self.skipped}[what]


def _source_kind(target: Target) -> str:
    """The source type as written or implied (`auto`: kustomize, Helm chart or plain YAML,
    decided when the directory is read)."""
    return "helm-repo" if target.source.chart else target.source.type


def _sources(target: Target) -> list[Row]:
    rows = []
    for spec in (target.source, *target.extra_sources):
        rows.append({
            "repository": spec.repo or "(this repository)",
            "path": spec.path,
            "chart": f"{spec.chart}@{spec.chart_version}" if spec.chart else "",
            "chartRepository": spec.chart_repo,
        })
    return rows


def _reason(note: str) -> str:
    """Why a note is listed: something out of reach, something deliberately not rendered, or
    plain information (detected Flux cluster directories, an ApplicationSet that generates nothing)."""
    if isinstance(note, Skipped):
        return "out of reach"
    return "not rendered" if isinstance(note, NotRendered) else "note"


def listing_of(plan: FleetPlan) -> FleetListing:
    """The plan as rows: plain data for a table or JSON."""
    targets = tuple({
        "cluster": t.cluster, "app": t.app, "appDir": t.app_dir, "branch": t.branch, "namespace": t.namespace or "",
        "source": t.source.path, "kind": _source_kind(t), "origin": t.where, "generatedBy": t.generated_by,
    } for t in plan.targets)
    used: dict[str, int] = {}
    for t in plan.targets:
        used[t.cluster] = used.get(t.cluster, 0) + 1
    declared = {c.name for c in plan.clusters}
    rows = [{
        "cluster": c.name, "server": c.server, "kubeVersion": c.kube_version or plan.config.kube_version,
        "targets": used.get(c.name, 0), "origin": (f"{c.origin}:{c.line}" if c.line else c.origin) or "(implicit in-cluster)",
    } for c in plan.clusters]
    # a Flux cluster directory is a cluster of its own, known by its directory, not by an Argo CD Secret
    for name in sorted(set(used) - declared):
        origins = sorted({t.where for t in plan.targets if t.cluster == name})
        rows.append({"cluster": name, "server": "", "kubeVersion": plan.config.kube_version, "targets": used[name],
                     "origin": ", ".join(origins)})
    clusters = tuple(sorted(rows, key=lambda r: r["cluster"]))
    seen: dict[tuple[str, str, str], Row] = {}
    for t in plan.targets:
        for row in _sources(t):
            key = (row["repository"], row["path"], row["chart"])
            entry = seen.setdefault(key, {**row, "targets": 0})
            entry["targets"] += 1
    sources = tuple(seen[k] for k in sorted(seen))
    skipped = tuple({"reason": _reason(n), "message": str(n)} for n in plan.notes)
    return FleetListing(targets, clusters, sources, skipped)


def list_fleet(root: str | os.PathLike[str], *, repositories: dict[str, str] | None = None,
               allowed_roots: Sequence[str] = (), select: Any = None) -> FleetListing:
    """Discover the fleet at `root` (as `sluice render` would) and list it; `select`
    (fleet.select.TargetFilter) narrows targets and clusters."""
    path = Path(root).resolve()
    if not path.is_dir():
        raise InputError(f"repository directory not found: {root}")
    fs = RepoFS(path)
    config = load_config(fs, granted=[*allowed_roots, *(repositories or {}).values()],
                         overridden=(repositories or {}).keys())
    if repositories:
        config = with_repositories(config, repositories)
    plan = discover(fs, config)
    if select:
        from .select import narrow

        plan = narrow(plan, select)
        plan = dataclasses.replace(plan, clusters=tuple(c for c in plan.clusters if select.matches_cluster(c.name)))
    return listing_of(plan)
