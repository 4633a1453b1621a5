"""`sluice get targets|clusters|sources|skipped`: the fleet as discovery sees it, as a table
or JSON (renderer/fleet/listing.py); nothing is rendered."""
from __future__ import annotations

import json
from typing import Any

import click

from .options import (
    LIMIT_OPTION,
    ALLOW_ROOT_OPTION,
    OUTPUT_FORMAT,
    REPOSITORY_OPTION,
    SELECT_OPTIONS,
    repository_map,
    target_filter,
)

COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "targets": (("CLUSTER", "cluster"), ("APP", "app"), ("DIR", "appDir"), ("KIND", "kind"), ("SOURCE", "source"),
                ("BRANCH", "branch"), ("ORIGIN", "origin")),
    "clusters": (("CLUSTER", "cluster"), ("SERVER", "server"), ("KUBE", "kubeVersion"), ("TARGETS", "targets"),
                 ("ORIGIN", "origin")),
    "sources": (("REPOSITORY", "repository"), ("PATH", "path"), ("CHART", "chart"), ("TARGETS", "targets")),
    "skipped": (("REASON", "reason"), ("WHAT", "message")),
}


def table(rows: tuple[dict[str, Any], ...], columns: tuple[tuple[str, str], ...]) -> str:
    """Columns aligned as kubectl get prints them; `-` for an empty cell."""
    cells = [[title for title, _ in columns]] + [[str(r.get(key)) if r.get(key) not in ("", None) else "-"
                                                   for _, key in columns] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    return "".join("   ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() + "\n" for row in cells)


@click.command("get")
@click.argument("what", type=click.Choice(list(COLUMNS)))
@click.argument("repo", default=".", type=click.Path(file_okay=False))
@OUTPUT_FORMAT("text", "json")
@SELECT_OPTIONS
@REPOSITORY_OPTION
@ALLOW_ROOT_OPTION
@LIMIT_OPTION
def get(what: str, repo: str, output_format: str, select_clusters: tuple[str, ...], select_apps: tuple[str, ...],
        repositories: tuple[str, ...], allowed_roots: tuple[str, ...]) -> None:
    """List the fleet of REPO without rendering: targets (Application x cluster), clusters, the sources
    they read, and what is skipped and why. The children of an app of apps show after `sluice render`."""
    from .run import EXIT_OK, run_command

    def go() -> int:
        from ..fleet.listing import list_fleet

        listing = list_fleet(repo, repositories=repository_map(repositories), allowed_roots=allowed_roots,
                             select=target_filter(select_clusters, select_apps))
        rows = listing.table(what)
        if output_format == "json":
            click.echo(json.dumps(list(rows), indent=2))
        elif rows:
            click.echo(table(rows, COLUMNS[what]), nl=False)
        else:
            click.echo(f"no {what}", err=True)
        return EXIT_OK

    run_command(go)
