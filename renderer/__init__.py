"""sluice: offline, deterministic GitOps rendering.

The package is a pure core (load, build, render) under a thin CLI; see README.md. The
functions below mirror the commands for use from Python: build, render, verify_repo,
diff_revisions, hydrate (`verify` and `diff` name the packages that hold those checks).
`raised_limits` raises the run's ceilings for the calls made inside it, as `--limit` does.
"""
from __future__ import annotations

import os
from typing import Any

from .core.limits import raised_limits as raised_limits  # re-exported: the API of --limit
from .core.version import __version__


def build(directory: str | os.PathLike[str], *, repo: str | os.PathLike[str] | None = None, load_restrictor: str = "rootOnly",
          reorder: str = "legacy") -> list[dict[str, Any]]:
    """Like `sluice build DIRECTORY`: the kustomization's resources as plain dicts.

    Reads are confined as `kubectl kustomize` confines them (each kustomization's files in
    or below its directory; bases and components anywhere), or to `repo` when given."""
    from pathlib import Path

    from .core.fs import RepoFS, build_root
    from .kustomize import BuildOptions, Builder

    target = Path(directory).resolve()
    fs = RepoFS(Path(repo).resolve() if repo else build_root(target))
    return Builder(fs, BuildOptions(load_restrictor=load_restrictor, reorder=reorder)).build(fs.relpath(target))


def render(repo: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *, write: bool = False,
           allow_secrets: bool = False) -> Any:
    """Like `sluice render REPO`: the fleet's bundles (written to `out` when `write`).
    A plaintext Secret is an InputError unless `allow_secrets` (or sluice.yaml) opts in."""
    from .fleet.pipeline import render_repo

    return render_repo(repo, out, write=write, allow_plaintext_secrets=allow_secrets)


def verify_repo(repo: str | os.PathLike[str], *, changed: bool = False, allow_secrets: bool = False, schemas: bool = True,
           **options: Any) -> Any:
    """Like `sluice verify REPO`: a `verify.VerifyResult` holding every finding (errors and
    warnings, each with file and line where known); `options` as `verify.verify_repo` takes."""
    from .verify import verify_repo as _verify_repo

    return _verify_repo(repo, changed=changed, allow_secrets=allow_secrets, schemas=schemas, **options)


def diff_revisions(repo: str | os.PathLike[str], base: str, head: str | None = None, *, show_secrets: bool = False,
         **options: Any) -> Any:
    """Like `sluice diff REPO --base BASE [--head HEAD]`: a `diff.compare.DiffResult`, per
    cluster, app and resource, Secret values redacted unless `show_secrets`."""
    from .diff.compare import diff_revisions as _diff_revisions

    return _diff_revisions(repo, base, head, show_secrets=show_secrets, **options)


def hydrate(repo: str | os.PathLike[str], remote: str, *, allow_dirty: bool = False, allow_unrelated: bool = False,
            author: str | None = None, **render_options: Any) -> Any:
    """Like `sluice hydrate REPO --remote REMOTE`: an `applier.repo.HydrateOutcome` (the
    applier's result per branch, the dry commit recorded, uncommitted paths included)."""
    from .applier.repo import hydrate_repo

    return hydrate_repo(repo, remote, allow_dirty=allow_dirty, allow_unrelated=allow_unrelated, author=author,
                        render_options=render_options)


__all__ = ["__version__", "build", "diff_revisions", "hydrate", "render", "verify_repo"]
