"""Argo CD Applications whose source is a Helm chart: a path in the dry repository, or a
chart from a Helm repository (read from the offline chart cache).

Argo CD renders them with `helm template <chart> --name-template <releaseName>
--namespace <destination.namespace> --values <valueFiles...> --values <values|valuesObject>
--set <parameters> --set-string <forceString parameters> --set-file <fileParameters>
[--include-crds unless skipCrds] [--skip-tests]`; the release name defaults to the
Application's name. Value files are paths relative to the chart's root: the chart
directory in the repository, or the chart's own files for a Helm-repository chart
(e.g. a `values-prod.yaml` shipped in the archive). `$ref/...` value files name a `ref`
source of a multi-source Application, i.e. the dry repository's root.
"""
from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any, Callable, NamedTuple, Optional

from ..core.errors import InputError, OutOfReach, RenderError
from ..core.fs import RepoFS, join
from ..core.resource import NO_ORIGIN, Origin, Placed, bodies
from .cachekey import chart_cache_key
from .engine import DEFAULT_KUBE_VERSION
from .strvals import StrvalsError, parse_into
from .values import merge_maps, read_values

HELM_FIELDS = frozenset({
    "valueFiles", "values", "valuesObject", "parameters", "fileParameters", "releaseName", "skipCrds",
    "skipTests", "ignoreMissingValueFiles", "passCredentials", "version", "namespace", "kubeVersion",
    "apiVersions", "skipSchemaValidation",
})


class ChartFile(NamedTuple):
    """A file looked up relative to a chart's root."""

    source: str  # where it is, for messages about its content
    text: Optional[str]  # None: there is no such file
    missing: str  # where it was looked for, for the "not found" message


ChartFileReader = Callable[[str], ChartFile]


def repo_chart_reader(fs: RepoFS, chart_dir: str, *, file: str | None) -> ChartFileReader:
    """Files of a chart directory in the dry repository (escapes refused by RepoFS)."""

    def read(name: str) -> ChartFile:
        path = fs.resolve(name, chart_dir, referrer=file)
        return ChartFile(path, fs.read_text(path) if fs.is_file(path) else None, f"resolved to {path}")

    return read


def archive_chart_reader(archive: Path, *, where: str, file: str | None) -> ChartFileReader:
    """Files inside a packaged chart (.tgz), relative to its top directory; the archive is
    read once, on first use."""
    from .release import _chart_file_reader

    members: list[Callable[[str], Optional[str]]] = []
    label = archive.name[:-4] if archive.name.endswith(".tgz") else archive.name

    def read(name: str) -> ChartFile:
        rel = posixpath.normpath(name)
        if name.startswith("/") or rel == ".." or rel.startswith("../"):
            raise InputError(f"{where}.helm: {name!r} escapes the chart {archive.name}; use a path inside the chart", file=file)
        if not members:
            members.append(_chart_file_reader(str(archive))[0])
        try:
            text = members[0](rel)
        except UnicodeDecodeError:
            raise InputError(f"{where}.helm: {name!r} in chart {label} is not UTF-8 text", file=file) from None
        return ChartFile(f"{archive}:{rel}", text, f"not in chart {label} ({archive})")

    return read


def argo_helm_values(fs: RepoFS, read_chart_file: ChartFileReader, helm: dict[str, Any], *, where: str,
                     file: str | None, refs: tuple[str, ...] = ()) -> dict[str, Any]:
    """The user values Argo CD passes to `helm template` for this source (chart defaults
    are coalesced by the engine): value files in order, then values/valuesObject, then
    parameters and fileParameters. `read_chart_file` reads the chart's own files, so chart
    paths and Helm-repository charts share these rules; `$ref/...` files come from `fs`."""
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
            found = ChartFile(path, fs.read_text(path) if fs.is_file(path) else None, f"resolved to {path}")
        else:
            found = read_chart_file(name)
        if found.text is None:
            if helm.get("ignoreMissingValueFiles"):
                continue
            raise InputError(f"{where}.helm.valueFiles: {name!r} not found ({found.missing})", file=file)
        values = merge_maps(values, read_values(found.text, found.source))
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
            name = str(param.get("path"))
            found = read_chart_file(name)
            if found.text is None:
                raise InputError(f"{where}.helm.fileParameters: {name!r} not found ({found.missing})", file=file)
            parse_into(f"{param.get('name')}=placeholder", values, as_string=True)
            _set_dotted(values, str(param.get("name")), found.text)
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
                     engine: Any, where: str, file: str | None, refs: tuple[str, ...] = (),
                     chart_cache: Any = None) -> list[dict[str, Any]]:
    """An Application source that is a chart directory of the dry repository. Dependencies
    missing from its charts/ are resolved offline first (Argo CD runs `helm dependency
    build`): `file://` ones from the repository, remote ones from `chart_cache`."""
    return bodies(render_argo_helm_placed(fs, chart_dir, helm, app_name=app_name, namespace=namespace, engine=engine,
                                          where=where, file=file, refs=refs, chart_cache=chart_cache))


def render_argo_helm_placed(fs: RepoFS, chart_dir: str, helm: dict[str, Any], *, app_name: str, namespace: str,
                            engine: Any, where: str, file: str | None, refs: tuple[str, ...] = (),
                            chart_cache: Any = None, fallback: Origin = NO_ORIGIN) -> list[Placed]:
    """`render_argo_helm`, each document from its template in `chart_dir` (renderer.helm.origins);
    `fallback` (the Application) for what no repository template stands for."""
    from .origins import place_chart_documents

    if not fs.is_file(join(chart_dir, "Chart.yaml")):
        raise InputError(f"{where}.path: {chart_dir!r} holds no Chart.yaml", file=file)
    values = argo_helm_values(fs, repo_chart_reader(fs, chart_dir, file=file), helm, where=where, file=file, refs=refs)
    docs = _with_dependencies(engine, chart_dir, helm, values, app_name=app_name, namespace=namespace,
                              chart_cache=chart_cache, where=where, file=file, root=None, fs=fs)
    return place_chart_documents(docs, fs, chart_dir, fallback)


def _with_dependencies(engine: Any, chart: str, helm: dict[str, Any], values: dict[str, Any], *, app_name: str,
                       namespace: str, chart_cache: Any, where: str, file: str | None,
                       root: str | None, fs: RepoFS | None = None) -> list[tuple[dict[str, Any], str]]:
    """`_argo_template` on the chart with its missing dependencies vendored (a temporary
    copy, removed afterwards, only when something is missing). With `fs`, `chart` is a
    repository directory, staged through the read boundary before Helm sees it."""
    import shutil

    from .charts import StagedRepo, unstaged
    from .dependencies import vendor_dependencies

    tmp: list[str] = []
    try:
        staged = None
        if fs is not None:
            staged = StagedRepo(fs, tmp, referrer=file)
            chart, root = staged.stage(chart), staged.root
        ready = vendor_dependencies(chart, chart_cache=chart_cache, tmp_dirs=tmp, where=where, file=file, root=root,
                                    staged=staged)
        try:
            return _argo_template(engine, ready, helm, values, app_name=app_name, namespace=namespace)
        except RenderError as exc:
            raise RenderError(unstaged(exc.message, tmp), file=exc.file, line=exc.line) from None
    finally:
        for d in tmp:
            shutil.rmtree(d, ignore_errors=True)


def _argo_template(engine: Any, chart: str, helm: dict[str, Any], values: dict[str, Any], *, app_name: str,
                   namespace: str) -> list[tuple[dict[str, Any], str]]:
    """Argo CD's `helm template` call: release name, namespace, capabilities, CRDs, tests."""
    return engine.template_sourced(
        chart,
        release_name=str(helm.get("releaseName") or app_name),
        namespace=str(helm.get("namespace") or namespace or "default"),
        values=values,
        kube_version=str(helm.get("kubeVersion") or DEFAULT_KUBE_VERSION),
        api_versions=tuple(str(v) for v in helm.get("apiVersions") or ()),
        include_crds=not helm.get("skipCrds"),
        skip_tests=bool(helm.get("skipTests")),
        skip_schema_validation=bool(helm.get("skipSchemaValidation")),
    )


def render_argo_repo_chart(fs: RepoFS, repo_url: str, chart: str, version: str, helm: dict[str, Any], *,
                           app_name: str, namespace: str, engine: Any, chart_cache: Any, where: str,
                           file: str | None, refs: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """An Application source `{repoURL: <Helm repository>, chart, targetRevision}`: the chart
    comes from the chart cache (offline), then renders like a chart path, its value files
    read from inside the archive."""
    return bodies(render_argo_repo_chart_placed(fs, repo_url, chart, version, helm, app_name=app_name,
                                                namespace=namespace, engine=engine, chart_cache=chart_cache,
                                                where=where, file=file, refs=refs))


def render_argo_repo_chart_placed(fs: RepoFS, repo_url: str, chart: str, version: str, helm: dict[str, Any], *,
                                  app_name: str, namespace: str, engine: Any, chart_cache: Any, where: str,
                                  file: str | None, refs: tuple[str, ...] = (), fallback: Origin = NO_ORIGIN) -> list[Placed]:
    """`render_argo_repo_chart`; every document's origin is `fallback` (the Application):
    the chart is an archive of the chart cache, no repository file."""
    from .release import ChartCache

    if chart_cache is None:
        raise OutOfReach(
            f"{where}: chart {chart!r} from the Helm repository {repo_url} needs the chart cache: pass --chart-cache DIR "
            f"holding {chart_cache_key(repo_url)}/{chart}-<version>.tgz (fill it with `sluice helm pull`)", file=file)
    archive = ChartCache(Path(chart_cache)).find(chart_cache_key(repo_url), chart, version or "*",
                                                 what=f"{where}: Helm repository {repo_url}")
    values = argo_helm_values(fs, archive_chart_reader(archive, where=where, file=file), helm, where=where, file=file,
                              refs=refs)
    docs = _with_dependencies(engine, str(archive), helm, values, app_name=app_name, namespace=namespace,
                              chart_cache=chart_cache, where=where, file=file, root=None)
    return [Placed(doc, fallback) for doc, _source in docs]
