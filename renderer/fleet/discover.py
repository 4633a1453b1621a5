"""The fleet: discovery and the render plan.

The configuration (`sluice.yaml`) is read by renderer.fleet.config; Flux cluster entry
points are planned by renderer.fleet.flux. `discover(fs, config)` finds Argo CD Applications and cluster Secrets (where the config
says, or anywhere in the repository), resolves each Application's destination against
the cluster inventory and returns a `FleetPlan`: one `Target` per Application, with the
cluster, the source to render, and where its bundle goes (hydrated branch + directory).
Both are pure: they read files through `RepoFS` and return values.
"""
from __future__ import annotations

import dataclasses
import json
import os
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Sequence

from ..argo.kustomize_options import build_env, validate_options
from ..argo.clusters import (  # re-exported: the fleet's view of Argo CD's cluster Secrets
    IN_CLUSTER_NAME,
    IN_CLUSTER_SERVER,
    Cluster,
    cluster_from_secret,
)
from ..argo.clusters import is_cluster_secret as _is_cluster_secret
from ..core.errors import InputError, NothingFound, OutOfReach
from .bundle import INDEX as BUNDLES_INDEX
from .config import CONFIG_FILE, FleetConfig, cluster_name_problem, normalize_branch
from ..helm.engine import DEFAULT_KUBE_VERSION
from ..core.notes import NotRendered, Skipped
from ..core.repourl import normalize_repo_url
from ..core.fs import RepoFS, check_depth, check_name, is_shape_key
from ..core import screens
from ..argo.sources import KUSTOMIZATION_FILES, SourceSpec, compile_glob

APPLICATION_API_VERSION = "argoproj.io/v1alpha1"
_YAML_SUFFIXES = (".yaml", ".yml")
_GLOB_CHARS = re.compile(r"[*?\[{]")
DEFAULT_APP_NAMESPACE = "argocd"  # where Argo CD keeps Applications that name no namespace
MAX_TARGETS = 10_000  # app-of-apps expansion stops here (a generator gone wrong)
LEAVE_TO_ARGO = "; to leave this Application to Argo CD, add its file to `exclude` in sluice.yaml"


# -- data -------------------------------------------------------------------------------


HELM_RELEASES_ANNOTATION = "sluice.dev/helm-releases"  # per-Application: one of HELM_RELEASE_MODES
HELM_RELEASE_MODES = ("inflate", "auto", "passthrough")  # auto: inflate what renders offline, keep the rest


@dataclass(frozen=True, slots=True)
class Target:
    """One Application rendered for one cluster, and where its bundle goes."""

    cluster: str
    app: str  # the Application's metadata.name
    source: SourceSpec
    branch: str  # the hydrated branch sluice writes to
    app_dir: str  # the directory inside that branch (and under OUT/<cluster>/)
    namespace: str | None  # spec.destination.namespace
    origin: str  # the Application's file
    line: int | None = None
    server: str = ""
    app_namespace: str | None = None  # the Application's own metadata.namespace
    hydrator: bool = False  # configured through spec.sourceHydrator
    helm_releases: str = "auto"  # inflate Flux HelmReleases (keeping those out of reach), or pass them through
    extra_sources: tuple[SourceSpec, ...] = ()  # spec.sources after the first, rendered in order
    generated_by: str = ""  # "ApplicationSet x" / "Application y" when not written in the repo
    kube_version: str = DEFAULT_KUBE_VERSION  # the destination cluster's, for Helm's capabilities
    api_versions: tuple[str, ...] = ()
    project: str = "default"  # spec.project (AppProject policy checks)
    repo_url: str | None = None  # the source's repoURL as written (AppProject sourceRepos checks)

    @property
    def app_key(self) -> tuple[str, str]:
        """The Application's identity in Argo CD: (namespace, name)."""
        return (self.app_namespace or DEFAULT_APP_NAMESPACE, self.app)

    @property
    def source_path(self) -> str:
        return self.source.path

    @property
    def where(self) -> str:
        return f"{self.origin}:{self.line}" if self.line else self.origin


@dataclass(frozen=True, slots=True)
class FleetPlan:
    config: FleetConfig
    clusters: tuple[Cluster, ...]
    targets: tuple[Target, ...]  # sorted by (cluster, app_dir)
    repo_url: str | None = None  # from sluice.yaml, else the one the Applications agree on
    notes: tuple[str, ...] = ()  # things discovery saw and did not render (ApplicationSets, ...)
    skip_dirs: tuple[str, ...] = ()  # repo dirs no source reads: the output directory(ies)
    cluster_docs: tuple[tuple[dict[str, Any], str, int | None], ...] = ()  # cluster Secrets (for ApplicationSets)
    skipped: frozenset[tuple[str, str]] = frozenset()  # (namespace, name) of Applications noted, not planned
    select: Any = None  # fleet.select.TargetFilter: children of an app of apps are taken up only if they match

    def cluster(self, name: str) -> Cluster:
        for c in self.clusters:
            if c.name == name:
                return c
        raise KeyError(name)


# -- finding files --------------------------------------------------------------------------


def _is_chart_dir(fs: RepoFS, directory: str) -> bool:
    return os.path.isfile(os.path.join(fs.abspath(directory), "Chart.yaml"))


def walk_yaml(fs: RepoFS, start: str, *, skip: Iterable[str] = (), exclude: Iterable[str] = ()) -> Iterator[str]:
    """YAML files under `start`, repo-relative, sorted; skips hidden entries, Helm chart
    directories (templates are not YAML), symlinked directories, `skip` directories,
    paths matching an `exclude` glob and sluice's own bundles directories (a `render
    --out DIR` inside the repository: rendered output, not source)."""
    skip_set = {posixpath.normpath(s) for s in skip}
    excludes = [compile_glob(p.rstrip("/"), True) for p in exclude]

    def excluded(path: str) -> bool:
        return path in skip_set or any(rx.fullmatch(path) for rx in excludes)

    def walk(directory: str) -> Iterator[str]:
        check_depth(directory)
        if directory != "." and _is_chart_dir(fs, directory):
            return
        try:
            entries = sorted(os.scandir(fs.abspath(directory)), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            check_name(entry.name, directory)
            path = entry.name if directory == "." else f"{directory}/{entry.name}"
            if excluded(path):
                continue
            if entry.is_dir(follow_symlinks=False):
                if not os.path.isfile(os.path.join(entry.path, BUNDLES_INDEX)):
                    yield from walk(path)
            elif entry.name.endswith(_YAML_SUFFIXES) and entry.name not in KUSTOMIZATION_FILES:
                try:
                    is_file = entry.is_file(follow_symlinks=True)
                except OSError:  # a symlink loop: reading it reports it, naming the file
                    is_file = True
                if is_file:
                    yield path

    if start != "." and excluded(start):
        return iter(())
    return walk(start)


def select_files(fs: RepoFS, patterns: tuple[str, ...], key: str, *, skip: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[str]:
    """Files named by sluice.yaml `key` patterns: a file, a directory (its YAML files,
    recursively) or a glob (`*`, `?`, `[...]`, `{a,b}` within a segment, `**` across)."""
    chosen: dict[str, None] = {}
    for i, raw in enumerate(patterns):
        pattern = raw.rstrip("/") or "."
        before = len(chosen)
        if not _GLOB_CHARS.search(pattern):
            path = fs.resolve(pattern, referrer=CONFIG_FILE)
            if fs.is_file(path):
                chosen.setdefault(path, None)
            elif fs.is_dir(path):
                for found in walk_yaml(fs, path, skip=skip, exclude=exclude):
                    chosen.setdefault(found, None)
            else:
                raise InputError(f"{key}[{i}]: {raw!r} does not exist", file=CONFIG_FILE)
        else:
            segments = pattern.split("/")
            literal: list[str] = []
            for seg in segments:
                if _GLOB_CHARS.search(seg) or "\\" in seg:
                    break
                literal.append(seg)
            start = "/".join(literal) or "."
            rx = compile_glob(pattern, True)
            if fs.is_dir(start):
                fs.resolve(start, referrer=CONFIG_FILE)
                for found in walk_yaml(fs, start, skip=skip, exclude=exclude):
                    parts = found.split("/")
                    if any(rx.fullmatch("/".join(parts[:n])) for n in range(len(parts), 0, -1)):
                        chosen.setdefault(found, None)
        if len(chosen) == before:
            raise InputError(f"{key}[{i}]: {raw!r} matches no YAML file", file=CONFIG_FILE)
    return sorted(chosen)


# -- Applications and clusters --------------------------------------------------------------


def _is_application(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("kind") == "Application" and str(doc.get("apiVersion", "")).startswith("argoproj.io/")


def _meta_name(doc: dict[str, Any]) -> str:
    meta = doc.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else ""


def _server_key(server: str) -> str:
    return server.strip().rstrip("/")


@dataclass
class _Inventory:
    clusters: list[Cluster] = field(default_factory=list)

    def add(self, cluster: Cluster) -> None:
        for other in self.clusters:
            if other.name == cluster.name:
                raise InputError(
                    f"cluster name {cluster.name!r} is declared twice (also in {other.origin}:{other.line})",
                    file=cluster.origin,
                    line=cluster.line,
                )
            if _server_key(other.server) == _server_key(cluster.server):
                raise InputError(
                    f"cluster server {cluster.server!r} is declared twice (also in {other.origin}:{other.line})",
                    file=cluster.origin,
                    line=cluster.line,
                )
        self.clusters.append(cluster)

    def by_name(self, name: str) -> Cluster | None:
        return next((c for c in self.clusters if c.name == name), None)

    def by_server(self, server: str) -> Cluster | None:
        key = _server_key(server)
        return next((c for c in self.clusters if _server_key(c.server) == key), None)


def _field(mapping: Any, key: str, where: str, file: str, line: int | None, *, kind: type | tuple[type, ...] = str, required: bool = False) -> Any:
    if not isinstance(mapping, dict):
        raise InputError(f"{where} must be a mapping", file=file, line=line)
    value = mapping.get(key)
    if value is None:
        if required:
            raise InputError(f"{where}.{key} is required", file=file, line=line)
        return None
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise InputError(f"{where}.{key} must be a {names}, not {value!r}", file=file, line=line)
    return value


@dataclass(frozen=True, slots=True)
class _App:
    name: str
    namespace: str | None
    doc: dict[str, Any]
    file: str
    line: int | None
    generated_by: str = ""


def _source_spec(source: dict[str, Any], where: str, app: _App) -> tuple[SourceSpec, str | None]:
    """SourceSpec and repoURL of an Application source (spec.source or drySource)."""
    f, ln = app.file, app.line
    if not isinstance(source, dict):
        raise InputError(f"Application {app.name}: {where} must be a mapping", file=f, line=ln)
    repo_url = _field(source, "repoURL", where, f, ln)
    if source.get("chart") is not None:
        helm = source.get("helm") or {}
        if not isinstance(helm, dict):
            raise InputError(f"Application {app.name}: {where}.helm must be a mapping", file=f, line=ln)
        destination = app.doc.get("spec", {}).get("destination") or {}
        chart_spec = SourceSpec(
            path=".", type="helm-repo", field=where, helm_json=json.dumps(helm, sort_keys=True), app_name=app.name,
            namespace=str(destination.get("namespace") or "") if isinstance(destination, dict) else "",
            chart=str(source["chart"]), chart_repo=str(repo_url or ""), chart_version=str(source.get("targetRevision") or ""),
        )
        return chart_spec, None  # a Helm repository, not the dry repository: no repoURL check
    if source.get("plugin") is not None:
        raise OutOfReach(f"Application {app.name}: {where}.plugin: plugin sources are not rendered by sluice" + LEAVE_TO_ARGO, file=f, line=ln)
    path = _field(source, "path", where, f, ln)
    path = path.strip() if path else "."
    explicit = [key for key in ("kustomize", "directory", "helm") if source.get(key) is not None]
    if len(explicit) > 1:
        raise InputError(f"Application {app.name}: {where}: multiple source types set: {', '.join(explicit)}", file=f, line=ln)
    kind = explicit[0] if explicit else "auto"
    recurse, include, exclude, no_ext = False, "", "", False
    kustomize_json = ""
    if kind == "kustomize":
        options = validate_options(source["kustomize"], where=f"Application {app.name}: {where}.kustomize", file=f, line=ln)
        kustomize_json = json.dumps(options, sort_keys=True) if options else ""
    if kind == "directory":
        d = source["directory"]
        dwhere = f"{where}.directory"
        recurse = bool(_field(d, "recurse", dwhere, f, ln, kind=bool))
        include = _field(d, "include", dwhere, f, ln) or ""
        exclude = _field(d, "exclude", dwhere, f, ln) or ""
        no_ext = bool(_field(d, "disableExtensionFilter", dwhere, f, ln, kind=bool))
        if d.get("jsonnet"):
            raise OutOfReach(f"Application {app.name}: {dwhere}.jsonnet: jsonnet is not supported by sluice", file=f, line=ln)
    try:
        resolved = _resolve_fs_path(path)
    except ValueError as exc:
        raise InputError(f"Application {app.name}: {where}.path: {exc}", file=f, line=ln) from None
    helm_json = ""
    if kind == "helm":
        if not isinstance(source["helm"], dict):
            raise InputError(f"Application {app.name}: {where}.helm must be a mapping", file=f, line=ln)
        helm_json = json.dumps(source["helm"], sort_keys=True)
    destination = app.doc.get("spec", {}).get("destination") or {}
    spec = SourceSpec(
        path=resolved, type=kind, recurse=recurse, include=include, exclude=exclude,
        disable_extension_filter=no_ext, field=where, helm_json=helm_json, app_name=app.name,
        namespace=str(destination.get("namespace") or "") if isinstance(destination, dict) else "",
        kustomize_json=kustomize_json, build_env=_build_env(source, app, path, repo_url),
    )
    return spec, repo_url


def _build_env(source: dict[str, Any], app: _App, path: str, repo_url: str | None) -> tuple[tuple[str, str], ...]:
    """Argo CD's ARGOCD_APP_* build variables for the source (kustomize options envsubst
    them); the revision is unknown offline and left empty, which keeps renders stable."""
    spec = app.doc.get("spec") or {}
    found = spec.get("destination")
    destination: dict[str, Any] = found if isinstance(found, dict) else {}
    env = build_env(
        app_name=app.name, namespace=str(destination.get("namespace") or ""),
        project=str(spec.get("project") or "default"), repo_url=str(repo_url or ""), path=path,
        target_revision=str(source.get("targetRevision") or ""),
    )
    return tuple(sorted(env.items()))


def _multi_source(sources: Any, app: _App) -> tuple[list[SourceSpec], str | None]:
    """`spec.sources`: the sources that render (in order), each able to read value files
    through the `ref` sources (`$name/path`). All must be the dry repository."""
    f, ln = app.file, app.line
    if not isinstance(sources, list) or not sources:
        raise InputError(f"Application {app.name}: spec.sources must be a non-empty list", file=f, line=ln)
    refs: list[str] = []
    rendering: list[tuple[int, dict[str, Any]]] = []
    repo_url: str | None = None
    for i, src in enumerate(sources):
        where = f"spec.sources[{i}]"
        if not isinstance(src, dict):
            raise InputError(f"Application {app.name}: {where} must be a mapping", file=f, line=ln)
        url = _field(src, "repoURL", where, f, ln)
        if url and src.get("chart") is None:  # a chart's repoURL is a Helm repository, not the dry repository
            if repo_url and normalize_repo_url(url) != normalize_repo_url(repo_url):
                raise OutOfReach(
                    f"Application {app.name}: {where}.repoURL {url!r} differs from {repo_url!r}; sluice renders "
                    "multi-source Applications whose sources are all this repository" + LEAVE_TO_ARGO,
                    file=f, line=ln,
                )
            repo_url = repo_url or url
        if src.get("ref"):
            refs.append(str(src["ref"]))
        if src.get("path") is not None or src.get("chart") is not None:
            rendering.append((i, src))
    if not rendering:
        raise InputError(f"Application {app.name}: spec.sources: no source with a path to render", file=f, line=ln)
    specs = [dataclasses.replace(_source_spec(src, f"spec.sources[{i}]", app)[0], value_refs=tuple(refs)) for i, src in rendering]
    return specs, repo_url


def _written_repo_url(spec: dict[str, Any]) -> str | None:
    """The repoURL an AppProject checks: the dry source's, the source's, or the first source's."""
    hydrator = spec.get("sourceHydrator")
    source = hydrator.get("drySource") if isinstance(hydrator, dict) else spec.get("source")
    if not isinstance(source, dict) and isinstance(spec.get("sources"), list) and spec["sources"]:
        source = spec["sources"][0]
    url = source.get("repoURL") if isinstance(source, dict) else None
    return url if isinstance(url, str) and url else None


def _source_revision(spec: dict[str, Any], hydrator: Any) -> str | None:
    """targetRevision of the source that decides the repository (the first with a path)."""
    if isinstance(hydrator, dict):
        dry = hydrator.get("drySource")
        return str(dry.get("targetRevision") or "") if isinstance(dry, dict) else None
    sources: list[Any] = spec["sources"] if isinstance(spec.get("sources"), list) else [spec.get("source")]
    for src in sources:
        if isinstance(src, dict) and src.get("chart") is None:
            return str(src.get("targetRevision") or "")
    return None


def cluster_capabilities(cluster: Cluster | None, config: FleetConfig) -> tuple[str, tuple[str, ...]]:
    """(Kubernetes version, API versions) Helm renders with for a cluster, as Argo CD passes
    the destination's: the cluster Secret's annotations, else sluice.yaml's."""
    version = (cluster.kube_version if cluster is not None else None) or config.kube_version
    apis = tuple(dict.fromkeys([*config.api_versions, *(cluster.api_versions if cluster is not None else ())]))
    return version, apis


def _with_capabilities(spec: SourceSpec, kube_version: str, api_versions: tuple[str, ...]) -> SourceSpec:
    """A source that may render with Helm carries the cluster's capabilities in its helm
    block; the Application's own `helm.kubeVersion`/`apiVersions` win (as in Argo CD)."""
    if spec.type not in ("auto", "helm", "helm-repo"):
        return spec
    helm = json.loads(spec.helm_json) if spec.helm_json else {}
    helm.setdefault("kubeVersion", kube_version)
    if api_versions and not helm.get("apiVersions"):
        helm["apiVersions"] = list(api_versions)
    return dataclasses.replace(spec, helm_json=json.dumps(helm, sort_keys=True))


def _resolve_fs_path(path: str) -> str:
    if path.startswith("/"):
        raise ValueError(f"{path!r} must be relative to the repository root")
    norm = posixpath.normpath(path)
    if norm == ".." or norm.startswith("../"):
        raise ValueError(f"{path!r} escapes the repository")
    return norm


def _app_dir(path: str, where: str, app: _App) -> str:
    norm = posixpath.normpath(path.strip()) if path and path.strip() else ""
    if not norm or norm == "." or norm == "/":
        raise InputError(f"Application {app.name}: {where}: hydrating to the branch root is not allowed; name a directory", file=app.file, line=app.line)
    if norm.startswith("/") or norm == ".." or norm.startswith("../"):
        raise InputError(f"Application {app.name}: {where}: {path!r} must be a relative path inside the branch", file=app.file, line=app.line)
    if any(part.startswith(".") for part in norm.split("/")):
        raise InputError(f"Application {app.name}: {where}: {path!r}: path segments must not start with '.'", file=app.file, line=app.line)
    return norm


def _plan_app(app: _App, inventory: _Inventory, config: FleetConfig, dry_repo: str | None) -> tuple[Target, str | None]:
    f, ln, name = app.file, app.line, app.name
    spec = _field(app.doc, "spec", "Application", f, ln, kind=dict, required=True)
    # destination
    dest = _field(spec, "destination", "spec", f, ln, kind=dict, required=True)
    dest_name = (_field(dest, "name", "spec.destination", f, ln) or "").strip()
    dest_server = (_field(dest, "server", "spec.destination", f, ln) or "").strip()
    namespace = _field(dest, "namespace", "spec.destination", f, ln) or None
    if dest_name and dest_server:
        raise InputError(
            f"Application {name}: spec.destination sets both name ({dest_name!r}) and server ({dest_server!r}); set one",
            file=f, line=ln,
        )
    if dest_name:
        cluster = inventory.by_name(dest_name)
        wanted = f"spec.destination.name {dest_name!r}"
    elif dest_server:
        cluster = inventory.by_server(dest_server)
        wanted = f"spec.destination.server {dest_server!r}"
    else:
        raise InputError(f"Application {name}: spec.destination needs a name or a server", file=f, line=ln)
    if cluster is None:
        known = ", ".join(f"{c.name} ({c.server})" for c in inventory.clusters) or "none"
        raise InputError(
            f"Application {name}: {wanted} matches no cluster (known clusters: {known}); "
            "declare it with an Argo CD cluster Secret",
            file=f, line=ln,
        )
    problem = cluster_name_problem(cluster.name)
    if problem:
        raise InputError(f"cluster name {cluster.name!r} {problem}", file=cluster.origin, line=cluster.line)
    # source and hydrated location
    hydrator = spec.get("sourceHydrator")
    extra_sources: tuple[SourceSpec, ...] = ()
    if hydrator is not None:
        hwhere = "spec.sourceHydrator"
        if not isinstance(hydrator, dict):
            raise InputError(f"Application {name}: {hwhere} must be a mapping", file=f, line=ln)
        dry = _field(hydrator, "drySource", hwhere, f, ln, kind=dict, required=True)
        source, repo_url = _source_spec(dry, f"{hwhere}.drySource", app)
        sync = _field(hydrator, "syncSource", hwhere, f, ln, kind=dict, required=True)
        branch = _field(sync, "targetBranch", f"{hwhere}.syncSource", f, ln, required=True)
        app_dir = _app_dir(_field(sync, "path", f"{hwhere}.syncSource", f, ln, required=True), f"{hwhere}.syncSource.path", app)
        sync_repo = _field(sync, "repoURL", f"{hwhere}.syncSource", f, ln)
        if sync_repo and repo_url and normalize_repo_url(sync_repo) != normalize_repo_url(repo_url):
            raise InputError(
                f"Application {name}: {hwhere}.syncSource.repoURL {sync_repo!r} differs from the dry repository "
                f"{repo_url!r}; sluice writes hydrated branches to the dry repository only",
                file=f, line=ln,
            )
        hydrate_to = hydrator.get("hydrateTo")
        branch_field = f"{hwhere}.syncSource.targetBranch"
        if hydrate_to is not None:
            branch = _field(hydrate_to, "targetBranch", f"{hwhere}.hydrateTo", f, ln, required=True)
            branch_field = f"{hwhere}.hydrateTo.targetBranch"
        branch, problem = normalize_branch(branch)
        if problem:
            raise InputError(f"Application {name}: {branch_field}: {branch!r} is not a valid branch name: {problem}", file=f, line=ln)
    else:
        if spec.get("sources"):
            sources, repo_url = _multi_source(spec["sources"], app)
            source, extra_sources = sources[0], tuple(sources[1:])
        else:
            src = _field(spec, "source", "spec", f, ln, kind=dict, required=True)
            source, repo_url = _source_spec(src, "spec.source", app)
        branch, problem = normalize_branch(config.branch_template.format(cluster=cluster.name))
        if problem:
            raise InputError(
                f"branch {branch!r} for cluster {cluster.name!r} (output.branchTemplate) is not a valid branch name: {problem}",
                file=cluster.origin or config.path, line=cluster.line,
            )
        app_dir = _app_dir(name, "metadata.name", app)
    revision = _source_revision(spec, hydrator)
    key = config.repository_key(repo_url, revision)
    same_as_dry = bool(dry_repo and repo_url and normalize_repo_url(repo_url) == normalize_repo_url(dry_repo))
    if key is not None and ("#" in key or not same_as_dry):
        if hydrator is not None:
            raise OutOfReach(f"Application {name}: spec.sourceHydrator.drySource is in another repository ({repo_url}); "
                             "sluice writes hydrated branches to the dry repository only" + LEAVE_TO_ARGO, file=f, line=ln)
        source = dataclasses.replace(source, repo=key)
        # every source reads from that checkout (a chart source's `$ref` value files too)
        extra_sources = tuple(dataclasses.replace(e, repo=key) for e in extra_sources)
    elif dry_repo and repo_url and normalize_repo_url(repo_url) != normalize_repo_url(dry_repo):
        raise OutOfReach(
            f"Application {name}: source repoURL {repo_url!r} is another repository than this one ({dry_repo!r}, "
            f"repoURL in {CONFIG_FILE}); sluice renders sources of this repository and of those `repositories` in "
            f"{CONFIG_FILE} maps to a local checkout" + LEAVE_TO_ARGO,
            file=f, line=ln,
        )
    annotations = (app.doc.get("metadata") or {}).get("annotations") or {}
    helm_releases = annotations.get(HELM_RELEASES_ANNOTATION, config.helm_releases)
    if helm_releases not in HELM_RELEASE_MODES:
        raise InputError(
            f"Application {name}: annotation {HELM_RELEASES_ANNOTATION} must be one of {', '.join(HELM_RELEASE_MODES)}, not {helm_releases!r}",
            file=f, line=ln,
        )
    kube_version, api_versions = cluster_capabilities(cluster, config)
    source = _with_capabilities(source, kube_version, api_versions)
    extra_sources = tuple(_with_capabilities(e, kube_version, api_versions) for e in extra_sources)
    target = Target(
        cluster=cluster.name, app=name, source=source, branch=branch, app_dir=app_dir,
        namespace=namespace, origin=f, line=ln, server=cluster.server,
        app_namespace=app.namespace, hydrator=hydrator is not None, helm_releases=helm_releases,
        extra_sources=extra_sources, generated_by=app.generated_by,
        kube_version=kube_version, api_versions=api_versions,
        project=str(spec.get("project") or "default"), repo_url=_written_repo_url(spec),
    )
    return target, repo_url


def _load_docs(fs: RepoFS, path: str) -> list[tuple[Any, int]]:
    return fs.load_yaml(path)


def discover(fs: RepoFS, config: FleetConfig, *, skip: Iterable[str] = (), flux_memo: Any = None,
             parts: dict[str, Any] | None = None) -> FleetPlan:
    """The render plan: every Application resolved to a cluster, a source and a bundle location.

    Without `applications`/`clusters` in the config, every `*.yaml`/`*.yml` file of the
    repository that mentions `argoproj.io` is read (hidden directories, Helm chart
    directories, kustomization files, the output directory, `skip` and `exclude` paths
    are not); such a file that does not parse is an error. `skip` names more
    repo-relative directories to leave out (e.g. an output directory given on the CLI).
    `flux_memo` serves Flux Kustomization builds kept from an earlier run (the hook), and
    `parts` receives where the Flux part begins (`notes`: how many notes come before it;
    `flux_reads`: the files only it read; `flux_dirs`, `flux_found`: the cluster directories
    and the files read finding them), so that an edit there re-plans only it.
    """
    skip_dirs = list(dict.fromkeys(posixpath.normpath(p) for p in (config.output_dir, *skip)))
    notes: list[str] = list(config.notes)
    everything: list[str] | None = None

    def candidates() -> list[str]:
        nonlocal everything
        if everything is None:
            everything = [p for p in walk_yaml(fs, ".", skip=skip_dirs, exclude=config.exclude)
                          if fs.screen(p, screens.ARGO, screens.SCREENS[screens.ARGO])]
        return everything

    app_files = candidates() if config.applications is None else select_files(fs, config.applications, "applications", skip=skip_dirs, exclude=config.exclude)
    cluster_files = candidates() if config.clusters is None else select_files(fs, config.clusters, "clusters", skip=skip_dirs, exclude=config.exclude)

    inventory = _Inventory()
    cluster_docs: list[tuple[dict[str, Any], str, int | None]] = []
    for path in cluster_files:
        for doc, line in _load_docs(fs, path):
            if _is_cluster_secret(doc):
                inventory.add(cluster_from_secret(doc, path, line))
                cluster_docs.append((doc, path, line))
    if config.in_cluster_enabled and inventory.by_server(IN_CLUSTER_SERVER) is None and inventory.by_name(IN_CLUSTER_NAME) is None:
        inventory.clusters.append(Cluster(name=IN_CLUSTER_NAME, server=IN_CLUSTER_SERVER))

    apps: list[_App] = []
    seen_apps: dict[tuple[str, str], _App] = {}
    for path in app_files:
        for doc, line, generated_by in _application_docs(fs, path, config, cluster_docs, notes):
            if not _is_application(doc):
                continue
            app = _app_from_doc(doc, path, line, generated_by=generated_by)
            key = (app.namespace or "", app.name)
            if key in seen_apps:
                other = seen_apps[key]
                raise InputError(f"Application {app.name} is defined twice (also in {other.file}:{other.line})", file=path, line=line)
            seen_apps[key] = app
            apps.append(app)

    hydrated = _hydrated_branches(apps, inventory, config)
    targets: list[Target] = []
    skipped: set[tuple[str, str]] = set()
    repo_urls: dict[str, tuple[str, _App]] = {}
    for app in apps:
        consumed = _syncs_from_hydrated_branch(app, hydrated)
        if consumed:
            skipped.add((app.namespace or DEFAULT_APP_NAMESPACE, app.name))
            notes.append(NotRendered(
                f"{app.file}:{app.line}: Application {app.name} not rendered: it syncs from the hydrated branch "
                f"{consumed!r} (sluice output, not a dry source)"
            ))
            continue
        try:
            target, repo_url = _plan_app(app, inventory, config, config.repo_url)
        except OutOfReach as exc:
            if not app.generated_by:
                raise
            skipped.add((app.namespace or DEFAULT_APP_NAMESPACE, app.name))
            notes.append(Skipped(f"{app.file}:{app.line}: Application {app.name} ({app.generated_by}) not rendered: "
                         f"{out_of_reach_reason(exc.message, app.name)}"))
            continue
        targets.append(target)
        if repo_url and config.repository_key(repo_url) is None:
            repo_urls.setdefault(normalize_repo_url(repo_url), (repo_url, app))

    repo_url = config.repo_url
    if repo_url is None and repo_urls:
        if len(repo_urls) > 1:
            (url_a, app_a), (url_b, app_b) = list(repo_urls.values())[:2]
            raise InputError(
                f"Applications use different source repositories ({url_a!r} in {app_a.file}, {url_b!r} in {app_b.file}); "
                f"set repoURL in {CONFIG_FILE} to say which one this repository is",
                file=app_b.file, line=app_b.line,
            )
        repo_url = next(iter(repo_urls.values()))[0]

    from .flux import flux_targets

    if parts is None:
        targets.extend(flux_targets(fs, config, skip_dirs, notes, memo=flux_memo))
    else:
        from .flux import flux_directories

        before = set(fs.reads)
        parts["notes"] = len(notes)
        with fs.scope() as read:
            with fs.scope() as found:
                parts["flux_dirs"] = flux_directories(fs, config, skip_dirs)
            targets.extend(flux_targets(fs, config, skip_dirs, notes, memo=flux_memo, directories=parts["flux_dirs"]))
        parts["flux_reads"] = {p: d for p, d in read.items() if p not in before and not is_shape_key(p)}
        parts["flux_found"] = sorted(p for p in found if p in parts["flux_reads"])
    chosen = config.applications is not None or config.flux_clusters is not None or bool(config.exclude)
    if not targets and not skipped and not chosen and not any(isinstance(n, Skipped) for n in notes):
        # zero-config discovery found nothing: a first run pointed at the wrong place (a
        # sluice.yaml that narrows discovery to nothing says so itself)
        raise NothingFound(_nothing_found(config, len(app_files), notes))
    _check_locations(targets)
    targets.sort(key=lambda t: (t.cluster, t.app_dir))
    return FleetPlan(
        config=config,
        clusters=tuple(sorted(inventory.clusters, key=lambda c: c.name)),
        targets=tuple(targets),
        repo_url=repo_url,
        notes=tuple(notes),
        skip_dirs=tuple(skip_dirs),
        cluster_docs=tuple(cluster_docs),
        skipped=frozenset(skipped),
    )


def _nothing_found(config: FleetConfig, argo_files: int, notes: Sequence[str] = ()) -> str:
    """What zero-config discovery searched, and the sluice.yaml keys that point it elsewhere;
    what it did find but could not make an Application of (an ApplicationSet generating
    nothing) comes first."""
    searched = [f"{argo_files} YAML file(s) mentioning argoproj.io for Argo CD Applications and ApplicationSets",
                "every directory for Flux clusters (a flux-system/ holding gotk-sync.yaml or gotk-components.yaml, "
                "a Flux Kustomization syncing its own directory, a FluxInstance sync.path)"]
    found = ("no Application, ApplicationSet or Flux cluster found" if not notes
             else "no Application found, only: " + "; ".join(notes))
    return (f"nothing to render: {found}; searched " + "; ".join(searched)
            + f". Point sluice at them in {CONFIG_FILE}: `applications: [GLOB...]` (Argo CD), `clusters: [GLOB...]` "
            "(cluster Secrets), `fluxClusters: [DIR...]` (Flux), and `exclude` for paths to leave out")


def _application_docs(
    fs: RepoFS, path: str, config: FleetConfig, cluster_docs: Iterable[tuple[dict[str, Any], str, int | None]],
    notes: list[str] | None = None,
) -> Iterator[tuple[Any, int, str]]:
    """The documents of an applications file, ApplicationSets expanded into the
    Applications the controller would create (each located at its ApplicationSet)."""
    yield from _expand_documents(fs, _load_docs(fs, path), path, config, cluster_docs, notes=notes)


def _expand_documents(
    fs: RepoFS, docs: Iterable[tuple[Any, int | None]], path: str, config: FleetConfig,
    cluster_docs: Iterable[tuple[dict[str, Any], str, int | None]], *, own_root: str | None = None,
    notes: list[str] | None = None,
) -> Iterator[tuple[Any, int, str]]:
    """(document, line, generated_by): ApplicationSets replaced by what they generate. Their
    git generators read the dry repository (`fs`), the `repositories` checkouts, and, for
    a URL neither names, the repository the documents came from (`own_root`, default `fs`)."""
    from ..appset import RepoResolver, cluster_info_from_secret, expand, is_application_set

    for doc, line in docs:
        if not is_application_set(doc):
            yield doc, line or 0, ""
            continue
        clusters = [cluster_info_from_secret(d, f, ln) for d, f, ln in cluster_docs]
        root = str(fs.root)
        known = dict(config.repositories)
        if config.repo_url:
            known[config.repo_url] = root
        repos = RepoResolver(known, default=None if config.repo_url and own_root is None else (own_root or root),
                             filesystems=[fs])
        label = f"ApplicationSet {_meta_name(doc) or '?'}"
        generated = 0
        for app in expand(doc, clusters=clusters, repos=repos, source=path, line=line,
                          max_generated=config.max_generated_applications):
            generated += 1
            yield app, line or 0, label
        if not generated and notes is not None:
            notes.append(f"{path}:{line or 1}: {label} generates no Application (its generators produced no "
                         f"parameters from the clusters and files sluice sees)")


def _app_from_doc(doc: dict[str, Any], path: str, line: int | None, *, generated_by: str = "",
                  namespace: str | None = None) -> _App:
    """An Application document checked for what every later step relies on."""
    if doc.get("apiVersion") != APPLICATION_API_VERSION:
        raise InputError(f"Application: apiVersion {doc.get('apiVersion')!r} is not {APPLICATION_API_VERSION}", file=path, line=line)
    name = _meta_name(doc)
    if not name:
        raise InputError("Application has no metadata.name", file=path, line=line)
    meta = doc.get("metadata") or {}
    app_ns = meta.get("namespace") if isinstance(meta.get("namespace"), str) else namespace
    return _App(name=name, namespace=app_ns, doc=doc, file=path, line=line, generated_by=generated_by)


def plan_child_applications(
    fs: RepoFS, plan: FleetPlan, parent: Target, resources: Iterable[dict[str, Any]], known: set[tuple[str, str]],
    *, parent_fs: RepoFS | None = None, hydrated: set[str] | None = None,
) -> tuple[list[Target], list[str]]:
    """App of apps: the Applications (and ApplicationSets) that `parent` renders become
    targets too, as Argo CD would create and sync them. Returns (targets, notes).

    A child already known by (namespace, name) is not planned again (a root Application
    that manages itself, or one also written in the repository); a child that syncs from a
    hydrated branch consumes sluice's output; a child out of sluice's reach (another
    repository, a plugin) is noted, not an error. `known` is updated. `hydrated` is
    hydrated_branches(plan), computed once by a caller that plans many parents (it is
    linear in the plan's targets; computing it per parent made a fleet's render quadratic)."""
    docs = [(r, parent.line) for r in resources if _is_application(r) or _is_application_set_doc(r)]
    if not docs:
        return [], []
    inventory = _Inventory(list(plan.clusters))
    if hydrated is None:
        hydrated = hydrated_branches(plan)
    targets: list[Target] = []
    notes: list[str] = []
    label = f"Application {parent.app}"
    own_root = str(parent_fs.root) if parent_fs is not None and parent_fs.root != fs.root else None
    for doc, line, generated_by in _expand_documents(fs, docs, parent.origin, plan.config, plan.cluster_docs,
                                                     own_root=own_root, notes=notes):
        if not _is_application(doc):
            continue
        app = _app_from_doc(doc, parent.origin, line or None, namespace=parent.namespace,
                            generated_by=f"{generated_by} of {label}" if generated_by else f"rendered by {label}")
        key = (app.namespace or DEFAULT_APP_NAMESPACE, app.name)
        if key in known:
            continue
        known.add(key)
        where = f"{parent.where}: Application {app.name} ({app.generated_by})"
        consumed = _syncs_from_hydrated_branch(app, hydrated)
        if consumed:
            notes.append(NotRendered(f"{where} not rendered: it syncs from the hydrated branch {consumed!r} (sluice output)"))
            continue
        try:
            target, _repo = _plan_app(app, inventory, plan.config, plan.repo_url)
        except OutOfReach as exc:
            notes.append(Skipped(f"{where} not rendered: {out_of_reach_reason(exc.message, app.name)}"))
            continue
        targets.append(target)
    return targets, notes


def hydrated_branches(plan: FleetPlan) -> set[str]:
    """The hydrated branches of a plan: its targets' and every cluster's."""
    return {t.branch for t in plan.targets} | {plan.config.branch_template.format(cluster=c.name) for c in plan.clusters}


def out_of_reach_reason(message: str, app: str) -> str:
    """An OutOfReach message as a note's reason: without the Application's name (the note
    says it) and without the `exclude` advice, which is for Applications written in files."""
    return message.removeprefix(f"Application {app}: ").replace(LEAVE_TO_ARGO, "")


def _is_application_set_doc(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("kind") == "ApplicationSet" and str(doc.get("apiVersion", "")).startswith("argoproj.io/")


def check_locations(targets: list[Target]) -> None:
    """Public form of the app-directory clash check (after app-of-apps expansion)."""
    _check_locations(targets)


def _hydrated_branches(apps: list[_App], inventory: _Inventory, config: FleetConfig) -> set[str]:
    """Branches sluice writes: the template's for every cluster, and the sourceHydrator ones."""
    branches = {config.branch_template.format(cluster=c.name) for c in inventory.clusters}
    for app in apps:
        spec = app.doc.get("spec")
        hydrator = spec.get("sourceHydrator") if isinstance(spec, dict) else None
        if not isinstance(hydrator, dict):
            continue
        for key in ("syncSource", "hydrateTo"):
            part = hydrator.get(key)
            if isinstance(part, dict) and isinstance(part.get("targetBranch"), str):
                branches.add(normalize_branch(part["targetBranch"])[0])
    return branches


def _syncs_from_hydrated_branch(app: _App, hydrated: set[str]) -> str | None:
    """The hydrated branch a plain Application syncs from (it consumes sluice's output)."""
    spec = app.doc.get("spec")
    if not isinstance(spec, dict) or spec.get("sourceHydrator") is not None:
        return None
    source = spec.get("source")
    revision = source.get("targetRevision") if isinstance(source, dict) else None
    if isinstance(revision, str) and normalize_branch(revision)[0] in hydrated:
        return normalize_branch(revision)[0]
    return None


def _check_locations(targets: list[Target]) -> None:
    """Two Applications may not share (or nest) an app dir: not on disk under one cluster,
    not inside one hydrated branch."""
    for scope in ("branch", "cluster"):
        groups: dict[str, list[Target]] = {}
        for t in targets:
            groups.setdefault(t.branch if scope == "branch" else t.cluster, []).append(t)
        for group, members in groups.items():
            members = sorted(members, key=lambda t: (t.app_dir, t.origin, t.line or 0))
            for a, b in zip(members, members[1:]):
                if a.app_dir == b.app_dir:
                    raise InputError(
                        f"Applications {a.app} ({a.where}) and {b.app} write to the same directory "
                        f"{b.app_dir!r} of {scope} {group!r}; give one of them another app directory",
                        file=b.origin, line=b.line,
                    )
            dirs = {t.app_dir: t for t in members}
            for t in members:
                parent = posixpath.dirname(t.app_dir)
                while parent:
                    if parent in dirs:
                        o = dirs[parent]
                        raise InputError(
                            f"Application {t.app} writes to {t.app_dir!r}, inside the directory {o.app_dir!r} of "
                            f"Application {o.app} ({o.where}) in {scope} {group!r}; app directories must not nest",
                            file=t.origin, line=t.line,
                        )
                    parent = posixpath.dirname(parent)
