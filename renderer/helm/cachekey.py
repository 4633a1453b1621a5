"""Where a chart repository's archives live in the chart cache: one layout for every kind
of source (Flux HelmRepository and OCIRepository, Argo CD Helm and OCI sources, chart
dependencies), keyed by the repository's URL, so that a chart used by many sources is
stored once."""
from __future__ import annotations

__all__ = ["chart_cache_key", "oci_cache_key", "oci_chart_name"]


def chart_cache_key(repo_url: str) -> str:
    """The repository URL without the scheme, ':' replaced (`https://charts.example.com/stable`
    -> `charts.example.com/stable`, `oci://127.0.0.1:5000/charts` -> `127.0.0.1_5000/charts`)."""
    rest = repo_url.split("://", 1)[-1].strip("/")
    return rest.replace(":", "_")


def oci_chart_name(artifact_url: str) -> str:
    """The chart of a Flux OCIRepository: the last segment of its artifact URL."""
    return artifact_url.rstrip("/").rsplit("/", 1)[-1]


def oci_cache_key(artifact_url: str) -> str:
    """A Flux OCIRepository names one chart (`oci://host/path/<chart>`): its archives live
    under the key of the registry path holding it, as for a HelmRepository of type oci."""
    return chart_cache_key(artifact_url.rstrip("/").rsplit("/", 1)[0])
