"""Hydrating a dry repository as a whole: the dry commit behind it, refusing uncommitted
content, rendering (or joining shard outputs) and moving the hydrated branches forward.

The one implementation behind `sluice hydrate` and `renderer.hydrate`.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import SluiceError
from .hydrate import DrySource

# recorded in hydrator.metadata: how to reproduce a bundle, free of machine-specific paths
RENDER_COMMANDS = ("sluice render",)
# the identity of hydrated commits when neither --author nor git's user.name/email says otherwise
DEFAULT_AUTHOR_NAME, DEFAULT_AUTHOR_EMAIL = "sluice", "sluice@localhost"


@dataclass(frozen=True)
class HydrateOutcome:
    """What a hydration did: the applier's result, the dry commit it recorded, and the
    uncommitted paths it was allowed to include (`allow_dirty`)."""

    result: Any  # applier.hydrate.HydrateResult
    dry: DrySource
    dirty: tuple[str, ...] = ()
    # what the render said: left out (`core.notes.Skipped`), decided, or worth a warning;
    # a hydration must say it as `sluice render` does, never drop an app silently
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def repo_config(root: Path) -> Any:
    """sluice.yaml of `root`, or None when it cannot be read (the render reports why)."""
    from ..core.fs import RepoFS
    from ..fleet.config import load_config

    try:
        return load_config(RepoFS(root))
    except SluiceError:
        return None


def dry_source(root: Path, rev: str, commands: tuple[str, ...], *, required: bool = False) -> DrySource | None:
    """The dry commit behind a render; None when there is none (not a git work tree, or no
    commit yet), unless `required` (hydration records the commit it renders). Its repoURL
    is sluice.yaml's, never a checkout path, so every clone records the same."""
    from ..core.errors import GitError
    from .dryrepo import recorded_repo_url
    from .hydrate import read_dry_source

    if not (root / ".git").exists():
        if required:
            raise SluiceError(f"{root} is not a git work tree: hydration records the dry commit it renders")
        return None
    try:
        config = repo_config(root)
        repo_url = recorded_repo_url(config.repo_url if config else None, root)
        return read_dry_source(root, rev, repo_url=repo_url, commands=commands)
    except GitError:
        if required:
            raise
        return None


def uncommitted(root: Path, out: str | os.PathLike[str] | None = None) -> tuple[str, ...]:
    """Uncommitted paths of the dry checkout (bundles directories aside: `out`, sluice.yaml's
    output.dir, and any other that a `sluice render --out` left in the checkout)."""
    from ..fleet.bundle import INDEX
    from .dryrepo import dirty_paths

    ignore = []
    config = repo_config(root)
    for candidate in (out, config.output_dir if config else None):
        if candidate:
            try:
                ignore.append(str((root / candidate).resolve().relative_to(root)))
            except ValueError:
                pass  # outside the repository
    dirty = dirty_paths(root, ignore)
    bundles: dict[str, bool] = {}

    def in_bundles(path: str) -> bool:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            directory = "/".join(parts[:depth])
            if directory not in bundles:
                bundles[directory] = (root / directory / INDEX).is_file()
            if bundles[directory]:
                return True
        return False

    return tuple(p for p in dirty if not in_bundles(p))


def hydrate_repo(
    repo: str | os.PathLike[str],
    remote: str,
    *,
    allow_dirty: bool = False,
    allow_unrelated: bool = False,
    release_rollback: bool = False,
    author: str | None = None,
    bundle_dirs: Sequence[str] = (),
    on_retry: Any = None,
    render_options: Mapping[str, Any] | None = None,
) -> HydrateOutcome:
    """Render `repo` at HEAD (or join the shard outputs in `bundle_dirs`) and move its
    hydrated branches in `remote` forward, all in one atomic push. `render_options` go to
    `fleet.pipeline.render_repo` (chart_cache, repositories, helm_releases, strict, jobs, ...)."""
    from ..fleet.bundle import bundles_for_hydration
    from ..fleet.pipeline import render_repo
    from .ancestry import DryHistory
    from .dryrepo import git_author, parse_author, resolve_remote, signing_config, transport_config
    from .hydrate import Monotonic, hydrate

    root = Path(repo).resolve()
    dry = dry_source(root, "HEAD", RENDER_COMMANDS, required=True)
    assert dry is not None  # required=True raises instead
    dirty = uncommitted(root)
    if dirty and not allow_dirty:
        raise SluiceError(f"{repo} has uncommitted changes, which would be recorded as dry commit HEAD: "
                          f"{', '.join(dirty)}; commit them, or pass --allow-dirty. Nothing was pushed.")
    url, access = resolve_remote(remote, root), transport_config(root)
    who = parse_author(author) if author else git_author(root)
    if bundle_dirs:
        from ..fleet.shards import joined_for

        bundles = joined_for(tuple(bundle_dirs), dry.dry_sha)
    else:
        bundles = render_repo(root, None, write=False, dry_sha=dry.dry_sha, repo_url=dry.repo_url,
                              commands=RENDER_COMMANDS, **dict(render_options or {}))
    if dirty:
        dry = dataclasses.replace(dry, dirty=dirty)
    policy = Monotonic(DryHistory(root), allow_unrelated=allow_unrelated, release_rollback=release_rollback)
    name, email = (who.name, who.email) if who else (DEFAULT_AUTHOR_NAME, DEFAULT_AUTHOR_EMAIL)
    result = hydrate(url, bundles_for_hydration(bundles), dry, preserve=bundles.preserve, monotonic=policy,
                     config=access, signing=signing_config(root), on_retry=on_retry, author_name=name,
                     author_email=email)
    return HydrateOutcome(result=result, dry=dry, dirty=dirty, notes=tuple(bundles.notes),
                          warnings=tuple(bundles.warnings))
