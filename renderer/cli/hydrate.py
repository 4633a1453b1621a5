"""`sluice hydrate`: render and commit every cluster's bundle to its hydrated branch, one
atomic push, only ever forward in the dry history."""
from __future__ import annotations

import json

import click

from .options import (
    ALLOW_SECRETS_OPTION,
    BUNDLES_OPTION,
    CACHE_DIR_OPTION,
    JOBS_OPTION,
    OUTPUT_FORMAT,
    SOURCE_OPTIONS,
    STRICT_OPTION,
    repository_map,
)
from .rendering import REMOTE_HELP, REMOTE_METAVAR, echo_notes, echo_warnings, skipped_of
from .run import EXIT_OK, EXIT_SUPERSEDED, run_command


@click.command()
@click.argument("repo", default=".", type=click.Path(file_okay=False))
@click.option("--remote", required=True, metavar=REMOTE_METAVAR, help=REMOTE_HELP)
@OUTPUT_FORMAT("text", "json")
@click.option("--allow-dirty", is_flag=True, help="Hydrate uncommitted changes; the commit and hydrator.metadata say so.")
@click.option("--allow-unrelated", is_flag=True,
              help="Hydrate over branches recording a dry commit that is unrelated to HEAD or unknown here.")
@click.option("--release-rollback", is_flag=True, help="Replace a rollback held at this very dry commit.")
@click.option("--author", "author", metavar="'NAME <EMAIL>'", help="Author/committer 'Name <email>' (default: git config user.name/email, else sluice).")
@SOURCE_OPTIONS
@STRICT_OPTION
@ALLOW_SECRETS_OPTION
@JOBS_OPTION
@CACHE_DIR_OPTION
@BUNDLES_OPTION
def hydrate(repo: str, remote: str, output_format: str, allow_dirty: bool, allow_unrelated: bool, release_rollback: bool,
            author: str | None, chart_cache: str | None, repositories: tuple[str, ...],
            allowed_roots: tuple[str, ...], helm_releases: str | None, strict: bool, allow_secrets: bool,
            jobs: int = 1, cache_dir: str | None = None, bundle_dirs: tuple[str, ...] = (),
            helm_engine: str | None = None) -> None:
    """Render REPO and commit each cluster's bundle to its hydrated branch in REMOTE (one atomic push).

    Branches only move forward in the dry history. Exit status: 0 pushed or nothing to change;
    2 error (dirty tree, unrelated history, ...), nothing pushed; 3 superseded: a branch already
    holds a newer dry commit, or a rollback holds it (nothing written)."""

    def go() -> int:
        from ..applier.repo import hydrate_repo

        retries: list[str] = []
        options = dict(chart_cache=chart_cache, repositories=repository_map(repositories), helm_releases=helm_releases,
                       strict=strict, allowed_roots=allowed_roots, allow_plaintext_secrets=allow_secrets, jobs=jobs,
                       cache_dir=cache_dir, helm_engine=helm_engine)
        outcome = hydrate_repo(repo, remote, allow_dirty=allow_dirty, allow_unrelated=allow_unrelated,
                               release_rollback=release_rollback, author=author, bundle_dirs=bundle_dirs,
                               on_retry=lambda n, why: retries.append(why), render_options=options)
        result, dry, dirty = outcome.result, outcome.dry, outcome.dirty
        code = EXIT_SUPERSEDED if result.superseded_by else EXIT_OK
        if output_format == "json":
            click.echo(json.dumps({
                "drySha": dry.dry_sha,
                "pushed": result.pushed,
                "attempts": result.attempts,
                "supersededBy": result.superseded_by,
                "heldByRollback": result.held_by_rollback,
                "dirty": list(dry.dirty),
                "warnings": list(outcome.warnings),
                "notes": list(outcome.notes),
                "skipped": skipped_of(outcome.notes),
                "branches": [{"branch": b.branch, "old": b.old_sha, "new": b.new_sha, "changed": b.changed,
                              "status": b.status, "recordedDrySha": b.recorded_dry_sha}
                             for b in result.branches],
            }, indent=2))
            return code
        echo_notes(outcome.notes)
        echo_warnings(outcome.warnings)
        if dirty:
            click.echo(f"warning: hydrating uncommitted changes (--allow-dirty): {', '.join(dirty)}", err=True)
        if result.superseded_by and result.held_by_rollback:  # a rollback of this very commit, or of a newer one
            held = "" if result.superseded_by == dry.dry_sha else f" at {result.superseded_by}"
            click.echo(f"dry commit {dry.dry_sha[:12]}: held by a rollback{held} (release it by hydrating a newer dry "
                       "commit, or --release-rollback); nothing written")
            return code
        if result.superseded_by:
            click.echo(f"dry commit {dry.dry_sha[:12]}: superseded by {result.superseded_by}: a branch already holds a "
                       "newer dry commit; nothing written")
            return code
        for b in result.branches:
            if b.status == "same":
                click.echo(f"{b.branch}: unchanged, no commit (already at dry commit {dry.dry_sha[:12]})")
            elif b.changed:
                click.echo(f"{b.branch}: {(b.old_sha or 'new')[:12]} -> {b.new_sha[:12] if b.new_sha else '?'}")
            else:
                click.echo(f"{b.branch}: unchanged, no commit")
        tries = f" after {result.attempts} attempts" if result.attempts > 1 else ""
        click.echo(f"dry commit {dry.dry_sha[:12]}: " + ("pushed" + tries if result.pushed else "nothing to push"))
        return code

    run_command(go)
