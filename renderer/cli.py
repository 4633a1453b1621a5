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

from .cli_options import ALLOW_SECRETS_OPTION, CHART_CACHE_OPTION, HELM_RELEASES_OPTION, REPOSITORY_OPTION, STRICT_OPTION, repository_map
from .errors import SluiceError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
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
    ctx.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="sluice", prog_name="sluice")
def cli(debug: bool) -> None:
    """sluice: render GitOps repositories (Kustomize, Helm, Argo CD) offline into hydrated branches."""


def _repo_and_path(directory: str, repo: str | None) -> tuple[Any, str]:
    from .fs import RepoFS

    target = Path(directory).resolve()
    if not target.exists():
        raise SluiceError(f"directory not found: {directory}")
    root = Path(repo).resolve() if repo else _default_root(target)
    fs = RepoFS(root)
    return fs, fs.relpath(target)


def _default_root(target: Path) -> Path:
    """The enclosing git work tree (files outside it cannot be read), else the target itself."""
    for parent in [target, *target.parents]:
        if (parent / ".git").exists():
            return parent
    return target


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--repo", type=click.Path(file_okay=False), help="Repository root (default: the enclosing git repository).")
@click.option("--load-restrictor", type=click.Choice(["LoadRestrictionsRootOnly", "LoadRestrictionsNone", "rootOnly", "none"]),
              default="LoadRestrictionsRootOnly", show_default=True, help="Whether files outside a kustomization's directory may be read.")
@click.option("--enable-helm", is_flag=True, help="Inflate helmCharts through sluice's Helm engine.")
@click.option("--reorder", type=click.Choice(["legacy", "none"]), default="legacy", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
def build(directory: str, repo: str | None, load_restrictor: str, enable_helm: bool, reorder: str, output: str | None) -> None:
    """Build one kustomization, as `kubectl kustomize DIRECTORY` does."""

    def go() -> int:
        from .kustomize import BuildOptions, Builder
        from .yaml import dump_documents

        fs, path = _repo_and_path(directory, repo)
        restrictor = "none" if load_restrictor in ("LoadRestrictionsNone", "none") else "rootOnly"
        engine = None
        if enable_helm:
            from .helm.kustomize_adapter import KustomizeHelm

            engine = KustomizeHelm()
        options = BuildOptions(load_restrictor=restrictor, enable_helm=enable_helm, reorder=reorder, helm_engine=engine)
        text = dump_documents(Builder(fs, options).build(path))
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return EXIT_OK

    _run(go)


def _dry_source(root: Path, rev: str, commands: tuple[str, ...], *, required: bool = False) -> Any:
    """The dry commit behind a render; None when there is none (not a git work tree, or no
    commit yet), unless `required` (hydration records the commit it renders)."""
    from .applier import read_dry_source
    from .errors import GitError

    if not (root / ".git").exists():
        return None
    try:
        return read_dry_source(root, rev, commands=commands)
    except GitError:
        if required:
            raise
        return None


def _render(repo: str, out: str | None, write: bool, commands: tuple[str, ...], chart_cache: str | None = None,
            repositories: tuple[str, ...] = (), helm_releases: str | None = None, strict: bool = False,
            allow_secrets: bool = False) -> tuple[Any, Any]:
    from .pipeline import render_repo

    root = Path(repo).resolve()
    if not root.is_dir():
        raise SluiceError(f"repository directory not found: {repo}")
    dry = _dry_source(root, "HEAD", commands)
    bundles = render_repo(
        root, out, dry_sha=dry.dry_sha if dry else None, repo_url=dry.repo_url if dry else None,
        commands=commands, write=write, chart_cache=chart_cache, repositories=repository_map(repositories),
        helm_releases=helm_releases, strict=strict, allow_plaintext_secrets=allow_secrets,
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
@HELM_RELEASES_OPTION
@STRICT_OPTION
@ALLOW_SECRETS_OPTION
def render(repo: str, out: str | None, output_format: str, chart_cache: str | None, repositories: tuple[str, ...],
           helm_releases: str | None, strict: bool, allow_secrets: bool) -> None:
    """Render the whole fleet of REPO into per-cluster bundles."""

    def go() -> int:
        bundles, _dry = _render(repo, out, True, RENDER_COMMANDS, chart_cache, repositories, helm_releases, strict,
                                allow_secrets)
        _echo_bundles(bundles, out or "the output directory", output_format == "json")
        return EXIT_OK

    _run(go)


@cli.command()
@click.argument("repo", default=".", type=click.Path(file_okay=False))
@click.option("--remote", required=True, help="Git remote (URL or path) that receives the hydrated branches.")
@click.option("--output", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@CHART_CACHE_OPTION
@REPOSITORY_OPTION
@HELM_RELEASES_OPTION
@STRICT_OPTION
@ALLOW_SECRETS_OPTION
def hydrate(repo: str, remote: str, output_format: str, chart_cache: str | None, repositories: tuple[str, ...],
            helm_releases: str | None, strict: bool, allow_secrets: bool) -> None:
    """Render REPO and commit each cluster's bundle to its hydrated branch in REMOTE (one atomic push)."""

    def go() -> int:
        from .applier import hydrate as do_hydrate
        from .bundle import bundles_for_hydration

        root = Path(repo).resolve()
        if _dry_source(root, "HEAD", (), required=True) is None:
            raise SluiceError(f"{repo} is not a git work tree: hydration records the dry commit it renders")
        bundles, dry = _render(repo, None, False, RENDER_COMMANDS, chart_cache, repositories, helm_releases, strict,
                               allow_secrets)
        result = do_hydrate(remote, bundles_for_hydration(bundles), dry, preserve=bundles.preserve)
        if output_format == "json":
            click.echo(json.dumps({
                "drySha": dry.dry_sha,
                "pushed": result.pushed,
                "branches": [{"branch": b.branch, "old": b.old_sha, "new": b.new_sha, "changed": b.changed}
                             for b in result.branches],
            }, indent=2))
            return EXIT_OK
        for b in result.branches:
            if b.changed:
                click.echo(f"{b.branch}: {(b.old_sha or 'new')[:12]} -> {b.new_sha[:12] if b.new_sha else '?'}")
            else:
                click.echo(f"{b.branch}: unchanged, no commit")
        click.echo(f"dry commit {dry.dry_sha[:12]}: " + ("pushed" if result.pushed else "nothing to push"))
        return EXIT_OK

    _run(go)


@cli.command()
@click.option("--remote", required=True, help="Git remote holding the hydrated branches.")
@click.option("--branch", required=True, help="Hydrated branch, e.g. hydrated/staging.")
@click.option("--limit", default=20, show_default=True)
@click.option("--output", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def history(remote: str, branch: str, limit: int, output_format: str) -> None:
    """Which dry commit produced each hydrated commit of BRANCH, newest first."""

    def go() -> int:
        from .applier import history as read_history

        records = read_history(remote, branch, limit)
        if output_format == "json":
            click.echo(json.dumps([{"sha": r.sha, "drySha": r.dry_sha, "date": r.date, "subject": r.subject,
                                    "rollbackTo": r.rollback_to} for r in records], indent=2))
            return EXIT_OK
        for r in records:
            click.echo(f"{r.sha[:12]}  dry {(r.dry_sha or '?')[:12]}  {r.date}  {r.subject}")
        return EXIT_OK

    _run(go)


@cli.command()
@click.option("--remote", required=True, help="Git remote holding the hydrated branches.")
@click.option("--branch", required=True, help="Hydrated branch to roll back.")
@click.option("--to", "to", required=True, help="A hydrated commit or the dry commit that produced it.")
def rollback(remote: str, branch: str, to: str) -> None:
    """Make a new commit on BRANCH whose content is that of an earlier hydration (forward-only)."""

    def go() -> int:
        from .applier import rollback as do_rollback

        result = do_rollback(remote, branch, to)
        if result.changed:
            click.echo(f"{branch}: rolled back to {to}: {(result.old_sha or '')[:12]} -> {(result.new_sha or '')[:12]}")
        else:
            click.echo(f"{branch}: already at the content of {to}, no commit")
        return EXIT_OK

    _run(go)


def _register_subcommands() -> None:
    from .appset.cli import appset
    from .diff_cli import diff
    from .flux.cli import flux
    from .helm.cli import helm
    from .verify.cli import verify

    for command in (appset, diff, flux, helm, verify):
        cli.add_command(command)


_register_subcommands()


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code instead of exiting (testable)."""
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
