"""`sluice diff`: the click command (registered on the root group, renderer/cli/app.py)."""
from __future__ import annotations

import os
import sys
from typing import Callable

import click

from .options import (
    OUTPUT_FORMAT,
    SELECT_OPTIONS,
    SOURCE_OPTIONS,
    repository_map,
    target_filter,
)

COLOR_CHOICES = ("auto", "always", "never")
COLOR_HELP = "Color the text output (auto: when stdout is a terminal and NO_COLOR is not set)."


def use_color(mode: str, stream: object = None) -> bool:
    """--color auto|always|never; auto: a terminal and no NO_COLOR in the environment."""
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    stream = stream if stream is not None else sys.stdout
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def stderr_progress() -> tuple[Callable[[str], None] | None, Callable[[], None]]:
    """A `rich` status line on stderr when it is a terminal; otherwise plain lines, once
    the work has taken a second, at most one a second (pre-commit has no terminal)."""
    if not sys.stderr.isatty():
        from ..core.progress import Throttled

        return Throttled(sys.stderr), lambda: None
    from rich.console import Console

    status = Console(stderr=True).status("sluice")
    status.start()
    return (lambda message: status.update(message)), status.stop


@click.command("diff")
@click.argument("repo", default=".", type=click.Path(file_okay=False))
@click.option("--base", required=True, metavar="REF", help="Git revision to compare against (e.g. origin/main).")
@click.option("--head", default=None, metavar="REF", help="Git revision to compare (default: the working tree as it is).")
@OUTPUT_FORMAT("text", "markdown", "json")
@click.option("--color", type=click.Choice(COLOR_CHOICES), default="auto", show_default=True, help=COLOR_HELP)
@click.option("--max-bytes", type=click.IntRange(min=1000), default=60000, show_default=True,
              help="Size cap of the markdown output (a pull-request comment); layouts shorten until it fits.")
@click.option("--max-lines", type=click.IntRange(min=0), default=200, show_default=True,
              help="Lines shown of one resource's diff in text and markdown (0: all; json is never capped).")
@SELECT_OPTIONS
@click.option("--exit-code", is_flag=True, help="Exit with 1 when there are differences.")
@click.option("--show-secrets", is_flag=True,
              help="Print the values of Secrets (redacted by default: diff output often lands in PR comments and CI logs).")
@SOURCE_OPTIONS
def diff(repo: str, base: str, head: str | None, output_format: str, color: str, max_bytes: int, max_lines: int,
         select_clusters: tuple[str, ...], select_apps: tuple[str, ...], exit_code: bool, show_secrets: bool,
         chart_cache: str | None, repositories: tuple[str, ...], allowed_roots: tuple[str, ...],
         helm_releases: str | None, helm_engine: str | None = None) -> None:
    """Render two revisions of REPO and show the difference per cluster, app and resource."""
    from .run import EXIT_FINDINGS, EXIT_OK, run_command

    def go() -> int:
        from ..diff.compare import (
            diff_revisions,
            report_json,
            report_markdown,
            report_text,
        )

        select = target_filter(select_clusters, select_apps)
        lines = max_lines or None
        progress, done = stderr_progress()
        try:
            result = diff_revisions(repo, base, head, progress=progress, show_secrets=show_secrets, select=select,
                                    chart_cache=chart_cache,
                                    repositories=repository_map(repositories), helm_releases=helm_releases,
                                    allowed_roots=allowed_roots, **({"helm_engine": helm_engine} if helm_engine else {}))
        finally:
            done()
        if output_format == "json":
            click.echo(report_json(result), nl=False)
        elif output_format == "markdown":
            click.echo(report_markdown(result, max_bytes=max_bytes, max_lines=lines), nl=False)
        else:
            click.echo(report_text(result, color=use_color(color), max_lines=lines), nl=False, color=color != "never" and use_color(color))
        return EXIT_FINDINGS if exit_code and result.changed else EXIT_OK

    run_command(go)
