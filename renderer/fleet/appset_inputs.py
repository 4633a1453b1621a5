"""What `sluice appset generate` takes from a repository's sluice.yaml: the cluster Secrets
and the repository checkouts a render would give the same ApplicationSet, so that the
command shows what `sluice render` will expand."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..core.fs import RepoFS
from .config import CONFIG_FILE, load_config
from .discover import _is_cluster_secret, _load_docs, select_files, walk_yaml


@dataclass(frozen=True, slots=True)
class AppSetInputs:
    config_file: str | None  # the sluice.yaml read, None when the repository has none
    clusters: tuple[Any, ...]  # appset.ClusterInfo, as discovery would hand them to generators
    repositories: dict[str, str]  # repoURL -> local directory (the repository itself included)
    default_root: str | None  # the directory for a repoURL no entry names


def repository_inputs(root: str | Path, *, granted: Sequence[str] = (), overridden: Iterable[str] = ()) -> AppSetInputs:
    """Clusters and repositories as `sluice render` of `root` sees them. Without sluice.yaml:
    no clusters, and `root` stands for every repository URL (as a zero-config render has it).
    `granted` and `overridden` are the command line's, as `load_config` takes them: what
    lets sluice.yaml name a checkout outside the repository, and the entries it replaces."""
    from ..appset import cluster_info_from_secret

    fs = RepoFS(root)
    if not fs.is_file(CONFIG_FILE):
        return AppSetInputs(None, (), {}, str(fs.root))
    config = load_config(fs, granted=granted, overridden=overridden)
    skip = [config.output_dir]
    files = (select_files(fs, config.clusters, "clusters", skip=skip, exclude=config.exclude)
             if config.clusters is not None
             else [p for p in walk_yaml(fs, ".", skip=skip, exclude=config.exclude) if "argoproj.io" in fs.read_text(p)])
    clusters = tuple(cluster_info_from_secret(doc, path, line)
                     for path in files for doc, line in _load_docs(fs, path) if _is_cluster_secret(doc))
    repositories = dict(config.repositories)
    if config.repo_url:
        repositories[config.repo_url] = str(fs.root)
    return AppSetInputs(fs.abspath(CONFIG_FILE), clusters, repositories, None if config.repo_url else str(fs.root))
