"""kustomize's `helmCharts` (HelmChartInflationGenerator) on sluice's Helm engine.

`KustomizeHelm(engine)` is what `BuildOptions(helm_engine=...)` takes: the kustomize build
calls `inflate_kustomize_charts(loader, kust)` for a kustomization's `helmCharts` (and the
legacy `helmChartInflationGenerator` list) and `inflate_kustomize_chart_config(loader, kust,
config)` for a HelmChartInflationGenerator object listed under `generators`.

Semantics follow kustomize v5's plugin:
- the chart is `<chartHome>/<name>` (chartHome from the entry, else `helmGlobals.chartHome`,
  else `charts`, relative to the kustomization); it must be present there: pulling from
  `repo` needs the network, so a missing chart is an error naming it;
- the values file is `valuesFile`, default `<chartHome>/<name>/values.yaml`, read through
  the kustomization's loader (load restrictions apply); with `valuesInline`, `valuesMerge`
  decides: `override` (default; inline wins), `merge` (the file wins), `replace` (the file
  is ignored); `additionalValuesFiles` follow in order (Helm merges `-f` files: maps
  recursively, everything else replaced);
- release name `releaseName` (`helm template`'s default `release-name` otherwise), namespace
  `namespace`, else the kustomization's `namespace`; `includeCRDs`, `skipTests`,
  `skipHooks`, `apiVersions`, `kubeVersion` as the helm flags of the same names;
- every generated resource carries `kustomize.config.k8s.io/helm-generated: "true"` (a
  build annotation: kustomize's namespace transformer leaves these resources alone, and the
  build removes the annotation from its output).
"""
from __future__ import annotations

import posixpath
from typing import Any

from ..core.errors import InputError, OutOfReach, RenderError
from ..core.resource import Origin, Resource
from .engine import HelmEngine, default_engine
from .values import merge_maps, read_values

HELM_GENERATED = "kustomize.config.k8s.io/helm-generated"
_KNOWN = {
    "name", "version", "repo", "releaseName", "namespace", "additionalValuesFiles", "valuesFile",
    "valuesInline", "valuesMerge", "includeCRDs", "skipHooks", "apiVersions", "kubeVersion",
    "nameTemplate", "skipTests", "debug", "devel", "chartHome", "configHome",
}


def kyaml_merge(src: Any, dest: Any) -> Any:
    """kyaml merge2.Merge(src, dest) for values: src fields win, maps merge recursively, a
    null in src removes the field, lists are taken from src."""
    if isinstance(src, dict) and isinstance(dest, dict):
        out = dict(dest)
        for k, v in src.items():
            if v is None:
                out.pop(k, None)
            elif k in out:
                out[k] = kyaml_merge(v, out[k])
            else:
                out[k] = v
        return out
    return src


def _legacy_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A `helmChartInflationGenerator` (ChartArgs) entry in the `helmCharts` spelling."""
    out: dict[str, Any] = {
        "name": entry.get("chartName", ""),
        "version": entry.get("chartVersion", ""),
        "repo": entry.get("chartRepoUrl", ""),
        "releaseName": entry.get("releaseName", ""),
        "namespace": entry.get("releaseNamespace", ""),
        "valuesFile": entry.get("values", ""),
        "valuesInline": entry.get("valuesLocal") or {},
        "valuesMerge": entry.get("valuesMerge", ""),
    }
    if entry.get("chartHome"):
        out["chartHome"] = entry["chartHome"]
    return {k: v for k, v in out.items() if v not in ("", None)}


class KustomizeHelm:
    """The object `BuildOptions.helm_engine` holds: inflates charts with a HelmEngine."""

    def __init__(self, engine: HelmEngine | None = None, *, kube_version: str | None = None) -> None:
        self.engine = engine or default_engine()
        self.default_kube_version = kube_version

    # -- the interface renderer.kustomize.helmcharts calls ---------------------------------
    def inflate_kustomize_charts(self, loader: Any, kust: Any) -> list[Resource]:
        globals_ = kust.data.get("helmGlobals") or {}
        out: list[Resource] = []
        charts = [(c, "helmCharts", i) for i, c in enumerate(kust.list("helmCharts"))]
        charts += [(_legacy_entry(c), "helmChartInflationGenerator", i)
                   for i, c in enumerate(kust.list("helmChartInflationGenerator")) if isinstance(c, dict)]
        for chart, key, index in charts:
            if not isinstance(chart, dict):
                raise InputError(f"a helmCharts entry must be a mapping, got {chart!r}", file=kust.path)
            chart = dict(chart)
            if not chart.get("namespace") and kust.str("namespace"):
                chart["namespace"] = kust.str("namespace")
            entry = Origin(kust.path, kust.entry_line(loader.fs, key, index))
            out.extend(self._inflate(loader, kust.path, {**globals_, **chart}, entry))
        return out

    def inflate_kustomize_chart_config(self, loader: Any, kust: Any, config: dict[str, Any],
                                       place: Origin | None = None) -> list[Resource]:
        cfg = {k: v for k, v in config.items() if k not in ("apiVersion", "kind", "metadata")}
        return self._inflate(loader, kust.path, cfg, place or Origin(kust.path))

    # -- one chart ----------------------------------------------------------------------------
    def _inflate(self, loader: Any, where: str, c: dict[str, Any], entry: Origin) -> list[Resource]:
        """The chart's documents, each from its template in the repository chart directory
        (renderer.helm.origins), else from the entry that asked for the chart."""
        unknown = set(c) - _KNOWN
        if unknown:
            raise InputError(f"helmCharts: unknown field(s) {', '.join(sorted(unknown))}", file=where)
        name = str(c.get("name") or "")
        if not name:
            raise InputError("helmCharts: chart name cannot be empty", file=where)
        if c.get("nameTemplate"):
            raise InputError(f"helmCharts {name}: nameTemplate is not supported (it makes names vary between renders)", file=where)
        merge = str(c.get("valuesMerge") or "override")
        if merge not in ("merge", "override", "replace"):
            raise InputError("valuesMerge must be one of [merge override replace]", file=where)
        chart_home = str(c.get("chartHome") or "charts")
        chart_rel = posixpath.join(chart_home, name)
        chart_path = loader.path_of(chart_rel)
        fs = loader.fs
        if not fs.is_dir(chart_path):
            if c.get("repo"):
                raise OutOfReach(
                    f"helmCharts {name}: chart not found at '{chart_path}' and pulling it from {c['repo']} needs the "
                    f"network; sluice renders offline: vendor it (`helm pull --untar --untardir {chart_home} "
                    f"--repo {c['repo']} {name}" + (f" --version {c['version']}" if c.get("version") else "") + "`)",
                    file=where,
                )
            raise InputError(f"helmCharts {name}: no repo specified for pull, no chart found at '{chart_path}'", file=where)
        values_rel = str(c.get("valuesFile") or posixpath.join(chart_rel, "values.yaml"))
        inline = c.get("valuesInline") or {}
        if not isinstance(inline, dict):
            raise InputError(f"helmCharts {name}: valuesInline must be a mapping", file=where)
        if inline and merge == "replace":
            values: dict[str, Any] = dict(inline)
        else:
            values = read_values(loader.read_text(values_rel), loader.file_path(values_rel))
            if inline:
                values = kyaml_merge(inline, values) if merge == "override" else kyaml_merge(values, inline)
        for extra in c.get("additionalValuesFiles") or []:
            values = merge_maps(values, read_values(loader.read_text(str(extra)), loader.file_path(str(extra))))
        if c.get("skipHooks"):
            raise InputError(f"helmCharts {name}: skipHooks is not supported by sluice's Helm engine yet", file=where)
        from .charts import StagedRepo, cleanup, unstaged

        tmp: list[str] = []
        try:
            staged = StagedRepo(fs, tmp, referrer=where).stage(chart_path)  # Helm sees only what passed the boundary
            docs = self.engine.template_sourced(
                staged,
                release_name=str(c.get("releaseName") or "release-name"),
                namespace=str(c.get("namespace") or "default"),
                values=values,
                kube_version=str(c["kubeVersion"]) if c.get("kubeVersion") else self.default_kube_version,
                api_versions=[str(a) for a in c.get("apiVersions") or []],
                include_crds=bool(c.get("includeCRDs")),
                skip_tests=bool(c.get("skipTests")),
            )
        except RenderError as exc:
            raise RenderError(f"helmCharts {name}: {unstaged(exc.message, tmp)}", file=where) from None
        finally:
            cleanup(tmp)
        from .origins import place_chart_documents

        out = []
        for doc, origin in place_chart_documents(docs, fs, chart_path, entry):
            meta = doc.setdefault("metadata", {}) if isinstance(doc.get("metadata"), dict) or "metadata" not in doc else doc["metadata"]
            if isinstance(meta, dict):
                annotations = meta.get("annotations")
                if not isinstance(annotations, dict):
                    annotations = meta["annotations"] = {}
                annotations[HELM_GENERATED] = "true"
            out.append(Resource(body=doc, origin=origin.file, line=origin.line))
        return out
