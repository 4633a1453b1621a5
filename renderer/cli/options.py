"""Options several commands share (render, hydrate, diff): how a render reaches what is
not in the dry repository."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

__all__ = ["SOURCE_OPTIONS", "SELECT_OPTIONS", "target_filter", "OUTPUT_FORMAT", "ALLOW_ROOT_OPTION", "ALLOW_SECRETS_OPTION", "BUNDLES_OPTION", "CACHE_DIR_OPTION", "JOBS_OPTION", "CHART_CACHE_OPTION", "HELM_ENGINE_OPTION", "HELM_RELEASES_OPTION", "LIMIT_OPTION", "REPOSITORY_OPTION",
           "STRICT_OPTION", "REPO_ROOT_HELP", "repository_map", "repository_root"]

REPO_ROOT_HELP = ("Repository root (default: the nearest directory above holding .git or sluice.yaml; outside any, "
                  "the current directory).")


def repository_root(target: Path) -> Path:
    """The repository a file or directory argument belongs to, when --repo does not say: the
    nearest directory above it holding `.git` or sluice.yaml; outside any, the current
    directory when the target is in it (as `sluice render` defaults REPO to .), else the
    target's own directory."""
    target = target.resolve()
    for parent in [target, *target.parents]:
        if (parent / ".git").exists() or (parent / "sluice.yaml").is_file():
            return parent
    here = Path.cwd().resolve()
    if target == here or here in target.parents:
        return here
    return target if target.is_dir() else target.parent


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


HELM_ENGINE_OPTION = click.option(
    "--helm-engine", type=click.Choice(["in-process", "cli"]),
    help="Override sluice.yaml `helm.engine`: in-process (Helm 4.2.3 library) or cli (the helm binary on PATH).")


STRICT_OPTION = click.option(
    "--strict", is_flag=True,
    help="Fail (exit 2, nothing written or pushed) when an Application or HelmRelease is left out as out of reach.")


ALLOW_SECRETS_OPTION = click.option(
    "--allow-secrets", is_flag=True,
    help="Write plaintext Secrets to bundles and hydrated branches (as sluice.yaml `allowPlaintextSecrets`).")


def SELECT_OPTIONS(fn: Any) -> Any:  # noqa: N802 - used as a decorator, like the constants above
    """--cluster/--app: narrow render, diff and verify to some targets before rendering."""
    fn = click.option("--app", "select_apps", multiple=True, metavar="GLOB",
                      help="Only Applications whose name or app directory matches (Go glob, repeatable).")(fn)
    return click.option("--cluster", "select_clusters", multiple=True, metavar="GLOB",
                        help="Only targets of clusters whose name matches (Go glob, repeatable).")(fn)


def target_filter(clusters: tuple[str, ...], apps: tuple[str, ...]) -> Any:
    """The core's TargetFilter for --cluster/--app (None when neither is given)."""
    if not clusters and not apps:
        return None
    from ..fleet.select import TargetFilter

    return TargetFilter(clusters=clusters, apps=apps)


def OUTPUT_FORMAT(*choices: str, default: str | None = None, help: str | None = None) -> Any:  # noqa: N802
    """-o/--output: always a format, on every command (a path has its own flag, --out)."""
    return click.option("-o", "--output", "output_format", type=click.Choice(list(choices)),
                        default=default or choices[0], show_default=True, help=help or "Output format.")


def deprecated(old: str, new: str) -> None:
    """One line on stderr for a spelling kept for one release (stdout stays clean for pipes)."""
    click.echo(f"warning: {old} is deprecated and will be removed in the next release; use {new}", err=True)


def legacy_output_path(*formats: str) -> Any:
    """-o/--output is a format; before, some commands took a file there (`sluice build -o FILE`,
    as `kubectl kustomize -o`). A value that is no format is that old path, kept for one
    release with a warning. The callback gives (format, legacy path or None)."""
    def callback(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, str | None]:
        if value in formats:
            return value, None
        deprecated(f"-o/--output FILE ({value!r})", f"--out {value} (-o/--output is a format: {'|'.join(formats)})")
        return formats[0], value

    return callback
JOBS_OPTION = click.option(
    "-j", "--jobs", type=click.IntRange(min=0), default=0,
    help="Worker processes rendering targets (default 0: the machine's cores for fleets of 400 targets or "
         "more, else one process; 1: render in this process). Output is byte-identical whatever the count.")


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


def _enter_limits(ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> None:
    """Raise the run's ceilings for as long as the command runs (click closes the resource)."""
    if not values:
        return
    from ..core.errors import SluiceError
    from ..core.limits import parse_limit, raised_limits

    try:
        pairs = dict(parse_limit(v) for v in values)
    except SluiceError as exc:
        raise click.BadParameter(exc.message) from None
    ctx.with_resource(raised_limits(pairs))


LIMIT_OPTION = click.option(
    "--limit", "limits", multiple=True, metavar="KEY=N", expose_value=False, callback=_enter_limits,
    help="Raise a ceiling on the work of this run (generatedApplications, helmRenderSeconds, helmOutputBytes, "
         "helmRenderMemory). "
         "sluice.yaml `limits` may only lower the ceilings: a pull request controls it.")


def SOURCE_OPTIONS(fn: Any) -> Any:  # noqa: N802 - used as a decorator, like the constants above
    """What every rendering command (render, hydrate, verify, diff) takes: how a render reaches
    what is not in the dry repository, which Helm renders charts, and the run's ceilings."""
    for option in (LIMIT_OPTION, HELM_ENGINE_OPTION, HELM_RELEASES_OPTION, ALLOW_ROOT_OPTION, REPOSITORY_OPTION,
                   CHART_CACHE_OPTION):
        fn = option(fn)
    return fn
