"""`sluice flux build CLUSTER_DIR`: a Flux cluster directory (clusters/<name>/ holding
flux-system) expanded offline into every Kustomization's objects, as kustomize-controller
would apply them, HelmReleases optionally inflated."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .run import run_command


@click.group("flux")
def flux() -> None:
    """Flux Kustomizations, rendered offline."""


@flux.command("build")
@click.argument("cluster_dir", type=click.Path(file_okay=False))
@click.option("--repo", type=click.Path(file_okay=False), help="Repository root (default: the enclosing git work tree).")
@click.option("--inflate-helm", is_flag=True, help="Replace each HelmRelease by the manifests it installs.")
@click.option("--chart-cache", type=click.Path(file_okay=False), help="Charts of HelmRepository sources (see `sluice helm pull`).")
@click.option("-o", "--output", "output_format", type=click.Choice(["yaml", "summary"]), default="yaml", show_default=True,
              help="Output format.")
def build(cluster_dir: str, repo: str | None, inflate_helm: bool, chart_cache: str | None, output_format: str) -> None:
    """Every Kustomization reachable from CLUSTER_DIR, in dependsOn order."""

    def go() -> int:
        sys.stdout.write(_build(cluster_dir, repo, inflate_helm, chart_cache, output_format))
        return 0

    run_command(go)


def _build(cluster_dir: str, repo: str | None, inflate_helm: bool, chart_cache: str | None, output_format: str) -> str:
    from ..core.fs import RepoFS
    from ..core.yaml import dump_documents
    from ..flux.kustomization import dry_repo_sources, expand_flux_tree

    target = Path(cluster_dir).resolve()
    root = Path(repo).resolve() if repo else next((p for p in [target, *target.parents] if (p / ".git").exists()), target)
    fs = RepoFS(root)
    tree = expand_flux_tree(fs, fs.relpath(target), source_fs=dry_repo_sources())
    if inflate_helm:
        tree = [(ks, _inflate(fs, objects, chart_cache)) for ks, objects in tree]
    if output_format == "summary":
        rows = [{"kustomization": f"{(ks.get('metadata') or {}).get('namespace')}/{(ks.get('metadata') or {}).get('name')}",
                 "objects": len(objects)} for ks, objects in tree]
        return json.dumps(rows, indent=2) + "\n"
    return dump_documents([obj for _ks, objects in tree for obj in objects])


def _inflate(fs: object, objects: list[dict], chart_cache: str | None) -> list[dict]:  # type: ignore[type-arg]
    from ..helm.engine import default_engine
    from ..helm.release import is_helmrelease, objects_resolver, render_helmrelease

    resolver = objects_resolver(objects)
    out: list[dict] = []  # type: ignore[type-arg]
    for body in objects:
        if is_helmrelease(body):
            out.extend(render_helmrelease(body, fs, resolver, engine=default_engine(), chart_cache=chart_cache))  # type: ignore[arg-type]
        else:
            out.append(body)
    return out
