"""`sluice verify --changed`: render only the targets whose input files changed.

Each target is rendered with its own `RepoFS`, so the files it read (`RepoFS.reads`,
with content digests) are exactly its inputs; add the Application's file, the cluster
Secret's file, `sluice.yaml` and its AppProject's file. The inputs are cached per target
in `.sluice/reads.json` (the directory ignores itself with its own `.gitignore`).

A target is rendered again when it has no record, when its planned form changed (what an
ApplicationSet generated from files only the generator reads), when one of its recorded inputs is
changed against HEAD (`git diff --name-only HEAD`, plus untracked files), or when a
recorded digest differs from the file's content now (the cache is older than HEAD).
Limitation: CRDs of targets not rendered are unknown to the scope and schema checks of
the rendered ones (a custom resource of a cluster-scoped CRD rendered by another
Application gets checked as namespaced; its kind is reported as unknown).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable

from ..bundle import AppBundle
from ..errors import GitError
from ..fleet import FleetPlan, Target
from ..fleet_config import CONFIG_FILE
from ..fs import RepoFS
from ..pipeline import render_plan
from .policy import Project

CACHE_DIR = ".sluice"
READS_FILE = "reads.json"
INDEX_VERSION = 1


def target_key(target: Target) -> str:
    return f"{target.cluster}/{target.app_dir}"


def changed_files(root: Path) -> set[str] | None:
    """Repo-relative paths changed against HEAD, and untracked ones; None when `root` is
    not in a git work tree. Without a HEAD commit, every tracked file counts as changed."""
    from ..applier.git import run_git

    try:
        run_git(["rev-parse", "--is-inside-work-tree"], cwd=root)
    except GitError:
        return None
    head = run_git(["rev-parse", "--verify", "--quiet", "HEAD"], cwd=root, check=False)
    if head.returncode == 0:
        diff = run_git(["diff", "--name-only", "--relative", "--no-renames", "-z", "HEAD", "--"], cwd=root).stdout
    else:
        diff = run_git(["ls-files", "-z", "--cached"], cwd=root).stdout
    untracked = run_git(["ls-files", "-z", "--others", "--exclude-standard"], cwd=root).stdout
    return {p for p in (diff + untracked).decode("utf-8", "surrogateescape").split("\0") if p}


def _digest(root: Path, rel: str) -> str | None:
    try:
        return hashlib.sha256((root / rel).read_bytes()).hexdigest()
    except OSError:
        return None


def load_index(root: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((root / CACHE_DIR / READS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != INDEX_VERSION or not isinstance(data.get("targets"), dict):
        return {}
    targets: dict[str, dict[str, Any]] = data["targets"]
    return targets


def save_index(root: Path, targets: dict[str, dict[str, Any]]) -> None:
    cache = root / CACHE_DIR
    try:
        cache.mkdir(exist_ok=True)
        ignore = cache / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# sluice's cache; never committed\n*\n", encoding="utf-8")
        tmp = cache / f".{READS_FILE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"version": INDEX_VERSION, "targets": dict(sorted(targets.items()))}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, cache / READS_FILE)
    except OSError:
        pass  # a cache is a nicety: a read-only checkout still verifies


def plan_digest(target: Target) -> str:
    """A digest of everything planned for a target (source spec, destination, capabilities):
    what an ApplicationSet generates from files it reads (a git files generator's
    config.json) changes it without changing any file the target itself reads."""
    text = json.dumps(dataclasses.asdict(target), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def needs_render(root: Path, record: dict[str, Any] | None, changed: set[str] | None, digest: str | None = None) -> bool:
    if not record or not isinstance(record.get("reads"), dict):
        return True
    if digest is not None and record.get("plan") != digest:
        return True
    reads: dict[str, str | None] = record["reads"]
    if changed is not None and any(path in changed for path in reads):
        return True
    return any(_digest(root, path) != sha for path, sha in reads.items())


def _project_file(fs: RepoFS, target: Target, projects: dict[str, Project], plan: FleetPlan) -> str | None:
    from . import _app_project_and_repo

    name, _ = _app_project_and_repo(fs, target, plan)
    project = projects.get(name) if name is not None else None
    return project.file if project else None


def render_changed(
    root: Path,
    fs: RepoFS,
    plan: FleetPlan,
    projects: dict[str, Project],
    *,
    progress: Callable[[str], None] | None = None,
    chart_cache: str | os.PathLike[str] | None = None,
) -> tuple[list[tuple[Target, AppBundle]], list[str]]:
    """Render the targets whose inputs changed, one RepoFS each; update the reads index.
    Returns (rendered (target, bundle) pairs, keys of the targets skipped)."""
    index = load_index(root)
    changed = changed_files(root)
    selected = [t for t in plan.targets if needs_render(root, index.get(target_key(t)), changed, plan_digest(t))]
    skipped = [target_key(t) for t in plan.targets if t not in selected]
    pairs: list[tuple[Target, AppBundle]] = []
    new_index = {k: v for k, v in index.items() if k in {target_key(t) for t in plan.targets}}
    clusters = {c.name: c for c in plan.clusters}
    for i, target in enumerate(selected, 1):
        if progress:
            progress(f"rendering {target_key(target)} ({i}/{len(selected)})")
        own = RepoFS(root)
        bundles = render_plan(own, dataclasses.replace(plan, targets=(target,)), chart_cache=chart_cache)
        pairs.extend((app.target, app) for app in bundles.apps)  # the target, and its children (app of apps)
        reads = dict(own.reads)
        extra = [target.origin, CONFIG_FILE, _project_file(fs, target, projects, plan)]
        cluster = clusters.get(target.cluster)
        if cluster is not None:
            extra.append(cluster.origin)
        for path in extra:
            if path and path not in reads:
                sha = _digest(root, path)
                if sha is not None:
                    reads[path] = sha
        new_index[target_key(target)] = {"app": target.app, "plan": plan_digest(target), "reads": dict(sorted(reads.items()))}
    save_index(root, new_index)
    return pairs, skipped
