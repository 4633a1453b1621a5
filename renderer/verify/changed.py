"""`sluice verify --changed`: render only the targets whose input files changed.

The plan comes from the index when its discovery record still holds (plancache.py: an
edit to a file discovery only screened re-plans nothing), else from discovery, which is
then recorded. Targets are rendered in units: one Argo CD Application, or every Flux
Kustomization of one cluster directory together (Flux builds a cluster's tree as a whole:
substitutions and dependsOn cross Kustomizations). All units share one RepoFS and one set
of renderers (bases memoised across clusters, one Helm engine); `RepoFS.scope()` collects
what each unit read, and kustomize's memo replays what a memoised directory read, so a
unit's reads are exactly its inputs. Added to them: the Application's file, the cluster
Secret's file, `sluice.yaml`, its AppProject's file, and every file of each chart the unit
used (a recorded `Chart.yaml`, or a source path that is a chart; Helm reads the rest
itself) with its `file://` dependencies. The inputs are cached per target in
`.sluice/reads.json` (the directory ignores itself with its own `.gitignore`), with a
digest of the context every render shares (the chart cache's archives, the sluice
version, the loaded configuration).

A unit is rendered again when one of its targets has no record, when its planned form
changed (what an ApplicationSet generated from files only the generator reads), when the
shared context changed, when one of its recorded inputs is changed against HEAD (`git diff
--name-only HEAD`, plus untracked files), or when a recorded digest differs from the
file's content now (the cache is older than HEAD). A cold or invalid index renders every
unit, which costs what a full verify does. An index git tracks came with the repository
and is ignored; digests are only computed for regular files inside the root (tree.py).
Limitation: CRDs of targets not rendered are unknown to the scope and schema checks of
the rendered ones (a custom resource of a cluster-scoped CRD rendered by another
Application gets checked as namespaced; its kind is reported as unknown).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import posixpath
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

from ..fleet.bundle import AppBundle
from ..core.errors import GitError, SluiceError
from ..fleet.discover import FleetPlan, Target
from ..fleet.config import CONFIG_FILE
from ..core.fs import RepoFS
from .tree import Digests as _Digests
from ..fleet.pipeline import render_plan, repo_renderers
from .policy import Project

CACHE_DIR = ".sluice"
READS_FILE = "reads.json"
INDEX_VERSION = 3


def target_key(target: Target) -> str:
    return f"{target.cluster}/{target.app_dir}"


def changed_files(root: Path) -> set[str] | None:
    """Repo-relative paths changed against HEAD, and untracked ones; None when `root` is
    not in a git work tree. Without a HEAD commit, every tracked file counts as changed."""
    from ..core.gitobjects import run

    try:
        run(root, ["rev-parse", "--is-inside-work-tree"])
    except GitError:
        return None
    head = run(root, ["rev-parse", "--verify", "--quiet", "HEAD"], check=False)
    if head.returncode == 0:
        diff = run(root, ["diff", "--name-only", "--relative", "--no-renames", "-z", "HEAD", "--"]).stdout
    else:
        diff = run(root, ["ls-files", "-z", "--cached"]).stdout
    untracked = run(root, ["ls-files", "-z", "--others", "--exclude-standard"]).stdout
    return {p for p in (diff + untracked).decode("utf-8", "surrogateescape").split("\0") if p}


def _tracked(root: Path) -> bool:
    """Whether git tracks the index: then it came with the repository (a pull request can
    commit one), not from a run on this machine."""
    from ..core.gitobjects import run

    try:
        out = run(root, ["ls-files", "-z", "--cached", "--", f"{CACHE_DIR}/{READS_FILE}"], check=False)
    except GitError:
        return False
    return out.returncode == 0 and bool(out.stdout.strip(b"\0"))


def _cache_dir(root: Path) -> Path | None:
    """`.sluice` when it is a plain directory of the repository (or absent): a pull request
    can commit it as a symlink, which would lead the index's reads and writes outside."""
    cache = root / CACHE_DIR
    if cache.is_symlink() or (cache.exists() and not cache.is_dir()):
        return None
    return cache


def load_index(root: Path) -> dict[str, Any]:
    """The saved index ({"context": ..., "targets": {...}, "discovery": ...}); {} when absent,
    unreadable, of another version, committed to the repository or behind a symlink."""
    cache = _cache_dir(root)
    if cache is None or (cache / READS_FILE).is_symlink() or _tracked(root):
        return {}
    try:
        data = json.loads((cache / READS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != INDEX_VERSION or not isinstance(data.get("targets"), dict):
        return {}
    return data


def save_index(root: Path, targets: dict[str, dict[str, Any]], context: str = "",
               discovery: dict[str, Any] | None = None) -> None:
    cache = _cache_dir(root)
    if cache is None:
        return
    try:
        cache.mkdir(exist_ok=True)
        if not os.path.lexists(cache / ".gitignore"):  # never through a link the repository holds
            fd = os.open(cache / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write("# sluice's cache; never committed\n*\n")
        data = {"version": INDEX_VERSION, "context": context, "targets": dict(sorted(targets.items())),
                "discovery": discovery}
        fd, tmp = tempfile.mkstemp(prefix=f".{READS_FILE}.", suffix=".tmp", dir=cache)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")
        os.replace(tmp, cache / READS_FILE)  # replaces a link itself, never what it points to
    except OSError:
        pass  # a cache is a nicety: a read-only checkout still verifies


def plan_digest(target: Target) -> str:
    """A digest of everything planned for a target (source spec, destination, capabilities):
    what an ApplicationSet generates from files it reads (a git files generator's
    config.json) changes it without changing any file the target itself reads."""
    return hashlib.sha256(repr(target).encode("utf-8")).hexdigest()


def context_digest(chart_cache: str | os.PathLike[str] | None, config: str = "") -> str:
    """What every render shares beyond the repository: the chart cache's archives (name,
    size, mtime; pulling a chart changes it), sluice's version and the loaded configuration
    (`config`, a digest: command-line overrides, the substitutionsFile's values)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        parts = [version("sluice"), config]
    except PackageNotFoundError:
        parts = ["dev", config]
    if chart_cache:
        base = Path(chart_cache)
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            if path.is_file():
                stat = path.stat()
                parts.append(f"{path.relative_to(base).as_posix()}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


@dataclasses.dataclass
class HookState:
    """One hook run's view of the index: what was saved, the file digests (computed once),
    and the discovery record to save (see plancache.py)."""

    saved: dict[str, Any]
    digests: _Digests
    discovery: dict[str, Any] | None
    crd_files: list[str]
    project_files: list[str]


def plan_changed(root: Path, make_config: Callable[[RepoFS], Any]) -> tuple[RepoFS, FleetPlan, HookState]:
    """The plan, from the index when its discovery record still holds, else discovered (and
    recorded). `make_config` loads the configuration through the given view."""
    from ..fleet.discover import discover
    from . import plancache
    from .policy import project_files
    from .repo_crds import crd_files

    saved = load_index(root)
    digests = _Digests(root)
    fs = RepoFS(root)
    config = make_config(fs)
    kept = plancache.reuse(root, saved.get("discovery"), config, digests)
    if kept is not None:
        plan, crds, projects = kept
        return fs, plan, HookState(saved, digests, saved.get("discovery"), crds, projects)
    plan = discover(fs, config, skip=[])
    crds = crd_files(fs)
    projects = project_files(fs, skip=plan.skip_dirs, exclude=config.exclude, where=config.applications)
    return fs, plan, HookState(saved, digests, plancache.record(digests.tree, fs, plan, crds, projects), crds, projects)


def needs_render(root: Path, record: dict[str, Any] | None, changed: set[str] | None, digest: str | None = None,
                 digests: Callable[[str], str | None] | None = None) -> bool:
    if not record or not isinstance(record.get("reads"), dict):
        return True
    if digest is not None and record.get("plan") != digest:
        return True
    reads: dict[str, str | None] = record["reads"]
    if changed is not None and any(path in changed for path in reads):
        return True
    sha_of = digests or _Digests(root)
    return any(sha_of(path) != sha for path, sha in reads.items())


def _project_file(fs: RepoFS, target: Target, projects: dict[str, Project], plan: FleetPlan) -> str | None:
    from . import _app_project_and_repo

    name, _ = _app_project_and_repo(fs, target, plan)
    project = projects.get(name) if name is not None else None
    return project.file if project else None


def render_units(plan: FleetPlan) -> list[list[Target]]:
    """The plan's targets in render units: each Flux cluster directory's Kustomizations
    together, every other target alone; in plan order."""
    units: dict[tuple[str, str], list[Target]] = {}
    for target in plan.targets:
        key = ("flux", target.source.path) if target.source.type == "flux" else ("app", target_key(target))
        units.setdefault(key, []).append(target)
    return list(units.values())


def _chart_roots(fs: RepoFS, reads: Iterable[str], targets: Iterable[Target]) -> set[str]:
    """Chart directories a unit used: those of recorded Chart.yaml files and source paths
    that are charts, with their `file://` dependencies (Helm reads their files itself)."""
    from ..core.fs import join

    todo = [posixpath.dirname(p) or "." for p in reads if posixpath.basename(p) == "Chart.yaml"]
    for target in targets:
        for spec in (target.source, *target.extra_sources):
            if spec.type != "flux" and not getattr(spec, "repo", "") and spec.path:
                todo.append(posixpath.normpath(spec.path))
    roots: set[str] = set()
    while todo:
        root = todo.pop()
        if root in roots or root.startswith("../") or not fs.is_file(join(root, "Chart.yaml")):
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


def _files_under(root: Path, directory: str) -> Iterable[str]:
    for dirpath, dirnames, filenames in os.walk(root / directory):
        dirnames.sort()
        rel = Path(dirpath).relative_to(root).as_posix()
        for name in sorted(filenames):
            yield f"{rel}/{name}" if rel != "." else name


def render_changed(
    root: Path,
    fs: RepoFS,
    plan: FleetPlan,
    projects: dict[str, Project],
    *,
    progress: Callable[[str], None] | None = None,
    chart_cache: str | os.PathLike[str] | None = None,
    state: HookState | None = None,
) -> tuple[list[tuple[Target, AppBundle]], list[str]]:
    """Render the units whose inputs changed, each with its own view of `fs` (shared parse
    caches, own reads); update the reads index. Every unit's reads are added to `fs.reads`.
    Returns (rendered (target, bundle) pairs, each target
    once; keys of the targets skipped)."""
    saved = state.saved if state is not None else load_index(root)
    from .plancache import config_digest

    context = context_digest(chart_cache, config_digest(plan.config))
    index: dict[str, dict[str, Any]] = saved.get("targets", {}) if saved.get("context") == context else {}
    changed = changed_files(root)
    digests = state.digests if state is not None else _Digests(root)
    discovery = state.discovery if state is not None else None
    units = render_units(plan)
    selected = [u for u in units
                if any(needs_render(root, index.get(target_key(t)), changed, plan_digest(t), digests) for t in u)]
    chosen = {target_key(t) for u in selected for t in u}
    skipped = [target_key(t) for t in plan.targets if target_key(t) not in chosen]
    planned = {target_key(t) for t in plan.targets}
    pairs: list[tuple[Target, AppBundle]] = []
    seen: set[str] = set()
    new_index = {k: v for k, v in index.items() if k in planned}
    clusters = {c.name: c for c in plan.clusters}
    shared = repo_renderers(fs, plan, chart_cache=chart_cache)
    total = sum(len(u) for u in selected)
    done = 0
    for unit in selected:
        done += len(unit)
        if progress:
            progress(f"rendering {target_key(unit[0])}{f' and {len(unit) - 1} more' if len(unit) > 1 else ''} ({done}/{total})")
        with fs.scope() as own:  # the unit's reads, memoised builds it shares with other units included
            bundles = render_plan(fs, dataclasses.replace(plan, targets=tuple(unit)), chart_cache=chart_cache,
                                  renderers=shared)
        for app in bundles.apps:  # the unit's targets, and their children (app of apps)
            key = target_key(app.target)
            if key in seen or (key in planned and key not in {target_key(t) for t in unit}):
                continue  # a child that is also a target of its own is checked as that target
            seen.add(key)
            pairs.append((app.target, app))
        reads = dict(own)
        for chart in _chart_roots(fs, list(reads), unit):
            for path in _files_under(root, chart):
                reads.setdefault(path, digests(path))
        for target in unit:
            extra = [target.origin, CONFIG_FILE, _project_file(fs, target, projects, plan)]
            cluster = clusters.get(target.cluster)
            if cluster is not None:
                extra.append(cluster.origin)
            mine = dict(reads)
            for path in extra:
                if path and path not in mine:
                    sha = digests(path)
                    if sha is not None:
                        mine[path] = sha
            new_index[target_key(target)] = {"app": target.app, "plan": plan_digest(target),
                                             "reads": dict(sorted(mine.items()))}
    if selected or saved.get("context") != context or saved.get("discovery") != discovery:
        save_index(root, new_index, context, discovery)
    return pairs, skipped
