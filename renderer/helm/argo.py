"""Argo CD Applications whose source is a Helm chart in the dry repository.

Argo CD renders them with `helm template <path> --name-template <releaseName>
--namespace <destination.namespace> --values <valueFiles...> --values <values|valuesObject>
--set <parameters> --set-string <forceString parameters> --set-file <fileParameters>
[--include-crds unless skipCrds] [--skip-tests]`; the release name defaults to the
Application's name. Value files are paths relative to the chart directory and must stay in
the repository.
"""
from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..fs import RepoFS, join
from .strvals import StrvalsError, parse_into
from .values import merge_maps, read_values

HELM_FIELDS = frozenset({
    "valueFiles", "values", "valuesObject", "parameters", "fileParameters", "releaseName", "skipCrds",
    "skipTests", "ignoreMissingValueFiles", "passCredentials", "version", "namespace", "kubeVersion",
    "apiVersions", "skipSchemaValidation",
})


def argo_helm_values(fs: RepoFS, chart_dir: str, helm: dict[str, Any], *, where: str, file: str | None,
                     refs: tuple[str, ...] = ()) -> dict[str, Any]:
    """The user values Argo CD passes to `helm template` for this source (chart defaults
    are coalesced by the engine)."""
    unknown = sorted(set(helm) - HELM_FIELDS)
    if unknown:
        raise InputError(f"{where}.helm: unknown field(s) {', '.join(unknown)}", file=file)
    values: dict[str, Any] = {}
    for name in helm.get("valueFiles") or []:
        name = str(name)
        if name.startswith("$"):
            ref, _, rest = name[1:].partition("/")
            if ref not in refs:
                raise InputError(f"{where}.helm.valueFiles: {name!r} names no `ref` source of this Application", file=file)
            path = fs.resolve(rest or ".", ".", referrer=file)  # a ref source is the dry repository's root
        else:
            path = fs.resolve(name, chart_dir, referrer=file)
        if not fs.is_file(path):
            if helm.get("ignoreMissingValueFiles"):
                continue
            raise InputError(f"{where}.helm.valueFiles: {name!r} not found (resolved to {path})", file=file)
        values = merge_maps(values, read_values(fs.read_text(path), path))
    inline: Any = helm.get("valuesObject")
    if inline is None and helm.get("values"):
        raw = helm["values"]
        inline = read_values(raw, f"{file}: {where}.helm.values") if isinstance(raw, str) else raw
    if inline is not None:
        if not isinstance(inline, dict):
            raise InputError(f"{where}.helm.values must be a map of values", file=file)
        values = merge_maps(values, inline)
    try:
        for param in helm.get("parameters") or []:
            expression = f"{param.get('name')}={'' if param.get('value') is None else param.get('value')}"
            parse_into(expression, values, as_string=bool(param.get("forceString")))
        for param in helm.get("fileParameters") or []:
            path = fs.resolve(str(param.get("path")), chart_dir, referrer=file)
            parse_into(f"{param.get('name')}=placeholder", values, as_string=True)
            _set_dotted(values, str(param.get("name")), fs.read_text(path))
    except StrvalsError as exc:
        raise InputError(f"{where}.helm.parameters: {exc}", file=file) from None
    return values


def _set_dotted(values: dict[str, Any], name: str, text: str) -> None:
    node = values
    parts = name.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = text


def render_argo_helm(fs: RepoFS, chart_dir: str, helm: dict[str, Any], *, app_name: str, namespace: str,
                     engine: Any, where: str, file: str | None, refs: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    if not fs.is_file(join(chart_dir, "Chart.yaml")):
        raise InputError(f"{where}.path: {chart_dir!r} holds no Chart.yaml", file=file)
    values = argo_helm_values(fs, chart_dir, helm, where=where, file=file, refs=refs)
    return _argo_template(engine, fs.abspath(chart_dir), helm, values, app_name=app_name, namespace=namespace)


def _argo_template(engine: Any, chart: str, helm: dict[str, Any], values: dict[str, Any], *, app_name: str,
                   namespace: str) -> list[dict[str, Any]]:
    """Argo CD's `helm template` call: release name, namespace, capabilities, CRDs, tests."""
    return engine.template(
        chart,
        release_name=str(helm.get("releaseName") or app_name),
        namespace=str(helm.get("namespace") or namespace or "default"),
        values=values,
        kube_version=str(helm["kubeVersion"]) if helm.get("kubeVersion") else None,
        api_versions=tuple(str(v) for v in helm.get("apiVersions") or ()),
        include_crds=not helm.get("skipCrds"),
        skip_tests=bool(helm.get("skipTests")),
    )


def chart_cache_key(repo_url: str) -> str:
    """Where a Helm repository's charts live in the chart cache: its URL without the scheme
    (`https://charts.example.com/stable` -> `charts.example.com/stable`)."""
    rest = repo_url.split("://", 1)[-1].strip("/")
    return rest.replace(":", "_")


def render_argo_repo_chart(fs: RepoFS, repo_url: str, chart: str, version: str, helm: dict[str, Any], *,
                           app_name: str, namespace: str, engine: Any, chart_cache: Any, where: str,
                           file: str | None) -> list[dict[str, Any]]:
    """An Application source `{repoURL: <Helm repository>, chart, targetRevision}`: the chart
    comes from the chart cache (offline), then renders like a chart path."""
    from pathlib import Path

    from .release import ChartCache

    if chart_cache is None:
        raise InputError(
            f"{where}: chart {chart!r} from the Helm repository {repo_url} needs the chart cache: pass --chart-cache DIR "
            f"holding {chart_cache_key(repo_url)}/{chart}-<version>.tgz", file=file)
    archive = ChartCache(Path(chart_cache)).find(chart_cache_key(repo_url), chart, version or "*",
                                                 what=f"{where}: Helm repository {repo_url}")
    values = argo_helm_values(fs, ".", {k: v for k, v in helm.items() if k != "valueFiles"}, where=where, file=file)
    if helm.get("valueFiles"):
        raise InputError(f"{where}.helm.valueFiles: value files inside a repository chart are not supported yet; use values or valuesObject", file=file)
    return _argo_template(engine, str(archive), helm, values, app_name=app_name, namespace=namespace)
