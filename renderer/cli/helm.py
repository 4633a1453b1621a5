"""`sluice helm values FILE` and `sluice helm template FILE`: one Flux HelmRelease, offline;
`sluice helm pull`: fill the chart cache for a HelmRelease, an Argo CD Application, or the fleet.

FILE is a YAML file or a kustomization directory (built with sluice's kustomize) holding the
HelmRelease (`--name` picks one when there are several). ConfigMaps, Secrets, sources and
HelmCharts it references are looked up in the same file/build first, then anywhere in the
repository (`--repo`, default: the enclosing git work tree).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..core.errors import InputError
from ..helm.engine import DEFAULT_KUBE_VERSION
from .options import REPO_ROOT_HELP
from .run import run_command

EXIT_PARTIAL = 1  # helm pull --fleet: some charts pulled, some not
_REFERENCED = frozenset({"ConfigMap", "Secret", "GitRepository", "Bucket", "HelmRepository", "OCIRepository", "HelmChart"})


def _default_root(target: Path) -> Path:
    from .options import repository_root

    return repository_root(target)


def _load_docs(file: str, repo: str | None) -> tuple[Any, list[tuple[Any, int | None]], str]:
    """(repository, documents of FILE with their lines, FILE relative to the repository)."""
    from ..core.fs import RepoFS

    target = Path(file).resolve()
    if not target.exists():
        raise InputError("file or directory not found", file=file)
    fs = RepoFS(Path(repo).resolve() if repo else _default_root(target))
    rel = fs.relpath(target)
    if target.is_dir():
        from ..kustomize import Builder, BuildOptions

        return fs, [(d, None) for d in Builder(fs, BuildOptions()).build(rel)], rel
    return fs, list(fs.load_yaml(rel)), rel


def _resolver(fs: Any, docs: list[Any]) -> Any:
    """Referenced objects: the same file/build first, then anywhere in the repository."""
    from ..helm.release import iter_repo_objects, objects_resolver

    return objects_resolver([d for d in docs if isinstance(d, dict)], list(iter_repo_objects(fs, _REFERENCED)))


def _load(file: str, repo: str | None, name: str | None) -> tuple[Any, dict[str, Any], Any, str]:
    from ..helm.release import is_helmrelease

    fs, located, rel = _load_docs(file, repo)
    docs = [d for d, _line in located]
    releases = [d for d in docs if is_helmrelease(d)]
    if name:
        releases = [d for d in releases if (d.get("metadata") or {}).get("name") == name]
    if not releases:
        raise InputError("no HelmRelease (helm.toolkit.fluxcd.io)" + (f" named {name!r}" if name else "") + " found", file=rel)
    if len(releases) > 1:
        names = ", ".join(str((d.get("metadata") or {}).get("name")) for d in releases)
        raise InputError(f"several HelmReleases ({names}): pick one with --name", file=rel)
    return fs, releases[0], _resolver(fs, docs), rel


def _engine(name: str) -> Any:
    from ..helm.engine import HelmCLI, InProcessHelm

    return InProcessHelm() if name == "in-process" else HelmCLI()


@click.group("helm")
def helm() -> None:
    """Flux HelmReleases and Helm charts, offline; fill the chart cache."""


_file = click.argument("file", type=click.Path())
_repo = click.option("--repo", type=click.Path(file_okay=False), metavar="ROOT", help=REPO_ROOT_HELP)
_name = click.option("--name", help="The HelmRelease to use when FILE holds several.")
_cache = click.option("--chart-cache", type=click.Path(file_okay=False),
                      help="Chart cache: <repository URL without scheme>/<chart>-<version>.tgz (fill it with `sluice helm pull`).")


@helm.command("values")
@_file
@_repo
@_name
@_cache
@click.option("--user-only", is_flag=True, help="Only the values helm-controller composes (valuesFrom + values), without chart defaults.")
def values_cmd(file: str, repo: str | None, name: str | None, chart_cache: str | None, user_only: bool) -> None:
    """Print the HelmRelease's merged values as YAML (chart defaults, valuesFiles, valuesFrom, values)."""

    def go() -> None:
        from ..core.yaml import dump_document
        from ..helm.release import prepare_release
        from ..helm.values import compose_values

        fs, hr, objects, rel = _load(file, repo, name)
        if user_only:
            sys.stdout.write(dump_document(compose_values(hr, objects, file=rel)))
            return
        prepared = prepare_release(hr, fs, objects, chart_cache=chart_cache, file=rel)
        try:
            from ..helm.engine import InProcessHelm

            merged = InProcessHelm().merged_values(prepared.chart, prepared.values)
        finally:
            prepared.cleanup()
        sys.stdout.write(dump_document(merged))

    run_command(go)


@helm.command("template")
@_file
@_repo
@_name
@_cache
@click.option("--kube-version", default=DEFAULT_KUBE_VERSION, show_default=True, metavar="V",
              help="Kubernetes version for .Capabilities (fixed, so both Helm backends agree).")
@click.option("--api-versions", "api_versions", multiple=True, metavar="V", help="Extra API versions for .Capabilities (repeatable).")
@click.option("--helm-engine", "engine_name", type=click.Choice(["in-process", "cli"]), default="in-process",
              show_default=True, help="in-process (Helm 4.2.3 library) or cli (the helm binary on PATH), as "
                                      "--helm-engine of render.")
@click.option("--engine", "legacy_engine", type=click.Choice(["in-process", "cli"]), hidden=True)  # the old spelling
def template_cmd(file: str, repo: str | None, name: str | None, chart_cache: str | None, kube_version: str | None,
                 api_versions: tuple[str, ...], engine_name: str, legacy_engine: str | None) -> None:
    """Print the manifests helm-controller would apply for the HelmRelease."""
    engine_name = legacy_engine or engine_name

    def go() -> None:
        from ..core.yaml import dump_documents
        from ..helm.release import render_helmrelease

        fs, hr, objects, rel = _load(file, repo, name)
        docs = render_helmrelease(hr, fs, objects, engine=_engine(engine_name), chart_cache=chart_cache,
                                  kube_version=kube_version, api_versions=api_versions, file=rel)
        sys.stdout.write(dump_documents(docs))

    run_command(go)


@helm.command("pull")
@click.argument("file", required=False, type=click.Path())
@click.option("--repo", type=click.Path(file_okay=False), metavar="ROOT", help=REPO_ROOT_HELP)
@click.option("--name", help="The HelmRelease or Application, when FILE holds several.")
@click.option("--fleet", is_flag=True, help="Pull every chart a `sluice render` of the repository needs (no FILE).")
@click.option("--chart-cache", required=True, type=click.Path(file_okay=False), help="Cache directory to fill.")
def pull_cmd(file: str | None, repo: str | None, name: str | None, fleet: bool, chart_cache: str) -> None:
    """Download into the cache the chart(s) of the HelmRelease or Argo CD Application in FILE,
    or with --fleet those of the whole repository, from HTTP Helm repositories and OCI registries,
    through Helm's own pull and the credentials Helm and Docker keep (the one networked step;
    renders then read the cache offline). Exit 1 when some charts could not be pulled."""

    def go() -> int:
        if fleet:
            return _pull_fleet(file, repo, name, Path(chart_cache))
        if file is None:
            raise InputError("give FILE (a HelmRelease or an Argo CD Application) or --fleet")
        _pull_file(file, repo, name, Path(chart_cache))
        return 0

    run_command(go)


def _pull_file(file: str, repo: str | None, name: str | None, cache: Path) -> None:
    from ..helm.release import is_helmrelease
    from ..helm.repository import is_application, pull_for_application, pull_for_release

    fs, located, rel = _load_docs(file, repo)
    docs = [d for d, _line in located]
    chosen = [(d, line) for d, line in located if is_helmrelease(d) or is_application(d)]
    if name:
        chosen = [(d, line) for d, line in chosen if (d.get("metadata") or {}).get("name") == name]
    if not chosen:
        hint = ""
        if any(isinstance(d, dict) and d.get("kind") == "ApplicationSet" for d in docs):
            hint = " (ApplicationSets are not expanded here: pull from the Applications they generate)"
        named = f" named {name!r}" if name else ""
        raise InputError(f"no HelmRelease (helm.toolkit.fluxcd.io) or Argo CD Application{named} found{hint}", file=rel)
    if len(chosen) > 1:
        if all(is_helmrelease(d) for d, _line in chosen):
            names = ", ".join(str((d.get("metadata") or {}).get("name")) for d, _line in chosen)
            raise InputError(f"several HelmReleases ({names}): pick one with --name", file=rel)
        names = ", ".join(f"{d.get('kind')} {(d.get('metadata') or {}).get('name')}" for d, _line in chosen)
        raise InputError(f"several HelmReleases/Applications ({names}): pick one with --name", file=rel)
    doc, line = chosen[0]
    if is_helmrelease(doc):
        archive = pull_for_release(doc, _resolver(fs, docs), cache)
        if archive is not None:
            click.echo(f"pulled {archive}")
            return
        # a chart in the repository: what its charts/ misses from chart repositories
        from ..helm.repository import pull_release_dependencies

        pulled = pull_release_dependencies(fs, doc, _resolver(fs, docs), cache)
        for path in pulled:
            click.echo(f"pulled {path}")
        if not pulled:
            click.echo("nothing to pull: the chart is a path in the repository")
        return
    try:
        archives = pull_for_application(doc, cache, file=rel)
    except InputError as exc:
        if exc.file == rel and exc.line is None and line is not None:
            raise InputError(exc.message, file=rel, line=line) from None
        raise
    if not archives:
        click.echo("nothing to pull: no source of the Application is a chart from a Helm repository")
    for archive in archives:
        click.echo(f"pulled {archive}")


def _pull_fleet(file: str | None, repo: str | None, name: str | None, cache: Path) -> int:
    from ..core.fs import RepoFS
    from ..fleet.pull import pull_fleet

    if file is not None or name:
        raise InputError("--fleet pulls for the whole repository (--repo): give no FILE and no --name")
    root = Path(repo).resolve() if repo else _default_root(Path.cwd())
    if not root.is_dir():
        raise InputError(f"repository directory not found: {repo}")
    result = pull_fleet(RepoFS(root), cache)
    for archive in result.pulled:
        click.echo(f"pulled {archive}")
    for want, reason in result.failed:
        click.echo(f"failed: {reason}", err=True)
    if not result.pulled and not result.failed:
        click.echo("nothing to pull: no chart of the fleet comes from a Helm repository or an OCI registry")
    if result.failed:
        click.echo(f"error: {len(result.failed)} chart(s) not pulled (above); the others are in {cache}", err=True)
        return EXIT_PARTIAL
    return 0
