"""What a rendered app runs: container images and Helm chart versions, read from its resources."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from ..core.resource import as_map

_POD_LISTS = ("containers", "initContainers", "ephemeralContainers")
_CHART_LABEL = "helm.sh/chart"
_CHART_VERSION = re.compile(r"^(?P<name>.+?)-(?P<version>v?\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.+-]*)?)$")


@dataclass(frozen=True, slots=True, order=True)
class Image:
    repository: str
    tag: str
    digest: str

    @classmethod
    def parse(cls, ref: str) -> Image:
        """Split `repo[:tag][@digest]` as a container runtime does (a port is not a tag)."""
        name, _, digest = ref.partition("@")
        slash = name.rfind("/")
        colon = name.rfind(":")
        if colon > slash:
            return cls(name[:colon], name[colon + 1:], digest)
        return cls(name, "", digest)

    @property
    def version(self) -> str:
        """What a person compares across clusters: tag and digest as written."""
        if self.tag and self.digest:
            return f"{self.tag}@{self.digest}"
        return self.tag or (f"@{self.digest}" if self.digest else "(no tag)")


@dataclass(frozen=True, slots=True, order=True)
class Chart:
    name: str
    version: str
    source: str  # where it was read: a label, a HelmRelease, the Application's source


def _pod_specs(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping holding a container list, wherever the workload nests it."""
    if isinstance(node, dict):
        if any(isinstance(node.get(key), list) for key in _POD_LISTS):
            yield node
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from _pod_specs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _pod_specs(item)


def images(body: dict[str, Any]) -> list[Image]:
    """Container images of one resource, in order, each once."""
    found: dict[str, Image] = {}
    for spec in _pod_specs(body.get("spec")):
        for key in _POD_LISTS:
            for container in spec.get(key) or ():
                ref = container.get("image") if isinstance(container, dict) else None
                if isinstance(ref, str) and ref and ref not in found:
                    found[ref] = Image.parse(ref)
    return list(found.values())


def charts(body: dict[str, Any]) -> list[Chart]:
    """Helm charts a resource names: the `helm.sh/chart` label of what a chart rendered, or a
    HelmRelease kept for Flux."""
    out: list[Chart] = []
    labels = as_map(as_map(body.get("metadata")).get("labels"))
    label = labels.get(_CHART_LABEL)
    if isinstance(label, str):
        match = _CHART_VERSION.match(label)
        if match:
            out.append(Chart(match["name"], match["version"], "label"))
    if body.get("kind") == "HelmRelease" and str(body.get("apiVersion", "")).startswith("helm.toolkit.fluxcd.io/"):
        chart = as_map(as_map(as_map(body.get("spec")).get("chart")).get("spec"))
        if chart.get("chart"):
            out.append(Chart(str(chart["chart"]), str(chart.get("version") or "*"), "HelmRelease"))
    return out
