"""Notes a render leaves for its user, and which of them mean something was left out."""
from __future__ import annotations

__all__ = ["NotRendered", "Skipped"]


class Skipped(str):
    """A note saying an Application or a HelmRelease is not in the bundles because its source
    is out of sluice's reach offline (a generated Application's plugin, another repository, a
    chart not in the cache; a HelmRelease kept by `helmReleases: auto`). It is a plain string
    everywhere; `--strict` turns any of them into an error."""

    __slots__ = ()


class NotRendered(str):
    """A note saying an Application or a Flux Kustomization is deliberately not rendered
    (it syncs from a hydrated branch, sluice's own output, or `spec.kubeConfig` sends it to
    another cluster): nothing is missing, unlike `Skipped`. A plain string everywhere;
    `sluice get skipped` tells the two apart from purely informative notes."""

    __slots__ = ()
