"""Flux cluster directories as fleet entry points.

A cluster directory is what `flux bootstrap --path=D` made (`D/flux-system/` with
gotk-components.yaml or gotk-sync.yaml, or a Flux Kustomization syncing `D`), or the
`sync.path` of a Flux Operator FluxInstance; `fluxClusters` in sluice.yaml names them
instead. Each Flux Kustomization reachable from a cluster directory is one target, named
after it, on the cluster's hydrated branch; its sources resolve to the dry repository or
to the checkouts `repositories` maps.
"""
from __future__ import annotations

import os
import posixpath
from typing import Any, Iterable, Iterator

from ..core.errors import InputError
from ..core.notes import NotRendered
from .discover import _GLOB_CHARS, _YAML_SUFFIXES, Target, walk_yaml
from .config import CONFIG_FILE, FleetConfig, cluster_name_problem
from ..core.fs import RepoFS
from ..core import screens
from ..argo.sources import SourceSpec, compile_glob

__all__ = ["BOOTSTRAP_FILES", "detect_flux_clusters", "flux_directories", "flux_sources", "flux_targets"]


def _flux_cluster_dirs(fs: RepoFS, patterns: tuple[str, ...]) -> list[str]:
    """The directories `fluxClusters` names (plain paths or globs over directories)."""
    import fnmatch

    found: dict[str, None] = {}
    for raw in patterns:
        pattern = posixpath.normpath(raw.rstrip("/") or ".")
        if not _GLOB_CHARS.search(pattern):
            path = fs.resolve(pattern, referrer=CONFIG_FILE)
            if not fs.is_dir(path):
                raise InputError(f"fluxClusters: {raw!r} is not a directory", file=CONFIG_FILE)
            found.setdefault(path, None)
            continue
        parent = pattern.split("/")
        base = "/".join(p for p in parent[:-1]) or "."
        fs.resolve(base, referrer=CONFIG_FILE)
        for name in fs.listdir(base) if fs.is_dir(base) else []:
            path = posixpath.normpath(posixpath.join(base, name))
            if fs.is_dir(path) and fnmatch.fnmatchcase(path, pattern) and not name.startswith("."):
                found.setdefault(path, None)
    return sorted(found)


BOOTSTRAP_FILES = ("gotk-components.yaml", "gotk-sync.yaml")


def detect_flux_clusters(fs: RepoFS, *, skip: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[str]:
    """Flux cluster entry directories: those `flux bootstrap --path=D` made (`D/flux-system/`
    holding gotk-components.yaml or gotk-sync.yaml, or a Flux Kustomization syncing `D`), and
    the `spec.sync.path` of a Flux Operator FluxInstance (or of the flux-instance chart's
    values in a HelmRelease)."""
    found = set(_bootstrapped_dirs(fs, skip=skip, exclude=exclude))
    found.update(p for p in _flux_operator_dirs(fs, skip=skip, exclude=exclude) if fs.is_dir(p))
    return sorted(found)


def _bootstrapped_dirs(fs: RepoFS, *, skip: Iterable[str], exclude: Iterable[str]) -> Iterator[str]:
    from ..flux import is_flux_kustomization

    skip_set = {posixpath.normpath(p) for p in skip}
    excludes = [compile_glob(p.rstrip("/"), True) for p in exclude]
    for dirpath, dirnames, _files in os.walk(fs.root):
        rel = fs.relpath(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames
            if not d.startswith(".") and not os.path.islink(os.path.join(dirpath, d))
            and (p := d if rel == "." else f"{rel}/{d}") not in skip_set and not any(rx.fullmatch(p) for rx in excludes)
        )
        if "flux-system" not in dirnames:
            continue
        sync_dir = "flux-system" if rel == "." else f"{rel}/flux-system"
        if any(fs.is_file(f"{sync_dir}/{name}") for name in BOOTSTRAP_FILES):
            yield rel
            continue
        for name in fs.listdir(sync_dir):
            path = f"{sync_dir}/{name}"
            if (not name.endswith(_YAML_SUFFIXES) or not fs.is_file(path)
                    or not fs.screen(path, screens.FLUX_KUSTOMIZATION, screens.SCREENS[screens.FLUX_KUSTOMIZATION])):
                continue
            try:
                docs = fs.load_yaml(path)
            except InputError:
                continue  # not a manifest Flux could apply either; explicit fluxClusters reports it
            if any(is_flux_kustomization(doc) and _same_dir(str((doc.get("spec") or {}).get("path") or ""), rel)
                   for doc, _line in docs):
                yield rel
                break


def _flux_operator_dirs(fs: RepoFS, *, skip: Iterable[str], exclude: Iterable[str]) -> Iterator[str]:
    """`spec.sync.path` of FluxInstance objects (fluxcd.controlplane.io), and `instance.sync.path`
    in the values of HelmReleases of the flux-instance chart."""
    for path in walk_yaml(fs, ".", skip=skip, exclude=exclude):
        if not fs.screen(path, screens.FLUX_INSTANCE, screens.SCREENS[screens.FLUX_INSTANCE]):
            continue
        try:
            docs = fs.load_yaml(path)
        except InputError:
            continue
        for doc, _line in docs:
            if not isinstance(doc, dict):
                continue
            sync: Any = None
            if doc.get("kind") == "FluxInstance" and str(doc.get("apiVersion", "")).startswith("fluxcd.controlplane.io/"):
                sync = (doc.get("spec") or {}).get("sync")
            elif doc.get("kind") == "HelmRelease" and _is_flux_instance_chart(doc):
                sync = (((doc.get("spec") or {}).get("values") or {}).get("instance") or {}).get("sync")
            if isinstance(sync, dict) and isinstance(sync.get("path"), str) and sync["path"].strip():
                rel = posixpath.normpath(sync["path"].strip().lstrip("/") or ".")
                if rel != ".." and not rel.startswith("../"):
                    yield rel


def _is_flux_instance_chart(hr: dict[str, Any]) -> bool:
    spec = hr.get("spec") or {}
    names = {str((spec.get("chartRef") or {}).get("name") or ""),
             str((((spec.get("chart") or {}).get("spec")) or {}).get("chart") or "")}
    return "flux-instance" in names


def _same_dir(flux_path: str, rel: str) -> bool:
    return posixpath.normpath("./" + flux_path.lstrip("/")) == posixpath.normpath(rel)


def flux_sources(config: FleetConfig) -> Any:
    """How Flux sources resolve in this fleet: flux-system and the dry repository's URL are
    this repository; GitRepositories `repositories` maps are their local checkouts."""
    from ..flux import dry_repo_sources

    return dry_repo_sources(checkout=config.repository_dir, dry_url=config.repo_url)


def flux_directories(fs: RepoFS, config: FleetConfig, skip_dirs: Iterable[str]) -> list[str]:
    """The Flux cluster directories: those `fluxClusters` names, or, without that key, the
    bootstrapped ones found in the repository."""
    if config.flux_clusters is None:
        return detect_flux_clusters(fs, skip=skip_dirs, exclude=config.exclude)
    return _flux_cluster_dirs(fs, config.flux_clusters)


def flux_targets(fs: RepoFS, config: FleetConfig, skip_dirs: Iterable[str], notes: list[str],
                 memo: Any = None, directories: list[str] | None = None) -> list[Target]:
    """One target per Flux Kustomization reachable from each Flux cluster directory
    (`directories`, default `flux_directories`). `memo` (renderer.flux.memo.KsMemo) serves
    unchanged builds (the hook)."""
    from ..argo.sources import flux_memo_tree
    from ..flux import expand_flux_tree

    if directories is None:
        directories = flux_directories(fs, config, skip_dirs)
    if config.flux_clusters is None and directories:
        notes.append(f"Flux cluster directories detected (set fluxClusters in {CONFIG_FILE} to choose): "
                     + ", ".join(directories))
    targets: list[Target] = []
    for directory in directories:
        cluster = posixpath.basename(directory)
        problem = cluster_name_problem(cluster)
        if problem:
            raise InputError(f"fluxClusters: {directory!r}: {problem}", file=CONFIG_FILE)
        branch = config.branch_template.format(cluster=cluster)
        tree = expand_flux_tree(fs, directory, source_fs=flux_sources(config), notes=[],  # render notes them
                                memo=memo, memo_tree=flux_memo_tree(directory, False))
        names = [(ks.get("metadata") or {}).get("name") for ks, _ in tree]
        for ks, _objects in tree:
            meta = ks.get("metadata") or {}
            name, namespace = str(meta.get("name")), str(meta.get("namespace") or "flux-system")
            if (ks.get("spec") or {}).get("kubeConfig"):
                notes.append(NotRendered(f"{directory}: Flux Kustomization {namespace}/{name} not rendered for cluster "
                                         f"{cluster}: spec.kubeConfig applies it to another cluster"))
                continue
            app_dir = name if names.count(name) == 1 else f"{namespace}-{name}"
            source = SourceSpec(path=directory, type="flux", app_name=f"{namespace}/{name}", field="fluxClusters")
            targets.append(Target(
                cluster=cluster, app=name, source=source, branch=branch, app_dir=app_dir, namespace=None,
                origin=directory, line=None, helm_releases=config.helm_releases,
                kube_version=config.kube_version, api_versions=config.api_versions,
            ))
    return targets
