"""`sluice flux build CLUSTER_DIR`: a Flux cluster directory (clusters/<name>/ holding
flux-system) expanded offline into every Kustomization's objects, as kustomize-controller
would apply them, HelmReleases optionally inflated."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import ALLOW_ROOT_OPTION, REPO_ROOT_HELP, REPOSITORY_OPTION, repository_root
from .run import run_command


@click.group("flux")
def flux() -> None:
    """Flux repository layouts, expanded offline."""


@flux.command("build")
@click.argument("cluster_dir", type=click.Path(file_okay=False))
@click.option("--repo", type=click.Path(file_okay=False), metavar="ROOT", help=REPO_ROOT_HELP)
@click.option("--inflate-helm", is_flag=True, help="Replace each HelmRelease by the manifests it installs.")
@click.option("--chart-cache", type=click.Path(file_okay=False), help="Charts of HelmRepository sources (see `sluice helm pull`).")
@REPOSITORY_OPTION
@ALLOW_ROOT_OPTION
@click.option("-o", "--output", "output_format", type=click.Choice(["yaml", "summary"]), default="yaml", show_default=True,
              help="Output format (summary: JSON, each Kustomization with its object count and why it was skipped).")
def build(cluster_dir: str, repo: str | None, inflate_helm: bool, chart_cache: str | None, repositories: tuple[str, ...],
          allowed_roots: tuple[str, ...], output_format: str) -> None:
    """Every Kustomization reachable from CLUSTER_DIR, in dependsOn order.

    A Kustomization whose source is out of reach offline (an OCI artifact, a GitRepository
    no --repository or sluice.yaml `repositories` maps) is named on stderr as `skipped:`."""

    def go() -> int:
        from .options import repository_map

        text, notes = _build(cluster_dir, repo, inflate_helm, chart_cache, output_format,
                             repository_map(repositories), allowed_roots)
        for note in notes:
            click.echo(note, err=True)
        sys.stdout.write(text)
        return 0

    run_command(go)


def _build(cluster_dir: str, repo: str | None, inflate_helm: bool, chart_cache: str | None, output_format: str,
           repositories: dict[str, str] | None = None, allowed_roots: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """(the output, the lines for stderr: `skipped:` and `note:`)."""
    from ..core.errors import InputError
    from ..core.fs import RepoFS
    from ..core.yaml import dump_documents
    from ..fleet.config import load_config, with_repositories
    from ..fleet.flux import flux_sources
    from ..core.resource import bodies
    from ..flux.kustomization import expand_flux_tree_placed, ks_key

    target = Path(cluster_dir).resolve()
    if not target.is_dir():
        raise InputError(f"directory not found: {cluster_dir}")
    root = Path(repo).resolve() if repo else repository_root(target)
    fs = RepoFS(root)
    # sluice.yaml says which GitRepositories are this repository and where the others are checked out
    config = load_config(fs, granted=[*allowed_roots, *(repositories or {}).values()], overridden=(repositories or {}).keys())
    if repositories:
        config = with_repositories(config, repositories)
    unreached: dict[tuple[str, str], str] = {}
    notes: list[str] = []
    placed = expand_flux_tree_placed(fs, fs.relpath(target), source_fs=flux_sources(config), unreached=unreached,
                                     notes=notes)
    tree = [(ks, _inflate(fs, objects, chart_cache) if inflate_helm else bodies(objects)) for ks, objects in placed]
    lines = [f"note: {note}" for note in notes]
    lines += [f"skipped: Kustomization {ns}/{name}: {why}" for (ns, name), why in unreached.items()]
    if output_format == "summary":
        rows = [{"kustomization": "/".join(ks_key(ks)), "objects": len(objects), "skipped": unreached.get(ks_key(ks))}
                for ks, objects in tree]
        return json.dumps(rows, indent=2) + "\n", lines
    return dump_documents([obj for _ks, objects in tree for obj in objects]), lines


def _inflate(fs: object, objects: list, chart_cache: str | None) -> list[dict]:  # type: ignore[type-arg]
    """Each HelmRelease replaced by its manifests; errors name the HelmRelease's file and line."""
    from ..helm.engine import default_engine
    from ..helm.release import is_helmrelease, objects_resolver, render_helmrelease
    from ..helm.values import check_helmrelease

    resolver = objects_resolver([p.body for p in objects])
    out: list[dict] = []  # type: ignore[type-arg]
    for body, origin in objects:
        if not is_helmrelease(body):
            out.append(body)
            continue
        mine = bool(origin.file) and not origin.repo
        check_helmrelease(body, origin.file if mine else None, (origin.line or None) if mine else None)
        out.extend(render_helmrelease(body, fs, resolver, engine=default_engine(), chart_cache=chart_cache,  # type: ignore[arg-type]
                                      file=origin.file if mine else None))
    return out
