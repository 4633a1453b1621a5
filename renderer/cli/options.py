"""Options several commands share (render, hydrate, diff): how a render reaches what is
not in the dry repository."""
from __future__ import annotations

from typing import Any

import click

__all__ = ["ALLOW_ROOT_OPTION", "ALLOW_SECRETS_OPTION", "BUNDLES_OPTION", "CACHE_DIR_OPTION", "CHART_CACHE_OPTION", "JOBS_OPTION", "HELM_RELEASES_OPTION", "REPOSITORY_OPTION",
           "STRICT_OPTION", "repository_map"]

CHART_CACHE_OPTION = click.option(
    "--chart-cache", type=click.Path(file_okay=False),
    help="Charts of HelmRepository sources (fill it with `sluice helm pull`).")


def repository_map(pairs: tuple[str, ...]) -> dict[str, str]:
    """--repository URL=PATH options as a mapping."""
    out: dict[str, str] = {}
    for pair in pairs:
        url, sep, path = pair.rpartition("=")
        if not sep or not url or not path:
            raise click.UsageError(f"--repository {pair!r}: expected URL=PATH")
        out[url] = path
    return out


REPOSITORY_OPTION = click.option(
    "--repository", "repositories", multiple=True, metavar="URL=PATH",
    help="A local checkout of another repository the Applications use (adds to sluice.yaml `repositories`).")


ALLOW_ROOT_OPTION = click.option(
    "--allow-root", "allowed_roots", multiple=True, metavar="DIR", type=click.Path(file_okay=False),
    help="A directory outside the repository that sluice.yaml `repositories` may name (repeatable). Only the "
         "command line grants reads outside the repository; the repository's own files never can.")


HELM_RELEASES_OPTION = click.option(
    "--helm-releases", type=click.Choice(["inflate", "auto", "passthrough"]),
    help="Override sluice.yaml `helmReleases` (auto: inflate what renders offline, keep the rest for Flux).")


STRICT_OPTION = click.option(
    "--strict", is_flag=True,
    help="Fail (exit 2, nothing written or pushed) when an Application or HelmRelease is left out as out of reach.")


ALLOW_SECRETS_OPTION = click.option(
    "--allow-secrets", is_flag=True,
    help="Write plaintext Secrets to bundles and hydrated branches (as sluice.yaml `allowPlaintextSecrets`).")


def _jobs(ctx: click.Context, param: click.Parameter, value: int | None) -> int:
    """--jobs default: the cores this process may use."""
    if value is not None:
        return value
    from ..fleet.workers import default_jobs

    return default_jobs()


JOBS_OPTION = click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None, callback=_jobs,
    help="Worker processes rendering targets (default: the machine's cores; 1: render in this process). "
         "Output is byte-identical whatever the count.")


CACHE_DIR_OPTION = click.option(
    "--cache-dir", type=click.Path(file_okay=False), envvar="SLUICE_CACHE_DIR",
    help="Cache of rendered targets keyed by the digest of every input they read (also SLUICE_CACHE_DIR). "
         "Entries are verified on read; keep it outside the repository, where a pull request cannot write.")


class GreedyOption(click.Option):
    """An option taking one or more values: `--bundles A B C` (and repeatable)."""

    def add_to_parser(self, parser: Any, ctx: click.Context) -> None:
        super().add_to_parser(parser, ctx)
        for name in self.opts:
            option = getattr(parser, "_long_opt", {}).get(name)
            if option is None:
                continue
            process = option.process

            def greedy(value: Any, state: Any, process: Any = process) -> None:
                process(value, state)
                while state.rargs and not state.rargs[0].startswith("-"):
                    process(state.rargs.pop(0), state)

            option.process = greedy


BUNDLES_OPTION = click.option(
    "--bundles", "bundle_dirs", cls=GreedyOption, multiple=True, metavar="DIR [DIR ...]",
    type=click.Path(file_okay=False),
    help="Hydrate the shard outputs of `sluice render --shard I/N` (every shard, one dry commit) instead of "
         "rendering: one atomic push.")
