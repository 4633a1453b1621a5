"""Flux HelmReleases in a fleet render, replaced by what helm-controller would install.

Per target: each HelmRelease becomes its chart's manifests (renderer.helm.release), placed
in the release namespace, after the Namespace `install.createNamespace` creates; a
HelmRelease for another cluster (`spec.kubeConfig`) stays as it is, and with
`helmReleases: auto` so does one whose chart is out of reach offline (a Skipped note).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..core.errors import OutOfReach
from ..core.fs import TREE, RepoFS
from ..core.notes import Skipped
from ..core.resource import Origin, Placed, bodies
from ..argo.sources import SourceRenderer

__all__ = ["HelmReleaseInflater", "KeptRelease", "kept_summary"]


@dataclass(frozen=True)
class KeptRelease:
    """A HelmRelease left for helm-controller because its chart is out of reach offline."""

    origin: str  # the target's source (a Flux cluster directory, an Application's path)
    name: str  # namespace/name
    reason: str


def kept_summary(kept: list[KeptRelease], chart_cache: str | os.PathLike[str] | None) -> Skipped | None:
    """One line for a whole render: which HelmReleases stayed for the controller and the
    command that fills the cache (rather than one line per release)."""
    if not kept:
        return None
    names = sorted({f"{k.name} ({k.origin})" for k in kept})
    cache = str(chart_cache) if chart_cache else ".sluice/charts"
    return Skipped(f"{len(names)} HelmRelease(s) kept for Flux, not inflated (chart out of reach offline): "
                   f"{', '.join(names)}; to inflate them run `sluice helm pull --fleet --chart-cache {cache}` "
                   f"and render again with `--chart-cache {cache}`")


class _EngineOnUse:
    """The renderer's Helm engine, made when a chart is rendered: a HelmRelease whose chart
    is out of reach offline needs none (loading the in-process engine costs a library load)."""

    def __init__(self, renderer: SourceRenderer) -> None:
        self._renderer = renderer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._renderer.helm_engine(), name)


class HelmReleaseInflater:
    """Replaces each Flux HelmRelease of a target's resources by the manifests it installs.

    ConfigMaps, Secrets and sources it references are looked up in the target's own
    resources first, then anywhere in the repository (scanned once per render)."""

    def __init__(self, fs: RepoFS, renderer: SourceRenderer, chart_cache: str | os.PathLike[str] | None = None) -> None:
        self.fs = fs
        self.renderer = renderer
        self.chart_cache = chart_cache
        self._repo_objects: Any = None  # a resolver over the repository's objects, made on first use
        self._repo_reads: dict[str, str | None] = {}
        self.kept: list[KeptRelease] = []  # with keep_unreachable: what stayed a HelmRelease

    def _repository_objects(self) -> Any:
        """The resolver over every object of the repository's YAML files (scanned once),
        with the scan's reads replayed: whatever asks depends on all of them."""
        from ..helm.release import iter_repo_objects, objects_resolver

        if self._repo_objects is None:
            kinds = frozenset({"ConfigMap", "Secret", "GitRepository", "Bucket", "HelmRepository", "OCIRepository", "HelmChart"})
            with self.fs.scope() as reads:
                self.fs.observe(TREE)  # a file added anywhere could define what was not found
                self._repo_objects = objects_resolver(list(iter_repo_objects(self.fs, kinds)))
            self._repo_reads = dict(reads)
        self.fs.replay(self._repo_reads)
        return self._repo_objects

    def inflate(self, resources: list[dict[str, Any]], origin: str, *, keep_unreachable: bool = False,
                notes: list[str] | None = None, kube_version: str | None = None,
                api_versions: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """With `keep_unreachable` (helmReleases: auto), a HelmRelease whose chart is out of
        reach offline stays a HelmRelease for Flux and is listed in `self.kept`."""
        placed = [Placed(r, Origin(origin)) for r in resources]
        return bodies(self.inflate_placed(placed, origin, keep_unreachable=keep_unreachable, notes=notes,
                                          kube_version=kube_version, api_versions=api_versions))

    def inflate_placed(self, resources: list[Placed], origin: str, *, keep_unreachable: bool = False,
                       notes: list[str] | None = None, kube_version: str | None = None,
                       api_versions: tuple[str, ...] = ()) -> list[Placed]:
        """`inflate` on bodies with origins: a chart's manifests come from its templates in the
        repository, else (a chart of the chart cache) from the HelmRelease's own place, as does
        the Namespace `install.createNamespace` adds."""
        from ..helm.release import is_helmrelease

        if not any(is_helmrelease(r.body) for r in resources):
            return resources
        from ..helm.release import objects_resolver, render_helmrelease_placed

        own = objects_resolver(bodies(resources))

        def objects(kind: str, ns: str, name: str) -> dict[str, Any] | None:
            # the target's own objects first; the repository's only when they lack it
            found = own(kind, ns, name)
            return found if found is not None else self._repository_objects()(kind, ns, name)
        out: list[Placed] = []
        for item in resources:
            body = item.body
            if is_helmrelease(body):  # its file and line, before any field of it is read
                from ..helm.values import check_helmrelease

                mine = bool(item.origin.file) and not item.origin.repo
                check_helmrelease(body, item.origin.file if mine else origin, (item.origin.line or None) if mine else None)
            if is_helmrelease(body) and (body.get("spec") or {}).get("kubeConfig"):
                # helm-controller installs it into another cluster: its manifests do not belong here
                if notes is not None:
                    meta = body.get("metadata") or {}
                    notes.append(f"{origin}: HelmRelease {meta.get('namespace') or 'default'}/{meta.get('name')} kept for "
                                 "Flux, not inflated: spec.kubeConfig installs it into another cluster")
                out.append(item)
                continue
            if is_helmrelease(body):
                try:
                    manifests = render_helmrelease_placed(body, self.fs, objects, engine=_EngineOnUse(self.renderer),
                                                          chart_cache=self.chart_cache, file=origin,
                                                          kube_version=kube_version, api_versions=api_versions,
                                                          fallback=item.origin)
                except OutOfReach as exc:
                    if not keep_unreachable:
                        raise OutOfReach(f"{exc.message}; or keep such HelmReleases for Flux with --helm-releases auto "
                                         f"(sluice.yaml helmReleases: auto)", file=exc.file, line=exc.line) from None
                    meta = body.get("metadata") or {}
                    self.kept.append(KeptRelease(origin, f"{meta.get('namespace') or 'default'}/{meta.get('name')}",
                                                 exc.message))
                    out.append(item)
                    continue
                out.extend(Placed(ns, item.origin) for ns in _created_namespace(body))
                out.extend(_in_release_namespace(manifests, body))
            else:
                out.append(item)
        return _without_duplicate_created_namespaces(out)


_CREATED = "sluice.dev/created-by-helm"  # marks a Namespace install.createNamespace adds, until deduplicated


def _created_namespace(release: dict[str, Any]) -> list[dict[str, Any]]:
    """spec.install.createNamespace: Helm creates the release namespace (labelled
    `name: <namespace>`) before installing; in a bundle that is a Namespace object."""
    spec = release.get("spec") or {}
    if not (spec.get("install") or {}).get("createNamespace"):
        return []
    namespace = str(spec.get("targetNamespace") or (release.get("metadata") or {}).get("namespace") or "default")
    return [{"apiVersion": "v1", "kind": "Namespace",
             "metadata": {"name": namespace, "labels": {"name": namespace}, "annotations": {_CREATED: "true"}}}]


def _without_duplicate_created_namespaces(resources: list[Placed]) -> list[Placed]:
    """A Namespace added for createNamespace is dropped when the bundle already has it (Helm
    creates it only when missing), and kept once when several releases share it."""
    def is_ns(body: dict[str, Any]) -> bool:
        return body.get("kind") == "Namespace" and body.get("apiVersion") == "v1"

    declared = {str((b.get("metadata") or {}).get("name")) for b, _ in resources
                if is_ns(b) and _CREATED not in ((b.get("metadata") or {}).get("annotations") or {})}
    out, seen = [], set()
    for body, origin in resources:
        meta = body.get("metadata") or {}
        if is_ns(body) and _CREATED in (meta.get("annotations") or {}):
            name = str(meta.get("name"))
            if name in declared or name in seen:
                continue
            seen.add(name)
            body = {**body, "metadata": {k: v for k, v in meta.items() if k != "annotations"}}
        out.append(Placed(body, origin))
    return out


def _in_release_namespace(manifests: list[Placed], release: dict[str, Any]) -> list[Placed]:
    """Helm installs a release's namespaced objects into the release namespace
    (spec.targetNamespace, else the HelmRelease's): say so in the manifests."""
    from ..core.resource import is_cluster_scoped

    spec = release.get("spec") or {}
    namespace = spec.get("targetNamespace") or (release.get("metadata") or {}).get("namespace")
    if not namespace:
        return manifests
    for doc, _ in manifests:
        meta = doc.setdefault("metadata", {})
        if not meta.get("namespace") and not is_cluster_scoped(str(doc.get("apiVersion") or ""), str(doc.get("kind") or "")):
            meta["namespace"] = namespace
    return manifests
