"""The `sluice` command line: a thin shell over the core.

Each command parses options, calls the core, and formats the result. Core errors are
typed (`SluiceError`); they become a one-line message and exit code 2 here.
"""
from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any, Callable

import click

from .options import (
    ALLOW_SECRETS_OPTION,
    ALLOW_ROOT_OPTION,
    CHART_CACHE_OPTION,
    HELM_ENGINE_OPTION,
    HELM_RELEASES_OPTION,
    REPOSITORY_OPTION,
    STRICT_OPTION,
    repository_map,
)
from ..core.errors import SluiceError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
# hydrate: nothing written because a branch already holds a newer dry commit (or a rollback holds it)
EXIT_SUPERSEDED = 3
# recorded in hydrator.metadata: how to reproduce a bundle, free of machine-specific paths
RENDER_COMMANDS = ("sluice render",)


def _fail(exc: BaseException, debug: bool) -> int:
    if debug:
        traceback.print_exc()
    click.echo(f"error: {exc}", err=True)
    return EXIT_INPUT


def _run(fn: Callable[[], int | None]) -> None:
    ctx = click.get_current_context()
    debug = bool(ctx.find_root().params.get("debug"))
    try:
        code = fn() or EXIT_OK
    except SluiceError as exc:
        code = _fail(exc, debug)
    except RecursionError:
        code = _fail(SluiceError("input nests too deeply (a cycle or a YAML bomb?)"), debug)
    except OSError as exc:  # the last line of defence: a file the core could not read is an input error
        code = _fail(SluiceError(f"cannot read {exc.filename or 'a file'}: {exc.strerror or exc}"), debug)
    ctx.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="sluice", prog_name="sluice")
def cli(debug: bool) -> None:
    """sluice: render GitOps repositories (Kustomize, Helm, Argo CD) offline into hydrated branches."""


def _repo_and_path(directory: str, repo: str | None) -> tuple[Any, str]:
    from ..core.fs import RepoFS, build_root

    target = Path(directory).resolve()
    if not target.exists():
        raise SluiceError(f"directory not found: {directory}")
    fs = RepoFS(Path(repo).resolve() if repo else build_root(target))
    return fs, fs.relpath(target)


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--repo", type=click.Path(file_okay=False),
              help="Confine every read to this repository root (default: kustomize's load restrictor alone, as kubectl kustomize).")
@click.option("--load-restrictor", type=click.Choice(["LoadRestrictionsRootOnly", "LoadRestrictionsNone", "rootOnly", "none"]),
              default="LoadRestrictionsRootOnly", show_default=True, help="Whether files outside a kustomization's directory may be read.")
@click.option("--enable-helm", is_flag=True, help="Inflate helmCharts through sluice's Helm engine.")
@click.option("--reorder", type=click.Choice(["legacy", "none"]), default="legacy", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
def build(directory: str, repo: str | None, load_restrictor: str, enable_helm: bool, reorder: str, output: str | None) -> None:
    """Build one kustomization, as `kubectl kustomize DIRECTORY` does."""

    def go() -> int:
        from ..kustomize import BuildOptions, Builder
        from ..core.yaml import dump_documents

        fs, path = _repo_and_path(directory, repo)
        restrictor = "none" if load_restrictor in ("LoadRestrictionsNone", "none") else "rootOnly"
        engine = None
        if enable_helm:
            from ..helm.kustomize_adapter import KustomizeHelm

            engine = KustomizeHelm()
        options = BuildOptions(load_restrictor=restrictor, enable_helm=enable_helm, reorder=reorder, helm_engine=engine)
        try:
            text = dump_documents(Builder(fs, options).build(path))
        except SluiceError as exc:
            if exc.file and fs.root == Path(fs.root.anchor):  # read from `/`: name files as kubectl does
                exc.file = fs.abspath(exc.file)
            raise
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return EXIT_OK

    _run(go)


def _repo_config(root: Path) -> Any:
    """sluice.yaml of `root`, or None when it cannot be read (the render reports why)."""
    from ..fleet.config import load_config
    from ..core.fs import RepoFS

    try:
        return load_config(RepoFS(root))
    except SluiceError:
        return None


def _dry_source(root: Path, rev: str, commands: tuple[str, ...], *, required: bool = False) -> Any:
    """The dry commit behind a render; None when there is none (not a git work tree, or no
    commit yet), unless `required` (hydration records the commit it renders). Its repoURL
    is sluice.yaml's, never a checkout path, so every clone records the same."""
    from ..applier import read_dry_source
    from ..applier.dryrepo import recorded_repo_url
    from ..core.errors import GitError

    if not (root / ".git").exists():
        return None
    try:
        config = _repo_config(root)
        repo_url = recorded_repo_url(config.repo_url if config else None, root)
        return read_dry_source(root, rev, repo_url=repo_url, commands=commands)
    except GitError:
        if required:
            raise
        return None


def _render(repo: str, out: str | None, write: bool, commands: tuple[str, ...], chart_cache: str | None = None,
            repositories: tuple[str, ...] = (), helm_releases: str | None = None, strict: bool = False,
            allowed_roots: tuple[str, ...] = (), allow_secrets: bool = False,
            helm_engine: str | None = None) -> tuple[Any, Any]:
    from ..fleet.pipeline import render_repo

    root = Path(repo).resolve()
    if not root.is_dir():
        raise SluiceError(f"repository directory not found: {repo}")
    dry = _dry_source(root, "HEAD", commands)
    bundles = render_repo(
        root, out, dry_sha=dry.dry_sha if dry else None, repo_url=dry.repo_url if dry else None,
        commands=commands, write=write, chart_cache=chart_cache, repositories=repository_map(repositories),
        helm_releases=helm_releases, strict=strict, allowed_roots=allowed_roots, allow_plaintext_secrets=allow_secrets,
        helm_engine=helm_engine,
    )
    return bundles, dry


def _echo_bundles(bundles: Any, out: str | None, as_json: bool) -> None:
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
    for note in bundles.notes:
        click.echo(f"{'skipped' if note in bundles.skipped else 'note'}: {note}", err=True)
    for app in bundles.apps:
        click.echo(f"rendered {app.cluster}/{app.app_dir}: {len(app.resources)} resources ({app.app}, branch {app.branch})")
    for warning in bundles.warnings:
        click.echo(f"warning: {warning}", err=True)
    if out:
        click.echo(f"wrote {len(bundles.apps)} app bundles for {len(bundles.clusters())} clusters to {out}")


@cli.command()
@click.argument("repo", default=".", type=click.Path(file_okay=False))
@click.option("--out", "out", type=click.Path(file_okay=False), help="Bundles directory (default: output.dir of sluice.yaml).")
@click.option("--output", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@CHART_CACHE_OPTION
@REPOSITORY_OPTION
@ALLOW_ROOT_OPTION
@HELM_RELEASES_OPTION
@HELM_ENGINE_OPTION
@STRICT_OPTION
@ALLOW_SECRETS_OPTION
def render(repo: str, out: str | None, output_format: str, chart_cache: str | None, repositories: tuple[str, ...],
           allowed_roots: tuple[str, ...], helm_releases: str | None, strict: bool, allow_secrets: bool,
           helm_engine: str | None = None) -> None:
    """Render the whole fleet of REPO into per-cluster bundles."""

    def go() -> int:
        bundles, dry = _render(repo, out, True, RENDER_COMMANDS, chart_cache, repositories, helm_releases, strict,
                               allowed_roots, allow_secrets, helm_engine)
        _echo_bundles(bundles, out or "the output directory", output_format == "json")
        dirty = _dirty(Path(repo).resolve(), out) if dry is not None else ()
        if dirty:
            click.echo(f"warning: rendered uncommitted content (not commit {dry.dry_sha[:12]}): {', '.join(dirty)}", err=True)
        return EXIT_OK

    _run(go)


def _dirty(root: Path, out: str | None) -> tuple[str, ...]:
    """Uncommitted paths of the dry checkout that a render reads (the bundles directory aside)."""
    from ..applier.dryrepo import dirty_paths

    ignore = []
    config = _repo_config(root)
    for candidate in (out, config.output_dir if config else None):
        if candidate:
            try:
                ignore.append(str((root / candidate).resolve().relative_to(root)))
            except ValueError:
                pass  # outside the repository
    return dirty_paths(root, ignore)


def _remote_access(root: Path, remote: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    from ..applier.dryrepo import resolve_remote, transport_config

    return resolve_remote(remote, root), transport_config(root)


REMOTE_HELP = ("Where the hydrated branches live: a URL, a path, or a remote configured in the repository "
               "(e.g. origin). Git uses the repository's and your own config (credentials, insteadOf).")


@cli.command()
@click.argument("repo", default=".", type=click.Path(file_okay=False))
@click.option("--remote", required=True, help=REMOTE_HELP)
@click.option("--output", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--allow-dirty", is_flag=True, help="Hydrate uncommitted changes; the commit and hydrator.metadata say so.")
@click.option("--allow-unrelated", is_flag=True,
              help="Hydrate over branches recording a dry commit that is unrelated to HEAD or unknown here.")
@click.option("--release-rollback", is_flag=True, help="Replace a rollback held at this very dry commit.")
@click.option("--author", "author", help="Author/committer 'Name <email>' (default: git config user.name/email, else sluice).")
@CHART_CACHE_OPTION
@REPOSITORY_OPTION
@ALLOW_ROOT_OPTION
@HELM_RELEASES_OPTION
@HELM_ENGINE_OPTION
@STRICT_OPTION
@ALLOW_SECRETS_OPTION
def hydrate(repo: str, remote: str, output_format: str, allow_dirty: bool, allow_unrelated: bool, release_rollback: bool,
            author: str | None, chart_cache: str | None, repositories: tuple[str, ...],
            allowed_roots: tuple[str, ...], helm_releases: str | None, strict: bool, allow_secrets: bool,
            helm_engine: str | None = None) -> None:
    """Render REPO and commit each cluster's bundle to its hydrated branch in REMOTE (one atomic push).

    Branches only move forward in the dry history. Exit status: 0 pushed or nothing to change;
    2 error (dirty tree, unrelated history, ...), nothing pushed; 3 superseded: a branch already
    holds a newer dry commit, or a rollback holds it (nothing written)."""

    def go() -> int:
        import dataclasses

        from ..applier import DryHistory, Monotonic
        from ..applier import hydrate as do_hydrate
        from ..applier.dryrepo import git_author, parse_author, signing_config
        from ..fleet.bundle import bundles_for_hydration

        root = Path(repo).resolve()
        if _dry_source(root, "HEAD", (), required=True) is None:
            raise SluiceError(f"{repo} is not a git work tree: hydration records the dry commit it renders")
        dirty = _dirty(root, None)
        if dirty and not allow_dirty:
            raise SluiceError(f"{repo} has uncommitted changes, which would be recorded as dry commit HEAD: "
                              f"{', '.join(dirty)}; commit them, or pass --allow-dirty. Nothing was pushed.")
        url, access = _remote_access(root, remote)
        who = parse_author(author) if author else git_author(root)
        bundles, dry = _render(repo, None, False, RENDER_COMMANDS, chart_cache, repositories, helm_releases, strict,
                               allowed_roots, allow_secrets, helm_engine)
        if dirty:
            dry = dataclasses.replace(dry, dirty=dirty)
        policy = Monotonic(DryHistory(root), allow_unrelated=allow_unrelated, release_rollback=release_rollback)
        identity = {"author_name": who.name, "author_email": who.email} if who else {}
        retries: list[str] = []
        result = do_hydrate(url, bundles_for_hydration(bundles), dry, preserve=bundles.preserve, monotonic=policy,
                            config=access, signing=signing_config(root), on_retry=lambda n, why: retries.append(why),
                            **identity)
        code = EXIT_SUPERSEDED if result.superseded_by else EXIT_OK
        if output_format == "json":
            click.echo(json.dumps({
                "drySha": dry.dry_sha,
                "pushed": result.pushed,
                "attempts": result.attempts,
                "supersededBy": result.superseded_by,
                "heldByRollback": result.held_by_rollback,
                "dirty": list(dry.dirty),
                "branches": [{"branch": b.branch, "old": b.old_sha, "new": b.new_sha, "changed": b.changed,
                              "status": b.status, "recordedDrySha": b.recorded_dry_sha}
                             for b in result.branches],
            }, indent=2))
            return code
        if dirty:
            click.echo(f"warning: hydrating uncommitted changes (--allow-dirty): {', '.join(dirty)}", err=True)
        if result.superseded_by:
            why = ("held by a rollback (release it by hydrating a newer dry commit, or --release-rollback)"
                   if result.held_by_rollback else "a branch already holds a newer dry commit")
            click.echo(f"dry commit {dry.dry_sha[:12]}: superseded by {result.superseded_by}: {why}; nothing written")
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

    _run(go)


def _maybe_repo(repo: str | None) -> Path | None:
    root = Path(repo or ".").resolve()
    return root if (root / ".git").exists() else None


@cli.command()
@click.option("--remote", required=True, help=REMOTE_HELP)
@click.option("--branch", required=True, help="Hydrated branch, e.g. hydrated/staging.")
@click.option("--limit", default=20, show_default=True)
@click.option("--output", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--repo", type=click.Path(file_okay=False), help="Repository whose remotes and git config apply (default: .).")
def history(remote: str, branch: str, limit: int, output_format: str, repo: str | None) -> None:
    """Which dry commit produced each hydrated commit of BRANCH, newest first."""

    def go() -> int:
        from ..applier import history as read_history
        from ..applier.dryrepo import resolve_remote, transport_config

        root = _maybe_repo(repo)
        url = resolve_remote(remote, root)
        records = read_history(url, branch, limit, config=transport_config(root) if root else ())
        if output_format == "json":
            click.echo(json.dumps([{"sha": r.sha, "drySha": r.dry_sha, "date": r.date, "subject": r.subject,
                                    "rollbackTo": r.rollback_to, "heldAt": r.held_at} for r in records], indent=2))
            return EXIT_OK
        for r in records:
            click.echo(f"{r.sha[:12]}  dry {(r.dry_sha or '?')[:12]}  {r.date}  {r.subject}")
        return EXIT_OK

    _run(go)


@cli.command()
@click.option("--remote", required=True, help=REMOTE_HELP)
@click.option("--branch", required=True, help="Hydrated branch to roll back.")
@click.option("--to", "to", required=True, help="A hydrated commit or the dry commit that produced it.")
@click.option("--repo", type=click.Path(file_okay=False), help="Repository whose remotes and git config apply (default: .).")
@click.option("--author", "author", help="Author/committer 'Name <email>' (default: git config user.name/email, else sluice).")
def rollback(remote: str, branch: str, to: str, repo: str | None, author: str | None) -> None:
    """Roll BRANCH back to an earlier hydration, forward-only, until a newer dry commit is hydrated.

    Writes one new commit on top of BRANCH whose files are those of the hydrated commit TO (or of
    the newest commit that hydrated dry commit TO); history is never rewritten. The rollback holds:
    `sluice hydrate` of the dry commit the branch had reached, or of older ones, leaves it in place
    (exit 3, "held by a rollback"). It is released by hydrating a newer dry commit, or by
    `sluice hydrate --release-rollback` of the same one."""

    def go() -> int:
        from ..applier import rollback as do_rollback
        from ..applier.dryrepo import git_author, parse_author, resolve_remote, transport_config
        from ..applier.history import history as read_history

        root = _maybe_repo(repo)
        url = resolve_remote(remote, root)
        access = transport_config(root) if root else ()
        who = parse_author(author) if author else (git_author(root) if root else None)
        identity = {"author_name": who.name, "author_email": who.email} if who else {}
        result = do_rollback(url, branch, to, config=access, **identity)
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

    _run(go)


@cli.command()
@click.argument("repo", default=".", type=click.Path(file_okay=False))
@click.option("--out", "out", type=click.Path(file_okay=False), help="Directory to write the HTML site into (replaced whole).")
@click.option("--base", help="Also show the change against this git revision, as `sluice diff --base` does.")
@click.option("--remote", help="Also show each hydrated branch's history on this remote. " + REMOTE_HELP)
@click.option("--history-limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--output", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: print the report's model (the site's data) to stdout.")
@CHART_CACHE_OPTION
@REPOSITORY_OPTION
@HELM_RELEASES_OPTION
@STRICT_OPTION
def report(repo: str, out: str | None, base: str | None, remote: str | None, history_limit: int, output_format: str,
           chart_cache: str | None, repositories: tuple[str, ...], helm_releases: str | None, strict: bool) -> None:
    """A static HTML report of the fleet: what runs where, versions per cluster, changes, history."""

    def go() -> int:
        from ..report import build_model, write_site
        from ..report.gather import collect

        if out is None and output_format != "json":
            raise click.UsageError("give --out DIR (the site), or --output json (the model)")
        found = collect(repo, base=base, remote=remote, history_limit=history_limit, strict=strict,
                        chart_cache=chart_cache, repositories=repository_map(repositories), helm_releases=helm_releases)
        model = build_model(found.bundles, changes=found.changes, history=found.history)
        stats = write_site(model, out) if out else None
        if output_format == "json":
            click.echo(json.dumps(model, indent=2))
        elif stats:
            click.echo(f"wrote {stats.pages} pages ({stats.total_bytes // 1024} KiB in {stats.files} files) to {out}; "
                       f"open {Path(out) / 'index.html'}")
        return EXIT_OK

    _run(go)


def _register_subcommands() -> None:
    from .appset import appset
    from .diff import diff
    from .flux import flux
    from .helm import helm
    from .verify import verify

    for command in (appset, diff, flux, helm, verify):
        cli.add_command(command)


_register_subcommands()


def _exit_on_sigterm() -> None:
    """A CI runner cancelling the job sends SIGTERM: unwind (finally blocks remove scratch
    directories, nothing half-pushed) instead of dying where we stand."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        def stop(signum: int, _frame: object) -> None:
            raise SystemExit(128 + signum)

        signal.signal(signal.SIGTERM, stop)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code instead of exiting (testable)."""
    _exit_on_sigterm()
    try:
        result = cli.main(args=argv, prog_name="sluice", standalone_mode=False)
        return int(result) if isinstance(result, int) else EXIT_OK
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except click.ClickException as exc:
        exc.show()
        return EXIT_INPUT
    except click.exceptions.Abort:
        return EXIT_INPUT


if __name__ == "__main__":
    raise SystemExit(main())
