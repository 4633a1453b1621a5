"""`sluice history` and `sluice rollback`: which dry commit produced each hydrated commit,
and an explicit, forward-only rollback."""
from __future__ import annotations

import json

import click

from .options import OUTPUT_FORMAT
from .rendering import REMOTE_HELP, REMOTE_METAVAR, git_root_or_none
from .run import EXIT_OK, run_command


@click.command()
@click.option("--remote", required=True, metavar=REMOTE_METAVAR, help=REMOTE_HELP)
@click.option("--branch", required=True, metavar="BRANCH", help="Hydrated branch, e.g. hydrated/staging.")
@click.option("-n", "--max-count", "max_count", default=20, show_default=True, type=click.IntRange(min=1), metavar="N",
              help="Commits shown, newest first (as git log -n).")
# the old spelling, hidden: --limit KEY=N now raises a ceiling on the rendering commands
@click.option("--limit", "legacy_limit", type=click.IntRange(min=1), hidden=True)
@OUTPUT_FORMAT("text", "json")
@click.option("--repo", type=click.Path(file_okay=False), metavar="ROOT", help="Repository whose remotes and git config apply (default: .).")
def history(remote: str, branch: str, max_count: int, legacy_limit: int | None, output_format: str, repo: str | None) -> None:
    """Which dry commit produced each hydrated commit of BRANCH, newest first."""
    limit = legacy_limit or max_count

    def go() -> int:
        from ..applier import history as read_history
        from ..applier.dryrepo import resolve_remote, transport_config

        root = git_root_or_none(repo)
        url = resolve_remote(remote, root)
        access = transport_config(root) if root else ()
        records = read_history(url, branch, limit, config=access)
        if not records:  # the core reads a missing branch as no history; asked for by name, it is a mistake
            from ..applier.git import redact_url, remote_branches
            from ..core.errors import InputError

            known = [b for b in remote_branches(url, config=access) if b != branch.removeprefix("refs/heads/")]
            raise InputError(f"branch {branch!r} not found on {redact_url(url)}"
                             + (f" (its branches: {', '.join(known)})" if known else " (it has no branches)"))
        if output_format == "json":
            click.echo(json.dumps([{"sha": r.sha, "drySha": r.dry_sha, "date": r.date, "subject": r.subject,
                                    "rollbackTo": r.rollback_to, "heldAt": r.held_at} for r in records], indent=2))
            return EXIT_OK
        for r in records:
            click.echo(f"{r.sha[:12]}  dry {(r.dry_sha or '?')[:12]}  {r.date}  {r.subject}")
        return EXIT_OK

    run_command(go)


@click.command()
@click.option("--remote", required=True, metavar=REMOTE_METAVAR, help=REMOTE_HELP)
@click.option("--branch", required=True, metavar="BRANCH", help="Hydrated branch to roll back.")
@click.option("--to", "to", required=True, metavar="SHA", help="A hydrated commit or the dry commit that produced it.")
@click.option("--repo", type=click.Path(file_okay=False), metavar="ROOT", help="Repository whose remotes and git config apply (default: .).")
@click.option("--author", "author", metavar="'NAME <EMAIL>'", help="Author/committer 'Name <email>' (default: git config user.name/email, else sluice).")
def rollback(remote: str, branch: str, to: str, repo: str | None, author: str | None) -> None:
    """Roll BRANCH back to an earlier hydration, forward-only, until a newer dry commit is hydrated.

    Writes one new commit on top of BRANCH whose files are those of the hydrated commit TO (or of
    the newest commit that hydrated dry commit TO); history is never rewritten. The rollback holds:
    `sluice hydrate` of the dry commit the branch had reached, or of older ones, leaves it in place
    (exit 3, "held by a rollback"). It is released by hydrating a newer dry commit, or by
    `sluice hydrate --release-rollback` of the same one."""

    def go() -> int:
        from ..applier import rollback as do_rollback
        from ..applier.dryrepo import (
            git_author,
            parse_author,
            resolve_remote,
            transport_config,
        )
        from ..applier.history import history as read_history

        root = git_root_or_none(repo)
        url = resolve_remote(remote, root)
        access = transport_config(root) if root else ()
        who = parse_author(author) if author else (git_author(root) if root else None)
        from ..applier.repo import DEFAULT_AUTHOR_EMAIL, DEFAULT_AUTHOR_NAME

        name, email = (who.name, who.email) if who else (DEFAULT_AUTHOR_NAME, DEFAULT_AUTHOR_EMAIL)
        result = do_rollback(url, branch, to, config=access, author_name=name, author_email=email)
        if not result.changed:
            click.echo(f"{branch}: already at the content of {to}, no commit")
            return EXIT_OK
        click.echo(f"{branch}: rolled back to {to}: {(result.old_sha or '')[:12]} -> {(result.new_sha or '')[:12]}")
        held = read_history(url, branch, 1, config=access)
        held_at = ""
        if held and held[0].sha == result.new_sha:
            held_at = held[0].held_at or ""
        click.echo(f"holds until a dry commit newer than {held_at[:12] or 'the current one'} is hydrated; "
                   "re-running hydrate of the same dry commit does not undo it. "
                   "Release: hydrate a newer dry commit, or `sluice hydrate --release-rollback`.")
        return EXIT_OK

    run_command(go)
