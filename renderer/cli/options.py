"""Options several commands share (render, hydrate, diff): how a render reaches what is
not in the dry repository."""
from __future__ import annotations

import click

__all__ = ["ALLOW_ROOT_OPTION", "ALLOW_SECRETS_OPTION", "CHART_CACHE_OPTION", "HELM_ENGINE_OPTION", "HELM_RELEASES_OPTION", "REPOSITORY_OPTION",
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


HELM_ENGINE_OPTION = click.option(
    "--helm-engine", type=click.Choice(["in-process", "cli"]),
    help="Override sluice.yaml `helm.engine`: in-process (Helm 4.2.3 library) or cli (the helm binary on PATH).")


STRICT_OPTION = click.option(
    "--strict", is_flag=True,
    help="Fail (exit 2, nothing written or pushed) when an Application or HelmRelease is left out as out of reach.")


ALLOW_SECRETS_OPTION = click.option(
    "--allow-secrets", is_flag=True,
    help="Write plaintext Secrets to bundles and hydrated branches (as sluice.yaml `allowPlaintextSecrets`).")
