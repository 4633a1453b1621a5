"""Flux `Kustomization` objects (kustomize.toolkit.fluxcd.io/v1) as fleet entry points.

`expand_flux_tree(fs, "clusters/<name>")` renders a cluster directory the way Flux
reconciles it: the root Kustomization, then every Kustomization found in rendered output,
in dependsOn order. `render_flux_kustomization` renders one; `renderer.flux.substitute`
holds the post-build variable substitution.
"""
from __future__ import annotations

from .kustomization import (
    NAME_LABEL,
    NAMESPACE_LABEL,
    SKIP,
    dry_repo_sources,
    expand_flux_tree,
    expand_flux_tree_placed,
    generate_kustomization,
    is_flux_kustomization,
    render_flux_kustomization,
    render_flux_kustomization_placed,
    root_kustomization,
)
from .substitute import SubstitutionError, envsubst, load_variables, postbuild, substitute_resource

__all__ = [
    "NAME_LABEL",
    "NAMESPACE_LABEL",
    "SKIP",
    "SubstitutionError",
    "dry_repo_sources",
    "envsubst",
    "expand_flux_tree",
    "expand_flux_tree_placed",
    "generate_kustomization",
    "is_flux_kustomization",
    "load_variables",
    "postbuild",
    "render_flux_kustomization",
    "render_flux_kustomization_placed",
    "root_kustomization",
    "substitute_resource",
]
