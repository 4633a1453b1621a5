"""`sluice verify --changed`: render only the targets whose inputs changed.

The plan comes from the index when its discovery record still holds (plancache.py: an
edit to a file discovery only screened re-plans nothing; one to a file only Flux builds
read plans the Flux targets alone again), else from discovery, which is then recorded.
Every target renders alone, through one RepoFS and one set of renderers (bases memoised
across targets, one Helm engine); `RepoFS.scope()` collects what each read, the shapes of
the tree it saw included (a directory's entries: a file added there is a change), and
memoised builds replay what they read, so a target's reads are exactly its inputs. Added
to them: the Application's file, the cluster Secret's file, `sluice.yaml`, its
AppProject's file, and every file of each chart it used (Helm reads them itself) with its
`file://` dependencies. They are kept in `.sluice/` (index.py; the directory ignores
itself) with a digest of the context every render shares (the chart cache's archives,
the sluice version, the loaded configuration).

A Flux cluster directory is built Kustomization by Kustomization through a memo kept in
the index (renderer/flux/memo.py): an edit rebuilds the Kustomizations whose inputs it
touched, and a Flux target's reads are those of its own build and of the builds it
depends on (the one defining it, those whose objects it looked up), not the whole tree.

A target is rendered again when it has no record, when its planned form changed (what an
ApplicationSet generated from files only the generator reads), when the shared context
changed, when one of its reads differs from HEAD (`git status`: staged, unstaged,
untracked) or from its recorded digest (the index is older than HEAD), or, for a Flux
target, when its Kustomization's objects differ from those it was last checked with (an
object it looks up now comes from elsewhere). A cold or invalid index renders every
target as a full verify does (in its worker processes for a big fleet), recording the
reads on the way. An index git tracks came with the repository and is ignored.
Limitations: CRDs of Argo CD targets not rendered are unknown to the scope and schema
checks of the rendered ones (a custom resource of a cluster-scoped CRD rendered by another
Application gets checked as namespaced; its kind is reported as unknown); a Flux target
sees the CRDs of its whole tree (before HelmRelease inflation). A Kustomization depends
on every file its parent read, so an edit to a cluster directory's own files re-checks
every Kustomization that directory defines.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import posixpath
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from ..core.errors import SluiceError
from ..core.fs import KIND, LISTING, RepoFS, is_shape_key, join
from ..core.resource import bodies
from ..fleet.bundle import AppBundle
from ..fleet.config import CONFIG_FILE
from ..fleet.discover import FleetPlan, Target
from ..flux.memo import KsMemo, objects_digest
from .gitstatus import WorkTree, start_work_tree
from .index import CACHE_DIR, INDEX_FILE, PLAN_FILE, READS_FILE, Index, TargetRecord, load_index, save_index
from .plancache import plan_digest, target_key
from .policy import Project
from .tree import Digests, Tree

__all__ = ["CACHE_DIR", "READS_FILE", "HookState", "plan_changed", "render_changed", "target_key"]


def context_digest(chart_cache: str | os.PathLike[str] | None, config: str = "") -> str:
    """What every render shares beyond the repository: the chart cache's archives (name,
    size, mtime; pulling a chart changes it), sluice's version and the loaded configuration
    (`config`, a digest: command-line overrides, the substitutionsFile's values)."""
    from ..core.version import __version__

    parts = [__version__, config]
    if chart_cache:
        base = Path(chart_cache)
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            if path.is_file():
                stat = path.stat()
                parts.append(f"{path.relative_to(base).as_posix()}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


@dataclasses.dataclass
class HookState:
    """One hook run's view of the index: what was saved, the digests (computed once), what
    git says, the Flux memo, and the discovery record to save (see plancache.py)."""

    index: Index
    digests: Digests
    work_tree: WorkTree | None
    memo: KsMemo
    context: str
    discovery: dict[str, Any] | None
    crd_files: list[str]
    project_files: list[str]
    planned: frozenset[str] = frozenset()  # every target of the plan (before --cluster/--app)
    plan_digests: dict[str, str] = dataclasses.field(default_factory=dict)  # kept with the plan
    trees: frozenset[str] = frozenset()  # the memo's names of the plan's Flux trees (likewise)
    dirty: set[int] | None = None  # index entries that changed (computed once)

    def plan_digest(self, target: Target) -> str:
        found = self.plan_digests.get(target_key(target))
        return found if found is not None else plan_digest(target)

    def changed_entries(self) -> set[int]:
        if self.dirty is None:
            self.dirty = self.index.dirty(self.digests, self.work_tree)
        return self.dirty


def _fresh(digests: Digests) -> Callable[[Mapping[str, str | None]], bool]:
    return lambda reads: all(digests(p) == d for p, d in reads.items())


def plan_changed(root: Path, make_config: Callable[[RepoFS], Any], *,
                 chart_cache: str | os.PathLike[str] | None = None) -> tuple[RepoFS, FleetPlan, HookState]:
    """The plan, from the index when its discovery record still holds, else discovered (and
    recorded). `make_config` loads the configuration through the given view."""
    from ..fleet.discover import discover
    from . import plancache
    from .policy import project_files
    from .repo_crds import crd_files

    asked = start_work_tree(root, (INDEX_FILE, PLAN_FILE))  # git answers while the index loads
    index = load_index(root)
    digests = Digests(root, Tree(root), known=index.known)  # the scan, while git runs
    fs = RepoFS(root)
    config = make_config(fs)
    context = context_digest(chart_cache, plancache.config_digest(config))
    tree = asked()
    if tree is not None and tree.tracked_index:  # it came with the repository: never trusted
        index = Index()
        digests = Digests(root, digests.tree)
    if index.context != context:
        index = dataclasses.replace(index, targets={}, flux={}, paths=[], sums=[])
    if index.discovery_context != context:
        index.discovery = None
    memo = KsMemo(index.flux, fresh=_fresh(digests), complete=lambda reads: _with_charts(root, fs, reads, digests))
    state = HookState(index, digests, tree, memo, context, None, [], [])
    state.changed_entries()  # every recorded digest checked at once (discovery's among them)
    kept = plancache.reuse(root, index.discovery, config, digests)
    discovery = index.discovery
    if kept is not None and kept.flux_stale:
        kept, discovery = _replan_flux(fs, kept, discovery, memo)
    digests_kept: dict[str, str] = {}
    if kept is not None:
        plan, crds, projects, digests_kept = kept.plan, kept.crds, kept.projects, kept.digests
    else:
        parts: dict[str, Any] = {}
        plan = discover(fs, config, skip=[], flux_memo=memo, parts=parts)
        crds = crd_files(fs)
        projects = project_files(fs, skip=plan.skip_dirs, exclude=config.exclude, where=config.applications)
        discovery = plancache.record(digests.tree, fs, plan, crds, projects, parts)
        if discovery is not None:
            digests_kept = dict(zip((target_key(t) for t in plan.targets), discovery["digests"]))
    flux_dirs = {t.source.path for t in plan.targets if t.source.type == "flux"}
    state = dataclasses.replace(state, discovery=discovery, crd_files=crds, project_files=projects,
                                planned=frozenset(target_key(t) for t in plan.targets), plan_digests=digests_kept,
                                trees=frozenset(flux_dirs | {_flux_tree_name(plan, d) for d in flux_dirs}))
    return fs, plan, state


def _replan_flux(fs: RepoFS, kept: Any, record: dict[str, Any] | None,
                 memo: KsMemo) -> tuple[Any, dict[str, Any] | None]:
    """The kept plan with its Flux targets planned again (only files its Flux part alone
    read changed) and the record to keep; (None, None) when that cannot stand for a
    discovery (no target left: discovery says why)."""
    from ..fleet.discover import check_locations
    from ..fleet.flux import flux_directories, flux_targets
    from . import plancache

    assert record is not None
    plan = kept.plan
    notes = list(plan.notes[:kept.flux_notes])
    with fs.scope() as read:
        directories = kept.flux_dirs
        with fs.scope() as finding:
            if directories is None:  # what finding them read changed: found again
                directories = flux_directories(fs, plan.config, plan.skip_dirs)
        flux = flux_targets(fs, plan.config, plan.skip_dirs, notes, memo=memo, directories=directories)
    targets = [t for t in plan.targets if t.source.type != "flux"] + flux
    if not targets:
        return None, None
    check_locations(targets)
    plan = dataclasses.replace(plan, targets=tuple(sorted(targets, key=lambda t: (t.cluster, t.app_dir))),
                               notes=tuple(notes))
    encoded = plancache.encode_plan(plan)
    if encoded is None:
        return None, None
    kept_found = set(record["flux_found"]) if kept.flux_dirs is not None else set()  # unchanged: still holds
    before = set(record["flux"]) - kept_found
    reads = {p: d for p, d in record["reads"].items() if p not in before}
    flux_only = {p: d for p, d in read.items() if p not in reads and not is_shape_key(p)}
    found = kept_found | {p for p in finding if p in flux_only}
    digests = {target_key(t): plan_digest(t) for t in plan.targets}
    record = {**record, "reads": dict(sorted({**reads, **flux_only}.items())), "plan": encoded,
              "digests": list(digests.values()), "flux": sorted({*flux_only, *found}), "flux_dirs": directories,
              "flux_found": sorted(found)}
    return dataclasses.replace(kept, plan=plan, digests=digests, flux_stale=False), record


def _project_file(fs: RepoFS, target: Target, projects: dict[str, Project], plan: FleetPlan) -> str | None:
    from . import _app_project_and_repo

    name, _ = _app_project_and_repo(fs, target, plan)
    project = projects.get(name) if name is not None else None
    return project.file if project else None


def _chart_roots(fs: RepoFS, reads: Mapping[str, str | None], targets: Iterable[Target]) -> set[str]:
    """Chart directories a render used: those of recorded Chart.yaml files and source paths
    that are charts, with their `file://` dependencies (Helm reads their files itself)."""
    todo = [p[:-len("/Chart.yaml")] if p != "Chart.yaml" else "." for p in reads if p.endswith("Chart.yaml")
            and (p == "Chart.yaml" or p.endswith("/Chart.yaml"))]
    for target in targets:
        for spec in (target.source, *target.extra_sources):
            if spec.type in ("auto", "helm") and not getattr(spec, "repo", "") and spec.path:
                path = posixpath.normpath(spec.path)
                if reads.get(KIND + join(path, "Chart.yaml"), "f") is not None:  # unless seen absent
                    todo.append(path)
    roots: set[str] = set()
    while todo:
        root = todo.pop()
        if root in roots or root.startswith("../") or not os.path.isfile(os.path.join(fs.root, root, "Chart.yaml")):
            continue
        roots.add(root)
        try:
            docs = fs.load_yaml(join(root, "Chart.yaml"), dialect="config")
        except SluiceError:
            continue
        chart = docs[0][0] if docs and isinstance(docs[0][0], dict) else {}
        for dep in chart.get("dependencies") or []:
            repo = str((dep or {}).get("repository") or "") if isinstance(dep, dict) else ""
            if repo.startswith("file://"):
                todo.append(join(root, repo[len("file://"):]))
    return roots


def _with_charts(root: Path, fs: RepoFS, reads: Mapping[str, str | None], digests: Digests,
                 targets: Iterable[Target] = ()) -> dict[str, str | None]:
    """`reads` with every file and directory listing of the charts they used, and the
    digest of each shape of the tree they saw."""
    out: dict[str, str | None] = {}
    for path, digest in reads.items():
        if is_shape_key(path):
            if path.startswith(KIND) and reads.get(path[len(KIND):]) is not None:
                continue  # a file read: its digest says what it is
            if digest is None:
                digest = digests(path)
        out[path] = digest
    for chart in sorted(_chart_roots(fs, reads, targets)):
        for dirpath, dirnames, filenames in os.walk(root / chart):
            dirnames.sort()
            rel = Path(dirpath).relative_to(root).as_posix()
            out.setdefault(LISTING + rel, digests(LISTING + rel))
            for name in sorted(filenames):
                path = f"{rel}/{name}" if rel != "." else name
                out.setdefault(path, digests(path))
    return out


@dataclasses.dataclass
class _Selection:
    targets: list[Target]
    outs: dict[str, str | None]  # Flux targets: digest of their Kustomization's objects now
    trees: list[str]  # Flux cluster directories built in this run


def _flux_tree_name(plan: FleetPlan, directory: str) -> str:
    from ..argo.sources import flux_memo_tree

    resolver = plan.config.substitutions.resolver(posixpath.basename(directory))
    return flux_memo_tree(directory, resolver is not None)


def _select(plan: FleetPlan, state: HookState, shared: Any) -> _Selection:
    """The targets to render: any whose record no longer holds, and any Flux target whose
    Kustomization's objects differ from those it was checked with."""
    dirty = state.changed_entries()
    records = state.index.targets

    def stale(target: Target) -> bool:
        rec = records.get(target_key(target))
        return rec is None or rec.plan != state.plan_digest(target) or not dirty.isdisjoint(rec.reads)

    chosen = {target_key(t) for t in plan.targets if stale(t)}
    trees: dict[str, list[Target]] = {}
    for target in plan.targets:
        if target.source.type == "flux" and not target.source.repo:
            trees.setdefault(target.source.path, []).append(target)
    outs: dict[str, str | None] = {}
    built: list[str] = []
    for directory, members in trees.items():
        name = _flux_tree_name(plan, directory)
        kept = state.memo.records.get(name)
        fresh = bool(kept) and all(state.memo.fresh(b.reads) for b in kept.values())
        objects = None
        if not fresh or any(target_key(t) in chosen for t in members):
            objects = shared.dry.flux_tree(directory)
            built.append(directory)
        now = state.memo.records.get(name, {})
        for target in members:
            key = target_key(target)
            build = now.get(target.source.app_name)
            if build is not None:
                outs[key] = build.out
            elif objects is not None:  # not kept in the memo (out of reach, not plain JSON): as built now
                found = objects.get(target.source.app_name)
                outs[key] = objects_digest(bodies(found)) if isinstance(found, list) else "unreached"
            else:  # an unchanged tree: what it was
                outs[key] = records[key].out if key in records else None
            rec = records.get(key)
            if rec is None or outs[key] is None or rec.out != outs[key]:
                chosen.add(key)
    return _Selection([t for t in plan.targets if target_key(t) in chosen], outs, built)


def render_changed(
    root: Path,
    fs: RepoFS,
    plan: FleetPlan,
    projects: dict[str, Project],
    *,
    progress: Callable[[str], None] | None = None,
    chart_cache: str | os.PathLike[str] | None = None,
    state: HookState,
    jobs: int = 1,
    notes: list[str] | None = None,
) -> tuple[list[tuple[Target, AppBundle]], list[str], dict[str, list[dict[str, Any]]]]:
    """Render the targets whose inputs changed, each with its own read scope over shared
    renderers (in `jobs` worker processes when a full verify would use them: the same
    render, its reads recorded); update the index. Returns (rendered (target, bundle)
    pairs, each target once; keys of the targets skipped; per cluster, the objects of the
    Flux trees built, for the checks' CRDs). What the renders left out (or noted) beyond
    the plan's notes is appended to `notes`, once each, as a full verify says it."""
    from ..fleet.inflate import kept_summary
    from ..fleet.pipeline import repo_renderers

    shared = repo_renderers(fs, plan, chart_cache=chart_cache, flux_memo=state.memo)
    selection = _select(plan, state, shared)
    chosen = {target_key(t) for t in selection.targets}
    skipped = [target_key(t) for t in plan.targets if target_key(t) not in chosen]
    records = {k: v for k, v in state.index.targets.items() if k in state.planned}
    said: list[str] = []
    rendered = _in_workers(root, fs, plan, selection.targets, chart_cache, jobs, progress, said)
    if rendered is None:
        said.clear()
        rendered = _in_process(fs, plan, selection.targets, chart_cache, shared, progress, said)
        kept = kept_summary(shared.kept(), chart_cache)  # the kept-HelmReleases line of every target: said once
        said += [kept] if kept is not None else []
    if notes is not None:
        notes.extend(n for n in dict.fromkeys(said) if n not in plan.notes and n not in notes)
    pairs: list[tuple[Target, AppBundle]] = []
    seen: set[str] = set()
    fresh_reads: dict[str, dict[str, str | None]] = {}
    clusters = {c.name: c for c in plan.clusters}
    for target, apps, own in rendered:
        for app in apps:  # the target, and its children (app of apps)
            key = target_key(app.target)
            if key in seen or (key in state.planned and key != target_key(target)):
                continue  # a child that is also a target of its own is checked as that target
            seen.add(key)
            pairs.append((app.target, app))
        reads = _with_charts(root, fs, own, state.digests, [target])
        for path in (target.origin, CONFIG_FILE, _project_file(fs, target, projects, plan),
                     getattr(clusters.get(target.cluster), "origin", None)):
            if path and path not in reads:
                sha = fs.reads[path] if path in fs.reads else state.digests(path)  # discovery read most
                if sha is not None:
                    reads[path] = sha
        fresh_reads[target_key(target)] = reads
    _save(root, fs, plan, state, records, fresh_reads, selection)
    objects: dict[str, list[dict[str, Any]]] = {}
    for directory in selection.trees:
        cluster = posixpath.basename(directory)
        for found in shared.dry.flux_tree(directory).values():
            if isinstance(found, list):
                objects.setdefault(cluster, []).extend(bodies(found))
    return pairs, skipped, objects


_Rendered = list[tuple[Target, list[AppBundle], Mapping[str, str | None]]]  # per target: its bundles, its reads


def _in_process(fs: RepoFS, plan: FleetPlan, targets: list[Target], chart_cache: str | os.PathLike[str] | None,
                shared: Any, progress: Callable[[str], None] | None, notes: list[str]) -> _Rendered:
    from ..fleet.inflate import kept_summary
    from ..fleet.pipeline import render_plan

    out: _Rendered = []
    for done, target in enumerate(targets, start=1):
        if progress:
            progress(f"rendering {target_key(target)} ({done}/{len(targets)})")
        with fs.scope() as own:  # the target's reads, memoised builds it shares with others included
            bundles = render_plan(fs, dataclasses.replace(plan, targets=(target,)), chart_cache=chart_cache,
                                  renderers=shared)
        kept = kept_summary(shared.kept(), chart_cache)  # sums up every target so far: the caller says it once
        notes.extend(n for n in bundles.notes if n != kept)
        out.append((target, list(bundles.apps), own))
    return out


def _in_workers(root: Path, fs: RepoFS, plan: FleetPlan, targets: list[Target],
                chart_cache: str | os.PathLike[str] | None, jobs: int,
                progress: Callable[[str], None] | None, notes: list[str]) -> _Rendered | None:
    """The render a full verify makes in worker processes, each target's reads recorded;
    None when it would render in this process, or could not split (an app of apps), or
    holds Flux trees (built here, through the memo)."""
    from ..fleet.jobs import jobs_for

    jobs = jobs_for(jobs, len(targets))
    if jobs <= 1 or any(t.source.type == "flux" for t in targets):
        return None
    from ..fleet.workers import render_units

    if progress:
        progress(f"rendering {len(targets)} targets")
    done = render_units(root, fs, dataclasses.replace(plan, targets=tuple(targets)), jobs=jobs,
                        chart_cache=chart_cache, record_reads=True)
    if done.reads is None or set(done.reads) != {target_key(t) for t in targets}:
        return None
    notes.extend(done.bundles.notes)
    apps: dict[str, list[AppBundle]] = {}
    for app in done.bundles.apps:
        apps.setdefault(target_key(app.target), []).append(app)
    return [(t, apps.get(target_key(t), []), done.reads[target_key(t)]) for t in targets]


def _save(root: Path, fs: RepoFS, plan: FleetPlan, state: HookState, records: dict[str, TargetRecord],
          fresh_reads: dict[str, dict[str, str | None]], selection: _Selection) -> None:
    """The index with the new records (reads in place of entry numbers for them)."""
    index = state.index
    for path, digest in fs.reads.items():
        if digest is not None:
            state.digests.settle(path, digest)
    merged = Index(state.context, list(index.paths), list(index.sums), targets=dict(records))
    targets = {target_key(t): t for t in plan.targets}
    for key, reads in fresh_reads.items():
        first = len(merged.paths)
        merged.paths.extend(reads)
        merged.sums.extend(reads.values())
        merged.targets[key] = TargetRecord(state.plan_digest(targets[key]), tuple(range(first, len(merged.paths))),
                                           selection.outs.get(key))
    merged.discovery = state.discovery
    merged.flux = {name: builds for name, builds in state.memo.finished().items() if name in state.trees}
    rediscovered = state.discovery is not index.discovery
    if (fresh_reads or merged.flux != index.flux or rediscovered or index.context != state.context
            or set(records) != set(index.targets) or state.digests.settled_new()):
        save_index(root, merged, state.digests, discovery=rediscovered or state.digests.settled_new())
