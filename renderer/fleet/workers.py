"""Render a fleet plan in worker processes, through a cache, or one shard of it.

The plan is cut into units (one Application target, or one Flux cluster directory's
Kustomizations together), units into chunks grouped by cluster; each worker keeps one
set of renderers for every chunk it takes, so a shared base is built at most once per
worker. A worker renders its chunk's units, scopes namespaces with the CRDs its chunk
rendered, and returns the bundles with the facts that scoping used; the parent merges
units in plan order, which gives the bytes and order of a single-process render. Two
cases a split render cannot reproduce fall back to `render_plan` in one process: an app
of apps (a unit rendering further Applications) and a kind namespaced in one chunk but
declared cluster-scoped by a CRD of another chunk of the same cluster.

With a cache, a unit whose key (plan, options, versions) and recorded inputs match a
verified entry costs a lookup; a unit rendered anew is rendered with its own read log
(parsed files are still shared) so its inputs are exactly what it read.
"""
from __future__ import annotations

import dataclasses
import glob
import multiprocessing
import os
import posixpath
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..core import errors as sluice_errors
from ..core.errors import SluiceError
from ..core.fs import RepoFS, join
from ..core.notes import Skipped
from ..core.resource import Origin, split_api_version
from .bundle import MANIFEST, AppBundle, Bundles
from .cache import FileDigests, RenderCache, digest_json
from .discover import FleetPlan, Target
from .inflate import KeptRelease, kept_summary
from .pipeline import (
    ScopeTable,
    TargetRender,
    _RepoRenderers,
    _render_targets,
    app_bundle,
    finalize_target,
    ownership_warnings,
    render_plan,
)
from .shards import Shard, scope_conflict, shard_of

CHUNKS_PER_JOB = 4  # more chunks than workers evens out their load


# below this many targets, starting worker processes costs more than it saves (measured:
# the 8-target demo fleet takes 0.5 s in one process, 1.3 s with two workers)
AUTO_PARALLEL_MIN_TARGETS = 400


def jobs_for(requested: int, targets: int) -> int:
    """`--jobs` as given, or (0, the default) the machine's cores once the fleet is big
    enough for workers to pay for their start."""
    if requested > 0:
        return requested
    return default_jobs() if targets >= AUTO_PARALLEL_MIN_TARGETS else 1


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def unit_key(target: Target) -> str:
    """A unit's identity (cluster and app), stable when other targets come and go."""
    if target.source.type == "flux":
        return f"{target.cluster}/flux:{target.source.path}"
    return f"{target.cluster}/{target.app_dir}"


def plan_units(plan: FleetPlan) -> list[tuple[str, tuple[Target, ...]]]:
    """The plan's targets in render units, in plan order."""
    units: dict[str, list[Target]] = {}
    for target in plan.targets:
        units.setdefault(unit_key(target), []).append(target)
    return [(key, tuple(targets)) for key, targets in units.items()]


def shard_plan_digest(plan: FleetPlan, salt: str) -> str:
    """What every shard of one render agrees on: the units of the whole plan, the options
    and versions (not the output directory, which differs per shard)."""
    return digest_json([salt, [key for key, _ in plan_units(plan)]])


@dataclass(frozen=True)
class Job:
    """What every worker needs, sent once per worker."""

    root: str
    plan: FleetPlan
    units: tuple[tuple[str, tuple[Target, ...]], ...]
    dry_sha: str | None
    repo_url: str | None
    commands: tuple[str, ...]
    build_options: Any
    chart_cache: str | None
    cache_dir: str | None
    salt: str


@dataclass
class UnitResult:
    index: int
    apps: list[AppBundle]
    kinds: list[str] = field(default_factory=list)  # each app's source kind (its README says it)
    notes: list[str] = field(default_factory=list)
    kept: list[KeptRelease] = field(default_factory=list)
    unreached: list[str] = field(default_factory=list)  # app dirs left out as out of reach
    crds: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # cluster -> cluster-scoped CRD kinds
    namespaced: list[tuple[str, str, str, str]] = field(default_factory=list)  # (cluster, app dir, group, kind)
    children: bool = False
    cached: bool = False


@dataclass
class ChunkResult:
    units: list[UnitResult]
    error: tuple[int, int, str, str, str | None, int | None] | None = None  # (phase, unit, class, message, file, line)


class SharedParseFS(RepoFS):
    """A RepoFS with its own read log over parse caches shared by a worker's units: a file
    parsed for one unit is served to the next, and still logged as that unit's input."""

    def __init__(self, root: str, shared: dict[str, Any]) -> None:
        super().__init__(root)
        self._text_cache = shared["text"]
        self._yaml_cache = shared["yaml"]
        self._digests: dict[str, str | None] = shared["digests"]

    def read_bytes(self, path: str) -> bytes:
        data = super().read_bytes(path)
        self._digests[path] = self.reads[path]
        return data

    def read_text(self, path: str) -> str:
        """The shared text cache holds (text, digest): RepoFS records the read from it."""
        text = super().read_text(path)
        self._digests[path] = self.reads[path]
        return text

    def load_yaml(self, path: str, *, dialect: str = "resource") -> list[tuple[Any, int]]:
        if (path, dialect) in self._yaml_cache and path in self._digests:
            self._check_real(path, path, None)
            self.reads[path] = self._digests[path]
        return super().load_yaml(path, dialect=dialect)


_JOB: Job | None = None
_STATE: dict[str, Any] = {}


def _init(job: Job) -> None:
    global _JOB
    _JOB = job
    _STATE.clear()


def _shared_renderers(job: Job) -> tuple[RepoFS, _RepoRenderers]:
    if "repos" not in _STATE:
        fs = RepoFS(job.root)
        _STATE["repos"] = (fs, _RepoRenderers(fs, job.plan, job.build_options, job.chart_cache))
    return _STATE["repos"]  # type: ignore[no-any-return]


def _cacheable(targets: Iterable[Target]) -> bool:
    """Units reading only the dry repository: reads of other checkouts are not logged here."""
    return all(not getattr(spec, "repo", "") for t in targets for spec in (t.source, *t.extra_sources))


def _render_raw(job: Job, targets: tuple[Target, ...], own: bool) -> tuple[list[TargetRender], list[str], list[KeptRelease], list[Target], RepoFS]:
    if own:
        shared = _STATE.setdefault("parse", {"text": {}, "yaml": {}, "digests": {}})
        fs: RepoFS = SharedParseFS(job.root, shared)
        repos = _RepoRenderers(fs, job.plan, job.build_options, job.chart_cache)
    else:
        fs, repos = _shared_renderers(job)
    before = len(repos.kept())
    notes: list[str] = []
    unreached: list[Target] = []
    rendered = _render_targets(fs, dataclasses.replace(job.plan, targets=targets), repos, notes, unreached=unreached)
    kept_all = repos.kept()
    if kept_all and notes and notes[-1] == kept_summary(kept_all, job.chart_cache):
        notes.pop()  # the whole render's summary is made once, by the parent
    return rendered, notes, kept_all[before:], unreached, fs


def _crd_kinds(resources: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    table = ScopeTable()
    table.exact = set()
    table.add_crds(resources)
    return sorted(table.exact)


def _namespaced(target: Target, resources: Iterable[dict[str, Any]], scopes: ScopeTable) -> set[tuple[str, str]]:
    """Kinds that got the destination namespace because they were taken as namespaced."""
    if not target.namespace:
        return set()
    out = set()
    for body in resources:
        meta = body.get("metadata")
        if isinstance(meta, dict) and meta.get("namespace"):
            continue
        if not scopes.cluster_scoped(body):
            out.add((split_api_version(str(body.get("apiVersion") or ""))[0], str(body.get("kind") or "")))
    return out


def _chart_inputs(fs: RepoFS, reads: Iterable[str], root: Path) -> Iterable[str]:
    """Every file of the charts a unit read (Helm reads them itself, past the read log)."""
    todo = [posixpath.dirname(p) or "." for p in reads if posixpath.basename(p) == "Chart.yaml"]
    seen: set[str] = set()
    while todo:
        chart = todo.pop()
        if chart in seen or chart.startswith("../") or not fs.is_file(join(chart, "Chart.yaml")):
            continue
        seen.add(chart)
        for dirpath, dirnames, filenames in os.walk(root / chart):
            dirnames.sort()
            rel = Path(dirpath).relative_to(root).as_posix()
            for name in sorted(filenames):
                yield f"{rel}/{name}" if rel != "." else name
        try:
            docs = fs.load_yaml(join(chart, "Chart.yaml"), dialect="config")
        except SluiceError:
            continue
        meta = docs[0][0] if docs and isinstance(docs[0][0], dict) else {}
        for dep in meta.get("dependencies") or []:
            repo = str(dep.get("repository") or "") if isinstance(dep, dict) else ""
            if repo.startswith("file://"):
                todo.append(join(chart, repo[len("file://"):]))


def _payload(result: UnitResult) -> dict[str, Any]:
    return {
        "apps": [{"cluster": a.cluster, "app_dir": a.app_dir, "kind": kind, "manifest": a.files[MANIFEST].decode("utf-8"),
                  "resources": list(a.resources), "origins": [o.to_json() for o in a.origins]}
                 for a, kind in zip(result.apps, result.kinds)],
        "notes": [["skipped" if isinstance(n, Skipped) else "note", str(n)] for n in result.notes],
        "kept": [[k.origin, k.name, k.reason] for k in result.kept],
        "unreached": result.unreached,
        "crds": {c: [list(k) for k in kinds] for c, kinds in result.crds.items()},
        "namespaced": [list(n) for n in result.namespaced],
    }


def _from_payload(job: Job, index: int, targets: tuple[Target, ...], payload: dict[str, Any]) -> UnitResult | None:
    """A unit result from a verified entry; None when it does not fit the unit's targets."""
    by_place = {(t.cluster, t.app_dir): t for t in targets}
    try:
        apps, kinds = [], []
        for item in payload["apps"]:
            target = by_place[(item["cluster"], item["app_dir"])]
            kinds.append(str(item["kind"]))
            origins = [Origin.from_json(o) for o in item["origins"]]
            if len(origins) != len(item["resources"]):
                return None
            apps.append(app_bundle(target, kinds[-1], str(item["manifest"]).encode("utf-8"), list(item["resources"]),
                                   repo_url=job.repo_url, dry_sha=job.dry_sha, commands=job.commands, origins=origins))
        return UnitResult(
            index=index, apps=apps, kinds=kinds,
            notes=[Skipped(text) if kind == "skipped" else str(text) for kind, text in payload["notes"]],
            kept=[KeptRelease(origin=o, name=n, reason=r) for o, n, r in payload["kept"]],
            unreached=[str(d) for d in payload["unreached"]],
            crds={str(c): [(str(g), str(k)) for g, k in kinds] for c, kinds in payload["crds"].items()},
            namespaced=[(str(c), str(d), str(g), str(k)) for c, d, g, k in payload["namespaced"]],
            cached=True,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _unit_key(job: Job, targets: tuple[Target, ...]) -> str:
    return digest_json([job.salt, [repr(t) for t in targets]])


def render_chunk(indices: Sequence[int]) -> ChunkResult:
    """Render some of the job's units (in a worker, or in the parent with --jobs 1)."""
    job = _JOB
    assert job is not None
    cache = RenderCache(job.cache_dir) if job.cache_dir else None
    digests = _STATE.setdefault("digests", FileDigests(Path(job.root)))
    done: list[UnitResult] = []
    raw: dict[int, tuple[list[TargetRender], RepoFS, UnitResult]] = {}
    for index in indices:
        _, targets = job.units[index]
        cacheable = cache is not None and _cacheable(targets)
        if cacheable:
            payload = cache.lookup(_unit_key(job, targets), digests)  # type: ignore[union-attr]
            hit = _from_payload(job, index, targets, payload) if payload is not None else None
            if hit is not None:
                done.append(hit)
                continue
        try:
            rendered, notes, kept, unreached, fs = _render_raw(job, targets, own=cacheable)
        except SluiceError as exc:
            return ChunkResult(done, (0, index, type(exc).__name__, exc.message, exc.file, exc.line))
        result = UnitResult(index=index, apps=[], notes=notes, kept=kept,
                            unreached=[glob.escape(t.app_dir) for t in unreached],
                            children=len(rendered) + len(unreached) > len(targets))
        for target, _, resources, _ in rendered:
            kinds = _crd_kinds(resources)
            if kinds:
                result.crds.setdefault(target.cluster, []).extend(kinds)
        raw[index] = (rendered, fs, result)
        done.append(result)
    tables: dict[str, ScopeTable] = {}
    base = ScopeTable(job.plan.config.cluster_scoped_kinds)
    for result in done:
        for cluster, kinds in result.crds.items():
            tables.setdefault(cluster, base.copy()).exact.update(kinds)
    for index in indices:
        if index not in raw:
            continue
        rendered, fs, result = raw[index]
        try:
            for target, kind, resources, origins in rendered:
                table = tables.get(target.cluster) or base
                result.kinds.append(kind)
                result.apps.append(finalize_target(target, kind, resources, table, repo_url=job.repo_url,
                                                   dry_sha=job.dry_sha, commands=job.commands, origins=origins))
                result.namespaced.extend((target.cluster, target.app_dir, g, k)
                                         for g, k in sorted(_namespaced(target, resources, table)))
        except SluiceError as exc:
            return ChunkResult(done, (1, index, type(exc).__name__, exc.message, exc.file, exc.line))
        _, targets = job.units[index]
        if cache is not None and isinstance(fs, SharedParseFS) and not result.children:
            inputs = dict(fs.reads)
            for path in _chart_inputs(fs, list(inputs), Path(job.root)):
                inputs.setdefault(path, digests(path))
            cache.store(_unit_key(job, targets), inputs, _payload(result))
    return ChunkResult(done)


def _chunks(units: Sequence[tuple[str, tuple[Target, ...]]], selected: Sequence[int], jobs: int) -> list[list[int]]:
    """Selected unit indices grouped by cluster, big clusters cut so that there are about
    CHUNKS_PER_JOB chunks per worker; each chunk in plan order."""
    size = max(1, -(-len(selected) // (jobs * CHUNKS_PER_JOB)))
    by_cluster: dict[str, list[int]] = {}
    for index in selected:
        by_cluster.setdefault(units[index][1][0].cluster, []).append(index)
    chunks = []
    for indices in by_cluster.values():
        chunks.extend(indices[i:i + size] for i in range(0, len(indices), size))
    return chunks


def _raise(error: tuple[int, int, str, str, str | None, int | None]) -> None:
    _, _, name, message, file, line = error
    cls = getattr(sluice_errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, SluiceError)):
        cls = SluiceError
    raise cls(message, file=file, line=line)


def _context() -> Any:
    method = "forkserver" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


@dataclass(frozen=True)
class Rendered:
    """A render's bundles and, for a shard manifest, the facts its scoping used."""

    bundles: Bundles
    units: tuple[str, ...]
    scopes: dict[str, Any]
    unreached: tuple[str, ...]


def render_units(
    root: str | os.PathLike[str], fs: RepoFS, plan: FleetPlan, *, jobs: int = 1, cache_dir: str | os.PathLike[str] | None = None,
    shard: Shard | None = None, dry_sha: str | None = None, repo_url: str | None = None, commands: Iterable[str] = (),
    chart_cache: str | os.PathLike[str] | None = None, build_options: Any = None, salt: str = "",
) -> Rendered:
    """Render the plan (or one shard of it) with `jobs` processes and an optional cache;
    the bundles equal `render_plan`'s for the same targets, byte for byte."""
    global _JOB
    commands = tuple(commands)
    repo_url = repo_url if repo_url is not None else plan.repo_url
    units = plan_units(plan)
    selected = [i for i, (key, _) in enumerate(units) if shard is None or shard_of(key, shard.count) == shard.index]
    keys = tuple(units[i][0] for i in selected)
    if shard is not None and plan.config.child_applications == "hydrated":
        raise sluice_errors.InputError("childApplications: hydrated points Applications at every target of the "
                                       "fleet: render it without --shard")
    mine = {t for i in selected for t in units[i][1]}
    sub_plan = dataclasses.replace(plan, targets=tuple(t for t in plan.targets if t in mine))

    def whole() -> Rendered:
        bundles = render_plan(fs, sub_plan, dry_sha=dry_sha, repo_url=repo_url, commands=commands,
                              build_options=build_options, chart_cache=chart_cache)
        return Rendered(bundles, keys, _scope_facts(bundles, plan), tuple(bundles.preserve[len(plan.config.preserve):]))

    if (jobs <= 1 and cache_dir is None) or plan.config.child_applications == "hydrated":
        return whole()
    job = Job(root=str(Path(root).resolve()), plan=plan, units=tuple(units), dry_sha=dry_sha, repo_url=repo_url,
              commands=commands, build_options=build_options,
              chart_cache=str(chart_cache) if chart_cache is not None else None,
              cache_dir=str(cache_dir) if cache_dir is not None else None, salt=salt)
    chunks = _chunks(units, selected, max(1, jobs))
    if jobs <= 1 or len(chunks) <= 1:
        previous = _JOB
        _init(job)
        try:
            results = [render_chunk(chunk) for chunk in chunks]
        finally:
            _JOB = previous
            _STATE.clear()
    else:
        with _context().Pool(min(jobs, len(chunks)), initializer=_init, initargs=(job,)) as pool:
            results = pool.map(render_chunk, chunks, chunksize=1)
    errors = [r.error for r in results if r.error is not None]
    if errors:
        _raise(min(errors, key=lambda e: (e[0], e[1])))
    done = sorted((u for r in results for u in r.units), key=lambda u: u.index)
    scopes = _facts(done)
    if any(u.children for u in done) or scope_conflict([scopes]) is not None:
        if shard is not None and any(u.children for u in done):
            raise sluice_errors.RenderError("an Application of this shard renders further Applications (app of "
                                            "apps): render it without --shard")
        return whole()
    notes: list[str] = list(plan.notes)
    for unit in done:
        notes.extend(n for n in unit.notes if n not in notes)
    summary = kept_summary([k for u in done for k in u.kept], chart_cache)
    if summary is not None:
        notes.append(summary)
    order = {t: i for i, t in enumerate(plan.targets)}
    in_order = sorted((a for u in done for a in u.apps), key=lambda a: order.get(a.target, -1))
    warnings = ownership_warnings(in_order)
    apps = sorted(in_order, key=lambda a: (a.cluster, a.app_dir))
    rendered_dirs = {glob.escape(a.app_dir) for a in apps}
    unreached = sorted({d for u in done for d in u.unreached})
    kept_dirs = tuple(d for d in unreached if d not in rendered_dirs)
    bundles = Bundles(apps=tuple(apps), repo_url=repo_url, dry_sha=dry_sha, commands=commands,
                      preserve=(*plan.config.preserve, *kept_dirs), warnings=tuple(warnings), notes=tuple(notes))
    return Rendered(bundles, keys, scopes, tuple(unreached))


def _facts(done: Sequence[UnitResult]) -> dict[str, Any]:
    out: dict[str, dict[str, set[tuple[str, ...]]]] = {}
    for unit in done:
        for cluster, kinds in unit.crds.items():
            out.setdefault(cluster, {"crds": set(), "namespaced": set()})["crds"].update(kinds)
        for cluster, app_dir, group, kind in unit.namespaced:
            out.setdefault(cluster, {"crds": set(), "namespaced": set()})["namespaced"].add((app_dir, group, kind))
    return {c: {k: sorted(list(x) for x in v) for k, v in info.items()} for c, info in sorted(out.items())}


def _scope_facts(bundles: Bundles, plan: FleetPlan) -> dict[str, Any]:
    """Scope facts of a one-process render (for a shard manifest)."""
    base = ScopeTable(plan.config.cluster_scoped_kinds)
    tables: dict[str, ScopeTable] = {}
    for app in bundles.apps:
        tables.setdefault(app.cluster, base.copy()).add_crds(app.resources)
    out: dict[str, dict[str, set[tuple[str, ...]]]] = {}
    for app in bundles.apps:
        info = out.setdefault(app.cluster, {"crds": set(), "namespaced": set()})
        info["crds"].update(_crd_kinds(app.resources))
        if app.namespace:
            for body in app.resources:
                if not tables[app.cluster].cluster_scoped(body):
                    info["namespaced"].add((app.app_dir, split_api_version(str(body.get("apiVersion") or ""))[0],
                                            str(body.get("kind") or "")))
    return {c: {k: sorted(list(x) for x in v) for k, v in info.items()} for c, info in sorted(out.items())}


__all__ = ["Rendered", "default_jobs", "plan_units", "render_units", "shard_plan_digest", "unit_key"]
