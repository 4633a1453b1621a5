"""What render, hydrate and report share: reading the dry commit behind a render, rendering
the fleet with the command line's options, and printing what was rendered."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..applier.repo import RENDER_COMMANDS, dry_source, repo_config, uncommitted  # noqa: F401 - shared with commands
from ..core.errors import SluiceError
from .options import repository_map

REMOTE_METAVAR = "URL|PATH|NAME"
REMOTE_HELP = ("Where the hydrated branches live: a URL, a path, or a remote configured in the repository "
               "(e.g. origin). Git uses the repository's and your own config (credentials, insteadOf).")




def render_fleet(repo: str, out: str | None, write: bool, commands: tuple[str, ...], chart_cache: str | None = None,
            repositories: tuple[str, ...] = (), helm_releases: str | None = None, strict: bool = False,
            allowed_roots: tuple[str, ...] = (), allow_secrets: bool = False, select: Any = None,
            helm_engine: str | None = None, **scale: Any) -> tuple[Any, Any]:
    from ..fleet.pipeline import render_repo

    root = Path(repo).resolve()
    if not root.is_dir():
        raise SluiceError(f"repository directory not found: {repo}")
    dry = dry_source(root, "HEAD", commands)
    bundles = render_repo(
        root, out, dry_sha=dry.dry_sha if dry else None, repo_url=dry.repo_url if dry else None,
        commands=commands, write=write, chart_cache=chart_cache, repositories=repository_map(repositories),
        helm_releases=helm_releases, strict=strict, allowed_roots=allowed_roots, allow_plaintext_secrets=allow_secrets,
        select=select, helm_engine=helm_engine, **scale,  # jobs, cache_dir, shard
    )
    return bundles, dry


def echo_notes(notes: Any) -> None:
    """A render's notes on stderr: `skipped:` for what it left out (core.notes.Skipped), `note:` otherwise."""
    from ..core.notes import Skipped

    for note in notes:
        click.echo(f"{'skipped' if isinstance(note, Skipped) else 'note'}: {note}", err=True)


def echo_warnings(warnings: Any) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


def skipped_of(notes: Any) -> list[str]:
    """The notes that say something was left out, for `skipped` in -o json."""
    from ..core.notes import Skipped

    return [str(n) for n in notes if isinstance(n, Skipped)]


def echo_bundles(bundles: Any, out: str | None, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({
            "drySha": bundles.dry_sha,
            "apps": [{"cluster": a.cluster, "app": a.app, "branch": a.branch, "path": a.app_dir,
                      "resources": len(a.resources)} for a in bundles.apps],
            "warnings": list(bundles.warnings),
            "notes": list(bundles.notes),
            "skipped": list(bundles.skipped),
        }, indent=2))
        return
    echo_notes(bundles.notes)
    for app in bundles.apps:
        count = len(app.resources)
        click.echo(f"rendered {app.cluster}/{app.app_dir}: {count} resource{'s' * (count != 1)} ({app.app}, branch {app.branch})")
    echo_warnings(bundles.warnings)
    if out:
        apps, clusters = len(bundles.apps), len(bundles.clusters())
        click.echo(f"wrote {apps} app bundle{'s' * (apps != 1)} for {clusters} cluster{'s' * (clusters != 1)} to {out}")




def git_root_or_none(repo: str | None) -> Path | None:
    root = Path(repo or ".").resolve()
    return root if (root / ".git").exists() else None
