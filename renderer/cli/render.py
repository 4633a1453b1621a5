"""`sluice render`: the whole fleet into per-cluster bundles on disk."""
from __future__ import annotations

from pathlib import Path

import click

from .options import (
    ALLOW_SECRETS_OPTION,
    CACHE_DIR_OPTION,
    JOBS_OPTION,
    OUTPUT_FORMAT,
    SELECT_OPTIONS,
    SOURCE_OPTIONS,
    STRICT_OPTION,
    target_filter,
)
from .rendering import RENDER_COMMANDS, echo_bundles, render_fleet, uncommitted
from .run import EXIT_OK, run_command


def _default_out(repo: str) -> str:
    """Where a render without --out wrote: sluice.yaml's `output.dir` in the repository."""
    from .rendering import repo_config

    config = repo_config(Path(repo).resolve())
    return str(Path(repo) / (config.output_dir if config is not None else "out"))


@click.command()
@click.argument("repo", default=".", type=click.Path(file_okay=False))
@click.option("--out", "out", type=click.Path(file_okay=False), help="Bundles directory (default: output.dir of sluice.yaml).")
@OUTPUT_FORMAT("text", "json")
@SELECT_OPTIONS
@SOURCE_OPTIONS
@STRICT_OPTION
@ALLOW_SECRETS_OPTION
@JOBS_OPTION
@CACHE_DIR_OPTION
@click.option("--shard", metavar="I/N", help="Render only shard I of N (stable by cluster and app) with a shard "
                                             "manifest; join the N outputs with `sluice hydrate --bundles`.")
def render(repo: str, out: str | None, output_format: str, select_clusters: tuple[str, ...], select_apps: tuple[str, ...],
           chart_cache: str | None, repositories: tuple[str, ...],
           allowed_roots: tuple[str, ...], helm_releases: str | None, strict: bool, allow_secrets: bool,
           jobs: int = 1, cache_dir: str | None = None, shard: str | None = None, helm_engine: str | None = None) -> None:
    """Render the whole fleet of REPO into per-cluster bundles (with --cluster/--app: only those;
    the bundles directory then holds the selection alone)."""

    def go() -> int:
        from ..fleet.shards import parse_shard

        bundles, dry = render_fleet(repo, out, True, RENDER_COMMANDS, chart_cache, repositories, helm_releases, strict,
                               allowed_roots, allow_secrets, select=target_filter(select_clusters, select_apps),
                                     jobs=jobs, cache_dir=cache_dir, shard=parse_shard(shard) if shard else None,
                                     helm_engine=helm_engine)
        echo_bundles(bundles, out or _default_out(repo), output_format == "json")
        dirty = uncommitted(Path(repo).resolve(), out) if dry is not None else ()
        if dirty:
            click.echo(f"warning: rendered uncommitted content (not commit {dry.dry_sha[:12]}): {', '.join(dirty)}", err=True)
        return EXIT_OK

    run_command(go)
