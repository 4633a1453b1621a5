"""`sluice report`: the fleet as a static HTML site (and its JSON model)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .options import (
    OUTPUT_FORMAT,
    SOURCE_OPTIONS,
    STRICT_OPTION,
    repository_map,
)
from .rendering import REMOTE_HELP, REMOTE_METAVAR
from .run import EXIT_OK, run_command


@click.command()
@click.argument("repo", default=".", type=click.Path(file_okay=False))
@click.option("--out", "out", type=click.Path(file_okay=False), help="Directory to write the HTML site into (replaced whole).")
@click.option("--base", metavar="REF", help="Also show the change against this git revision, as `sluice diff --base` does.")
@click.option("--remote", metavar=REMOTE_METAVAR, help="Also show each hydrated branch's history on this remote. " + REMOTE_HELP)
@click.option("--history-limit", default=20, show_default=True, type=click.IntRange(min=1),
              help="Commits shown per hydrated branch (with --remote).")
@OUTPUT_FORMAT("text", "json", help="json: print the report's model (the site's data) to stdout.")
@SOURCE_OPTIONS
@STRICT_OPTION
def report(repo: str, out: str | None, base: str | None, remote: str | None, history_limit: int, output_format: str,
           chart_cache: str | None, repositories: tuple[str, ...], allowed_roots: tuple[str, ...],
           helm_releases: str | None, strict: bool, helm_engine: str | None = None) -> None:
    """A static HTML report of the fleet: what runs where, versions per cluster, changes, history."""

    def go() -> int:
        from ..report import build_model, write_site
        from ..report.gather import collect

        if out is None and output_format != "json":
            raise click.UsageError("give --out DIR (the site), or --output json (the model)")
        found = collect(repo, base=base, remote=remote, history_limit=history_limit, strict=strict,
                        chart_cache=chart_cache, repositories=repository_map(repositories), helm_releases=helm_releases,
                        allowed_roots=allowed_roots, **({"helm_engine": helm_engine} if helm_engine else {}))
        model = build_model(found.bundles, changes=found.changes, history=found.history)
        stats = write_site(model, out) if out else None
        if output_format == "json":
            click.echo(json.dumps(model, indent=2))
        elif stats and out:
            click.echo(f"wrote {stats.pages} pages ({stats.total_bytes // 1024} KiB in {stats.files} files) to {out}; "
                       f"open {Path(out) / 'index.html'}")
        return EXIT_OK

    run_command(go)
