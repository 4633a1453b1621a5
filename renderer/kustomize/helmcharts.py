"""`helmCharts` / `helmChartInflationGenerator`: inflating Helm charts inside a kustomization.

kustomize runs `helm template` only with `--enable-helm`; without it the build fails. The
Helm engine is handed to the builder (BuildOptions.helm_engine) so that this package never
imports the Helm one. Until an engine is configured, charts are refused with a clear error.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.errors import InputError
from ..core.resource import Origin, Resource
from .kustomization import Kustomization
from .loader import Loader

if TYPE_CHECKING:
    from .build import Builder


def _refuse(builder: "Builder", kust: Kustomization, what: str) -> None:
    if not builder.options.enable_helm:
        raise InputError(f"{what}: must specify --enable-helm to inflate Helm charts (as kustomize requires)", file=kust.path)
    if builder.options.helm_engine is None:
        raise InputError(f"{what}: no Helm engine is available to inflate charts in this build", file=kust.path)


def inflate_charts(builder: "Builder", loader: Loader, kust: Kustomization) -> list[Resource]:
    _refuse(builder, kust, "helmCharts")
    engine = builder.options.helm_engine
    return list(engine.inflate_kustomize_charts(loader, kust))


def inflate_chart_config(builder: "Builder", loader: Loader, kust: Kustomization, config: dict[str, Any],
                         place: Origin) -> list[Resource]:
    """A HelmChartInflationGenerator config's chart; `place` is where the config is written."""
    _refuse(builder, kust, "HelmChartInflationGenerator")
    engine = builder.options.helm_engine
    return list(engine.inflate_kustomize_chart_config(loader, kust, config, place))
