"""`sluice helm values FILE` and `sluice helm template FILE`: one Flux HelmRelease, offline.

FILE is a YAML file or a kustomization directory (built with sluice's kustomize) holding the
HelmRelease (`--name` picks one when there are several). ConfigMaps, Secrets, sources and
HelmCharts it references are looked up in the same file/build first, then anywhere in the
repository (`--repo`, default: the enclosing git work tree).
"""
from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

import click

from ..errors import InputError, SluiceError

EXIT_INPUT = 2
_REFERENCED = frozenset({"ConfigMap", "Secret", "GitRepository", "Bucket", "HelmRepository", "OCIRepository", "HelmChart"})


def _default_root(target: Path) -> Path:
    for parent in [target, *target.parents]:
        if (parent / ".git").exists():
            return parent
    return target if target.is_dir() else target.parent


def _load(file: str, repo: str | None, name: str | None) -> tuple[Any, dict[str, Any], Any, str]:
    from ..fs import RepoFS
    from .release import is_helmrelease, iter_repo_objects, objects_resolver

    target = Path(file).resolve()
    if not target.exists():
        raise InputError("file or directory not found", file=file)
    fs = RepoFS(Path(repo).resolve() if repo else _default_root(target))
    rel = fs.relpath(target)
    if target.is_dir():
        from ..kustomize import BuildOptions, Builder

        docs = Builder(fs, BuildOptions()).build(rel)
    else:
        docs = [d for d, _line in fs.load_yaml(rel)]
    releases = [d for d in docs if is_helmrelease(d)]
    if name:
        releases = [d for d in releases if (d.get("metadata") or {}).get("name") == name]
    if not releases:
        raise InputError("no HelmRelease (helm.toolkit.fluxcd.io)" + (f" named {name!r}" if name else "") + " found", file=rel)
    if len(releases) > 1:
        names = ", ".join(str((d.get("metadata") or {}).get("name")) for d in releases)
        raise InputError(f"several HelmReleases ({names}): pick one with --name", file=rel)
    local = [d for d in docs if isinstance(d, dict)]
    repo_objects = list(iter_repo_objects(fs, _REFERENCED))
    return fs, releases[0], objects_resolver(local, repo_objects), rel


def _run(fn: Any) -> None:
    ctx = click.get_current_context()
    debug = bool(ctx.find_root().params.get("debug"))
    try:
        fn()
    except SluiceError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"error: {exc}", err=True)
        ctx.exit(EXIT_INPUT)


def _engine(name: str) -> Any:
    from .engine import HelmCLI, InProcessHelm

    return InProcessHelm() if name == "in-process" else HelmCLI()


@click.group("helm")
def helm() -> None:
    """Flux HelmReleases, rendered offline with the real Helm."""


_file = click.argument("file", type=click.Path())
_repo = click.option("--repo", type=click.Path(file_okay=False), help="Repository root (default: the enclosing git work tree).")
_name = click.option("--name", help="The HelmRelease to use when FILE holds several.")
_cache = click.option("--chart-cache", type=click.Path(file_okay=False),
                      help="Directory of HelmRepository/OCI charts: <repo-name>/<chart>-<version>.tgz or <repo-name>/index.yaml.")


@helm.command("values")
@_file
@_repo
@_name
@_cache
@click.option("--user-only", is_flag=True, help="Only the values helm-controller composes (valuesFrom + values), without chart defaults.")
def values_cmd(file: str, repo: str | None, name: str | None, chart_cache: str | None, user_only: bool) -> None:
    """Print the HelmRelease's merged values as YAML (chart defaults, valuesFiles, valuesFrom, values)."""

    def go() -> None:
        from ..yaml import dump_document
        from .release import prepare_release
        from .values import compose_values

        fs, hr, objects, rel = _load(file, repo, name)
        if user_only:
            sys.stdout.write(dump_document(compose_values(hr, objects, file=rel)))
            return
        prepared = prepare_release(hr, fs, objects, chart_cache=chart_cache, file=rel)
        try:
            from .engine import InProcessHelm

            merged = InProcessHelm().merged_values(prepared.chart, prepared.values)
        finally:
            prepared.cleanup()
        sys.stdout.write(dump_document(merged))

    _run(go)


@helm.command("template")
@_file
@_repo
@_name
@_cache
@click.option("--kube-version", help="Kubernetes version for .Capabilities (default: Helm's own).")
@click.option("--api-versions", "api_versions", multiple=True, help="Extra API versions for .Capabilities (repeatable).")
@click.option("--engine", "engine_name", type=click.Choice(["in-process", "cli"]), default="in-process", show_default=True)
def template_cmd(file: str, repo: str | None, name: str | None, chart_cache: str | None, kube_version: str | None,
                 api_versions: tuple[str, ...], engine_name: str) -> None:
    """Print the manifests helm-controller would apply for the HelmRelease."""

    def go() -> None:
        from ..yaml import dump_documents
        from .release import render_helmrelease

        fs, hr, objects, rel = _load(file, repo, name)
        docs = render_helmrelease(hr, fs, objects, engine=_engine(engine_name), chart_cache=chart_cache,
                                  kube_version=kube_version, api_versions=api_versions, file=rel)
        sys.stdout.write(dump_documents(docs))

    _run(go)


@helm.command("pull")
@click.argument("file", type=click.Path())
@click.option("--repo", type=click.Path(file_okay=False), help="Repository root (default: the enclosing git work tree).")
@click.option("--name", help="The HelmRelease, when FILE holds several.")
@click.option("--chart-cache", required=True, type=click.Path(file_okay=False), help="Cache directory to fill.")
def pull_cmd(file: str, repo: str | None, name: str | None, chart_cache: str) -> None:
    """Download the chart of the HelmRelease in FILE from its HelmRepository into the cache
    (the one networked step; renders then read the cache offline)."""

    def go() -> None:
        from .repository import pull_for_release

        _fs, hr, objects, _rel = _load(file, repo, name)
        archive = pull_for_release(hr, objects, Path(chart_cache))
        if archive is None:
            click.echo("nothing to pull: the chart is a path in the repository")
        else:
            click.echo(f"pulled {archive}")

    _run(go)
