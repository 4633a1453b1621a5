"""Flux HelmRelease (helm.toolkit.fluxcd.io/v2) -> the manifests helm-controller would apply.

Follows helm-controller:
- release name: `spec.releaseName`, else `[targetNamespace-]name`; longer than 53
  characters -> its first 40 characters, `-`, and the first 12 hex digits of its sha256
  (internal/release.ShortenName);
- release namespace `spec.targetNamespace`, else the HelmRelease's namespace (storage
  namespace only decides where Helm keeps its release Secret: nothing is rendered for it);
- CRDs (`crds/`) rendered unless `spec.install.crds` is `Skip` (default `Create`): a bundle
  is the release's first install as Argo CD or Flux will apply it. `spec.upgrade.crds` is
  checked but changes nothing: every sync of a hydrated branch applies the CRDs it holds;
- hooks left out with `spec.install.disableHooks` (helm-controller would not run them);
- `spec.install.createNamespace`: the fleet inflater (renderer.fleet.pipeline) adds the Namespace
  Helm creates, unless the bundle declares it;
- the chart: `spec.chart.spec` with a GitRepository/Bucket source (`chart` is a path in the
  dry repository: a directory or a packaged .tgz) or a HelmRepository (looked up in a local
  chart cache, since sluice is offline), or `spec.chartRef` to an OCIRepository (cache) or
  a HelmChart; `valuesFiles` replace the chart's values.yaml as source-controller does;
- values from `renderer.helm.values.compose_values`;
- post-rendering in helm-controller's order: each `postRenderers[].kustomize` (patches, then
  images, through sluice's kustomize), then `commonMetadata` labels and annotations, then
  the labels `helm.toolkit.fluxcd.io/name` and `helm.toolkit.fluxcd.io/namespace`; hooks go
  through it with the manifests (Helm 4), separately, or not at all by
  `spec.postRenderStrategy`; Helm sorts again afterwards (install order, hooks last);
- crds/ CRDs are applied by helm-controller itself: only CustomResourceDefinitions, never
  post-rendered, with the origin labels; they come first;
- test hooks only with `spec.test.enable`; other hooks as `helm template` prints them.
"""
from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

from ..core.errors import InputError, OutOfReach, RenderError
from ..core.fs import RepoFS, join
from ..core.shape import FLUX_SOURCE, check_shape, object_label
from ..core.yaml import load_documents
from .archive import archive_files, has_member
from .cachekey import chart_cache_key, oci_cache_key
from .dependencies import vendor_dependencies
from ..core.resource import NO_ORIGIN, Origin, Placed, bodies
from .engine import DEFAULT_KUBE_VERSION, HelmEngine, default_engine, is_hook, sort_by_kind
from .values import check_helmrelease, compose_values, helmrelease_label, read_values, values_files, values_files_defaults

__all__ = [
    "HELMRELEASE_GROUP",
    "release_name",
    "shorten_name",
    "ObjectResolver",
    "ChartCache",
    "PreparedRelease",
    "prepare_release",
    "render_helmrelease",
    "render_helmrelease_placed",
    "is_helmrelease",
]

HELMRELEASE_GROUP = "helm.toolkit.fluxcd.io"
ObjectResolver = Callable[[str, str, str], Optional[dict]]
"""(kind, namespace, name) -> object or None: ConfigMaps, Secrets, sources, HelmCharts."""


def is_helmrelease(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and doc.get("kind") == "HelmRelease"
        and str(doc.get("apiVersion", "")).startswith(HELMRELEASE_GROUP + "/")
    )


def shorten_name(name: str) -> str:
    """helm-controller's release.ShortenName."""
    if len(name) <= 53:
        return name
    return name[:40] + "-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]


def release_name(hr: dict[str, Any]) -> str:
    spec = hr.get("spec") or {}
    meta = hr.get("metadata") or {}
    if spec.get("releaseName"):
        name = str(spec["releaseName"])
    elif spec.get("targetNamespace"):
        name = f"{spec['targetNamespace']}-{meta.get('name', '')}"
    else:
        name = str(meta.get("name", ""))
    return shorten_name(name)


# ----------------------------------------------------------------------------------------
# Versions and the offline chart cache (HelmRepository / OCIRepository charts)
# ----------------------------------------------------------------------------------------

_SEMVER = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def _parse_version(text: str) -> tuple[int, int, int, tuple[Any, ...]] | None:
    m = _SEMVER.match(text.strip())
    if not m:
        return None
    pre: tuple[Any, ...] = ()
    if m.group(4):
        pre = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in m.group(4).split("."))
    return int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0), pre


def _vkey(v: tuple[int, int, int, tuple[Any, ...]]) -> tuple[Any, ...]:
    # a release sorts after its prereleases
    return (v[0], v[1], v[2], 1 if not v[3] else 0, v[3])


def _comparator(token: str) -> Callable[[tuple[int, int, int, tuple[Any, ...]]], bool]:
    m = re.match(r"^(>=|<=|!=|=>|=<|>|<|=|~>|~|\^)?\s*v?(.*)$", token)
    assert m
    op, ver = m.group(1) or "", m.group(2)
    if ver in ("*", "x", "X", ""):
        return lambda v: True
    parts = ver.split(".")
    wild = [p in ("*", "x", "X") for p in parts]
    nums = [int(p) if p.isdigit() else 0 for p in parts[:3]] + [0] * (3 - min(3, len(parts)))
    base = _parse_version(".".join(str(n) for n in nums) + ("-" + ver.split("-", 1)[1] if "-" in ver else ""))
    if base is None:
        raise ValueError(f"invalid version constraint {token!r}")
    given = len(parts) if not any(wild) else wild.index(True)
    lo = _vkey(base)

    def upper(level: int) -> tuple[Any, ...]:
        if level == 0:
            return _vkey((base[0] + 1, 0, 0, ()))
        if level == 1:
            return _vkey((base[0], base[1] + 1, 0, ()))
        return _vkey((base[0], base[1], base[2] + 1, ()))

    if op in ("", "=") and given < 3:
        hi = upper(given - 1)
        return lambda v: lo <= _vkey(v) < hi
    if op in ("~", "~>"):
        hi = upper(1 if given >= 2 else 0)
        return lambda v: lo <= _vkey(v) < hi
    if op == "^":
        level = 0 if base[0] > 0 or given == 1 else (1 if base[1] > 0 or given == 2 else 2)
        hi = upper(level)
        return lambda v: lo <= _vkey(v) < hi
    table = {
        "": lambda v: _vkey(v) == lo, "=": lambda v: _vkey(v) == lo, "!=": lambda v: _vkey(v) != lo,
        ">": lambda v: _vkey(v) > lo, "<": lambda v: _vkey(v) < lo,
        ">=": lambda v: _vkey(v) >= lo, "=>": lambda v: _vkey(v) >= lo,
        "<=": lambda v: _vkey(v) <= lo, "=<": lambda v: _vkey(v) <= lo,
    }
    return table[op]


def version_matches(constraint: str, version: str) -> bool:
    """Helm-style (Masterminds semver) constraint check: `||` alternatives of AND-ed
    comparators (`>=1.2 <2`, `~1.2`, `^1.2.3`, `1.2.x`, `*`). Prereleases only match a
    constraint that names a prerelease."""
    v = _parse_version(version)
    if v is None:
        return False
    constraint = (constraint or "*").strip()
    for alt in constraint.split("||"):
        alt = re.sub(r"(>=|<=|!=|=>|=<|>|<|=|~>|~|\^)\s+", r"\1", alt.strip())
        tokens = [t for t in re.split(r"[\s,]+", alt) if t]
        if " - " in alt:
            lo, hi = alt.split(" - ", 1)
            tokens = [">=" + lo.strip(), "<=" + hi.strip()]
        if v[3] and "-" not in alt:
            continue
        if all(_comparator(t)(v) for t in tokens or ["*"]):
            return True
    return False


@dataclass
class ChartCache:
    """A local directory standing in for chart repositories: `<repo-name>/<chart>-<version>.tgz`
    files, or a `<repo-name>/index.yaml` (Helm repository index) whose entries' urls name
    archives in that directory."""

    root: Path

    def find(self, repo_name: str, chart: str, constraint: str, *, what: str, legacy: str | None = None) -> Path:
        """The newest archive of `chart` matching `constraint` under `repo_name` (the
        repository URL's cache key); `legacy` is the pre-URL layout's folder (a Flux
        source's name), still read so that caches filled by older sluice keep working."""
        for name in (repo_name, legacy or ""):
            if ".." in name.replace("\\", "/").split("/") or name.startswith("/"):
                raise InputError(f"{what}: {name}/{chart} would leave the chart cache")
        if "/" in chart or ".." in chart:
            raise InputError(f"{what}: chart name {chart!r} would leave the chart cache; it is a single path segment")
        if legacy and legacy != repo_name and not (self.root / repo_name).is_dir() and (self.root / legacy).is_dir():
            repo_name = legacy
        repo_dir = self.root / repo_name
        candidates: dict[str, Path] = {}
        index = repo_dir / "index.yaml"
        if index.is_file():
            docs = load_documents(index.read_text(encoding="utf-8"), str(index), dialect="config")
            entries = ((docs[0] or {}).get("entries") or {}).get(chart) or [] if docs else []
            for entry in entries:
                ver = str(entry.get("version", ""))
                for url in entry.get("urls") or []:
                    local = repo_dir / posixpath.basename(str(url))
                    if local.is_file():
                        candidates.setdefault(ver, local)
        if repo_dir.is_dir():
            prefix = chart + "-"
            for p in sorted(repo_dir.iterdir()):
                if p.name.startswith(prefix) and p.name.endswith(".tgz"):
                    candidates.setdefault(p.name[len(prefix):-4], p)
        try:
            matching = [ver for ver in candidates if version_matches(constraint, ver)]
        except ValueError as exc:
            raise InputError(f"{what}: {exc}") from None
        if not matching:
            have = ", ".join(sorted(candidates)) or "none"
            raise OutOfReach(
                f"{what}: chart {chart!r} version {constraint or '*'!r} is not in the chart cache "
                f"(expected {repo_dir}/{chart}-<version>.tgz or an index.yaml there; versions present: {have})"
            )
        best = max(matching, key=lambda ver: _vkey(_parse_version(ver)))  # type: ignore[arg-type]
        found = candidates[best]
        real, real_root = os.path.realpath(found), os.path.realpath(self.root)
        if not real.startswith(real_root + os.sep):
            raise InputError(f"{what}: {found} resolves (through a symlink) outside the chart cache {self.root}")
        return found


# ----------------------------------------------------------------------------------------
# Preparing a release: chart location, chart defaults, values
# ----------------------------------------------------------------------------------------


@dataclass
class PreparedRelease:
    hr: dict[str, Any]
    label: str
    chart: str  # a chart directory or .tgz, possibly a temporary copy with new defaults
    release_name: str
    namespace: str
    values: dict[str, Any]
    include_crds: bool
    skip_tests: bool
    no_hooks: bool = False
    skip_schema_validation: bool = False
    chart_dir: str | None = None  # the chart's directory in the repository ("" / None: an archive or a cached chart)
    _tmp: list[str] = field(default_factory=list)

    def cleanup(self) -> None:
        for d in self._tmp:
            shutil.rmtree(d, ignore_errors=True)
        self._tmp.clear()


def _chart_file_reader(chart_path: str) -> tuple[Callable[[str], Optional[str]], Callable[[], dict[str, Any]]]:
    """Readers of files inside a chart (directory or .tgz) and of its values.yaml."""
    if os.path.isdir(chart_path):
        def read(rel: str) -> Optional[str]:
            p = os.path.join(chart_path, posixpath.normpath(rel))
            return Path(p).read_text(encoding="utf-8") if os.path.isfile(p) else None
    else:
        members = archive_files(chart_path, chart_path)

        def read(rel: str) -> Optional[str]:
            data = members.get(posixpath.normpath(rel))
            return None if data is None else data.decode("utf-8")

    def chart_values() -> dict[str, Any]:
        text = read("values.yaml")
        return read_values(text, f"{chart_path}/values.yaml") if text is not None else {}

    return read, chart_values


def _with_defaults(chart_path: str, defaults: dict[str, Any], tmp: list[str]) -> str:
    """A temporary copy of the chart whose values.yaml is `defaults` (source-controller's
    OverwriteChartDefaultValues)."""
    from .dependencies import copy_chart

    dest = copy_chart(chart_path, tmp)
    # JSON is YAML; Helm reads numbers in values.yaml as float64 either way.
    Path(dest, "values.yaml").write_text(json.dumps(defaults, indent=2) + "\n" if defaults else "", encoding="utf-8")
    return dest


def _resolve_chart(
    hr: dict[str, Any], fs: RepoFS, objects: ObjectResolver, cache: ChartCache | None, label: str, file: str | None,
    staged: Any = None,
) -> tuple[str, Callable[[str], Optional[str]], Callable[[], dict[str, Any]] | None, dict[str, Any]]:
    """(chart path, valuesFiles reader, chart-values reader for remote charts or None, chart spec)."""
    spec = hr.get("spec") or {}
    ns = (hr.get("metadata") or {}).get("namespace") or "default"

    def need_cache(what: str) -> ChartCache:
        if cache is None:
            raise OutOfReach(f"{label}: {what} is not in a chart cache and sluice renders offline: pass --chart-cache DIR "
                             f"(`sluice helm pull {file or 'FILE'} --chart-cache DIR` fills it)", file=file)
        return cache

    chart_ref = spec.get("chartRef")
    if chart_ref:
        kind, name = chart_ref.get("kind"), str(chart_ref.get("name", ""))
        ref_ns = chart_ref.get("namespace") or ns
        if kind == "OCIRepository":
            repo = objects("OCIRepository", ref_ns, name)
            if repo is not None:
                check_shape(repo, FLUX_SOURCE, f"{object_label(repo)} (the chart source of {label})", file=file)
            url = str(((repo or {}).get("spec") or {}).get("url", ""))
            ref = ((repo or {}).get("spec") or {}).get("ref") or {}
            chart_name = url.rstrip("/").rsplit("/", 1)[-1] or name
            version = str(ref.get("tag") or ref.get("semver") or "*")
            path = need_cache(f"chartRef OCIRepository {ref_ns}/{name}").find(
                oci_cache_key(url) if url else name, chart_name, version,
                what=f"{label}: chartRef OCIRepository {ref_ns}/{name}", legacy=name)
            read, values = _chart_file_reader(str(path))
            return str(path), read, values, {}
        if kind == "HelmChart":
            hc = objects("HelmChart", ref_ns, name)
            if hc is None:
                raise InputError(f"{label}: chartRef HelmChart {ref_ns}/{name} not found", file=file)
            return _resolve_template(hc.get("spec") or {}, ref_ns, fs, objects, cache, label, file, need_cache, staged)
        raise InputError(f"{label}: unsupported chartRef kind {kind!r} (OCIRepository or HelmChart)", file=file)
    template = ((spec.get("chart") or {}).get("spec")) or {}
    if not template:
        raise InputError(f"{label}: spec.chart.spec or spec.chartRef is required", file=file)
    return _resolve_template(template, ns, fs, objects, cache, label, file, need_cache, staged)


def _resolve_template(template: dict[str, Any], ns: str, fs: RepoFS, objects: ObjectResolver, cache: ChartCache | None,
                      label: str, file: str | None, need_cache: Callable[[str], ChartCache], staged: Any = None):
    source = template.get("sourceRef") or {}
    kind, name = source.get("kind"), str(source.get("name", ""))
    src_ns = source.get("namespace") or ns
    chart = str(template.get("chart") or "")
    if not chart:
        raise InputError(f"{label}: spec.chart.spec.chart is required", file=file)
    if kind in ("GitRepository", "Bucket"):
        # the dry repository is the source: the chart is a path from its root
        rel = fs.resolve(chart, referrer=file)
        if not fs.exists(rel):
            raise InputError(f"{label}: chart path {chart!r} not found in the repository", file=file)
        if fs.is_dir(rel) and fs.is_file(join(rel, "Chart.yaml")):
            fs.read_bytes(join(rel, "Chart.yaml"))  # recorded: `--changed` tracks the chart (Helm reads it itself)

        def read(p: str) -> Optional[str]:
            path = fs.resolve(p, referrer=file)
            return fs.read_text(path) if fs.is_file(path) else None

        if staged is None:
            return fs.abspath(rel), read, None, template
        return staged.stage(rel), read, None, template  # Helm sees only what passed the boundary
    if kind == "HelmRepository":
        helm_repo = objects("HelmRepository", src_ns, name)
        if helm_repo is not None:
            check_shape(helm_repo, FLUX_SOURCE, f"{object_label(helm_repo)} (the chart source of {label})", file=file)
        url = str(((helm_repo or {}).get("spec") or {}).get("url") or "")
        path = need_cache(f"chart {chart!r} from HelmRepository {src_ns}/{name}").find(
            chart_cache_key(url) if url else name, chart, str(template.get("version") or "*"),
            what=f"{label}: HelmRepository {src_ns}/{name}", legacy=name)
        archive_read, values = _chart_file_reader(str(path))
        return str(path), archive_read, values, template
    raise InputError(f"{label}: unsupported chart sourceRef kind {kind!r}", file=file)


def _inside(path: str, root: str) -> bool:
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    return real == real_root or real.startswith(real_root + os.sep)


def prepare_release(
    hr: dict[str, Any],
    fs: RepoFS,
    objects: ObjectResolver,
    *,
    chart_cache: str | os.PathLike[str] | None = None,
    file: str | None = None,
) -> PreparedRelease:
    """Everything Helm needs to render this HelmRelease (call `.cleanup()` when done)."""
    check_helmrelease(hr, file)
    label = helmrelease_label(hr)
    spec = hr.get("spec") or {}
    meta = hr.get("metadata") or {}
    if not meta.get("name"):
        raise InputError(f"{label}: metadata.name is required", file=file)
    cache = ChartCache(Path(chart_cache)) if chart_cache else None
    from .charts import StagedRepo

    tmp: list[str] = []
    try:
        staged = StagedRepo(fs, tmp, referrer=file)
        chart_path, read, chart_values, template = _resolve_chart(hr, fs, objects, cache, label, file, staged)
        defaults = values_files_defaults(
            values_files(template), read, chart_values=chart_values,
            ignore_missing=bool(template.get("ignoreMissingValuesFiles")), label=label, file=file,
        )
        # source-controller builds the chart's missing dependencies before packaging it;
        # file:// paths are relative to the chart where it sits, so this comes first
        in_repo = staged.rel_of(chart_path) is not None
        chart_dir = staged.rel_of(chart_path) if in_repo and os.path.isdir(chart_path) else None
        chart_path = vendor_dependencies(chart_path, chart_cache=chart_cache, tmp_dirs=tmp, where=label, file=file,
                                         root=staged.root if in_repo else None, staged=staged if in_repo else None)
        if defaults is not None:
            chart_path = _with_defaults(chart_path, defaults, tmp)
    except BaseException:
        for d in tmp:
            shutil.rmtree(d, ignore_errors=True)
        raise
    user_values = compose_values(hr, objects, file=file)
    install = spec.get("install") or {}
    policies = {action: str(((spec.get(action) or {}).get("crds")) or "Create") for action in ("install", "upgrade")}
    for action, policy in policies.items():
        if policy not in ("Skip", "Create", "CreateReplace"):
            raise InputError(f"{label}: spec.{action}.crds must be Skip, Create or CreateReplace, got {policy!r}", file=file)
    return PreparedRelease(
        hr=hr,
        label=label,
        chart=chart_path,
        release_name=release_name(hr),
        namespace=str(spec.get("targetNamespace") or meta.get("namespace") or "default"),
        values=user_values,
        include_crds=policies["install"] != "Skip",
        skip_tests=not bool((spec.get("test") or {}).get("enable")),
        no_hooks=bool(install.get("disableHooks")),
        skip_schema_validation=bool(install.get("disableSchemaValidation")),
        chart_dir=chart_dir,
        _tmp=tmp,
    )


# ----------------------------------------------------------------------------------------
# Post-rendering
# ----------------------------------------------------------------------------------------


POST_RENDER_STRATEGIES = ("combined", "separate", "nohooks")
"""spec.postRenderStrategy: hooks post-rendered with the manifests (Helm 4's default), in a
stream of their own, or not at all (Helm 3)."""


def _origin_labels(hr: dict[str, Any]) -> dict[str, str]:
    meta = hr.get("metadata") or {}
    return {
        f"{HELMRELEASE_GROUP}/name": str(meta.get("name", "")),
        f"{HELMRELEASE_GROUP}/namespace": str(meta.get("namespace") or "default"),
    }


def _post_render_group(hr: dict[str, Any], docs: list[Placed], *, label: str, file: str | None) -> list[Placed]:
    """One run of helm-controller's combined post-renderer over a stream of documents:
    each `postRenderers[].kustomize` (patches, then images), then `commonMetadata`, then
    the origin labels (which win a clash). Each document keeps its origin."""
    from ..kustomize import transformers
    from ..kustomize.fieldspecs import FieldSpec, builtin_config
    from ..kustomize.openapi import MergeSchema
    from ..kustomize.patches import apply_patch, load_patch_entry
    from ..core.resource import Resource, ResourceList

    spec = hr.get("spec") or {}
    where = file or label
    made = [(Resource(body=d.body, origin=where), d.origin) for d in docs]
    origins = {id(r): o for r, o in made}
    try:
        resources = ResourceList(r for r, _ in made)
    except RenderError as exc:
        raise RenderError(f"{label}: post-rendering: {exc.message}", file=file) from None
    for renderer in spec.get("postRenderers") or []:
        kz = (renderer or {}).get("kustomize")
        if not kz:
            continue
        for entry in kz.get("patches") or []:
            apply_patch(resources, load_patch_entry(None, entry, where), MergeSchema.builtin(), where)  # type: ignore[arg-type]
        for image in kz.get("images") or []:
            transformers.set_image(resources, image, builtin_config().get("images"), where)
    labels_spec = (FieldSpec("metadata/labels", create=True),)
    common = spec.get("commonMetadata") or {}
    if common.get("labels"):
        transformers.add_map_entries(resources, {str(k): str(v) for k, v in common["labels"].items()}, labels_spec)
    if common.get("annotations"):
        transformers.add_map_entries(resources, {str(k): str(v) for k, v in common["annotations"].items()},
                                     (FieldSpec("metadata/annotations", create=True),))
    transformers.add_map_entries(resources, _origin_labels(hr), labels_spec)
    return [Placed(r.body, origins[id(r)]) for r in resources]


def post_render(hr: dict[str, Any], docs: list[dict[str, Any]], *, file: str | None = None) -> list[dict[str, Any]]:
    """helm-controller's post-rendering of the templated documents (not the crds/ ones), by
    `spec.postRenderStrategy`, then Helm's re-sort: manifests by kind, hooks last."""
    return bodies(post_render_placed(hr, [Placed(d, NO_ORIGIN) for d in docs], file=file))


def post_render_placed(hr: dict[str, Any], docs: list[Placed], *, file: str | None = None) -> list[Placed]:
    """`post_render` on documents with their origins."""
    label = helmrelease_label(hr)
    strategy = str((hr.get("spec") or {}).get("postRenderStrategy") or "combined")
    if strategy not in POST_RENDER_STRATEGIES:
        raise InputError(f"{label}: spec.postRenderStrategy must be one of {', '.join(POST_RENDER_STRATEGIES)}, "
                         f"got {strategy!r}", file=file)
    if strategy == "combined":
        out = _post_render_group(hr, docs, label=label, file=file)
    else:
        hooks = [d for d in docs if is_hook(d.body)]
        manifests = _post_render_group(hr, [d for d in docs if not is_hook(d.body)], label=label, file=file)
        out = manifests + (_post_render_group(hr, hooks, label=label, file=file) if strategy == "separate" and hooks else hooks)
    return sort_by_kind(out, _body)


def _body(item: Placed) -> dict[str, Any]:
    return item.body


def crd_objects(hr: dict[str, Any], docs: list[Placed]) -> list[Placed]:
    """The chart's crds/ documents as helm-controller applies them: CustomResourceDefinitions
    only (it drops anything else placed there), not post-rendered, with the origin labels."""
    out = []
    for item in docs:
        doc = item.body
        if doc.get("kind") != "CustomResourceDefinition" or not str(doc.get("apiVersion") or "").startswith("apiextensions.k8s.io/"):
            continue
        meta = doc.setdefault("metadata", {})
        labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
        meta["labels"] = {**labels, **_origin_labels(hr)}
        out.append(item)
    return out


def _has_crds_dir(chart: str) -> bool:
    """Whether the chart or a subchart ships a crds/ directory (else no second render)."""
    if os.path.isdir(chart):
        return any(os.path.basename(d) == "crds" for d, _dirs, files in os.walk(chart) if files)
    return has_member(chart, "/crds/")


def render_helmrelease(
    hr: dict[str, Any],
    fs: RepoFS,
    objects: ObjectResolver,
    *,
    engine: HelmEngine | None = None,
    chart_cache: str | os.PathLike[str] | None = None,
    kube_version: str | None = DEFAULT_KUBE_VERSION,
    api_versions: Sequence[str] = (),
    file: str | None = None,
) -> list[dict[str, Any]]:
    """The manifests of one HelmRelease as helm-controller installs them: the crds/ CRDs
    (by the install CRD policy), then the post-rendered templates in Helm's order."""
    return bodies(render_helmrelease_placed(hr, fs, objects, engine=engine, chart_cache=chart_cache,
                                            kube_version=kube_version, api_versions=api_versions, file=file))


def render_helmrelease_placed(
    hr: dict[str, Any],
    fs: RepoFS,
    objects: ObjectResolver,
    *,
    engine: HelmEngine | None = None,
    chart_cache: str | os.PathLike[str] | None = None,
    kube_version: str | None = DEFAULT_KUBE_VERSION,
    api_versions: Sequence[str] = (),
    file: str | None = None,
    fallback: Origin = NO_ORIGIN,
) -> list[Placed]:
    """`render_helmrelease`, each manifest with its origin: its template in the chart
    directory of the repository (renderer.helm.origins), else `fallback` (the HelmRelease's
    own place: a chart from the cache is no repository file)."""
    from .origins import place_chart_documents

    engine = engine or default_engine()
    prepared = prepare_release(hr, fs, objects, chart_cache=chart_cache, file=file)
    try:
        options: dict[str, Any] = dict(
            release_name=prepared.release_name, namespace=prepared.namespace, values=prepared.values,
            kube_version=kube_version, api_versions=api_versions, skip_tests=prepared.skip_tests,
            no_hooks=prepared.no_hooks, skip_schema_validation=prepared.skip_schema_validation,
        )
        try:
            docs = engine.template_sourced(prepared.chart, include_crds=False, **options)
            crds: list[tuple[dict[str, Any], str]] = []
            if prepared.include_crds and _has_crds_dir(prepared.chart):
                with_crds = engine.template_sourced(prepared.chart, include_crds=True, **options)
                crds = with_crds[: len(with_crds) - len(docs)]  # helm template prints crds/ first
        except RenderError as exc:
            from .charts import unstaged

            raise RenderError(f"{prepared.label}: {unstaged(exc.message, prepared._tmp)}", file=file) from None
    finally:
        prepared.cleanup()
    placed = place_chart_documents(docs, fs, prepared.chart_dir, fallback)
    placed = select_tests(placed, ((hr.get("spec") or {}).get("test") or {}).get("filters") or [], _body)
    return crd_objects(hr, place_chart_documents(crds, fs, prepared.chart_dir, fallback)) + post_render_placed(hr, placed, file=file)


def _is_test_hook(doc: dict[str, Any]) -> bool:
    annotations = (doc.get("metadata") or {}).get("annotations") or {}
    events = str(annotations.get("helm.sh/hook") or "").split(",")
    return any(e.strip().lower() in ("test", "test-success") for e in events)


def select_tests(docs: list[Any], filters: Sequence[dict[str, Any]],
                 body: Callable[[Any], dict[str, Any]] = lambda d: d) -> list[Any]:
    """spec.test.filters as Helm's release testing applies them to the test hooks: names
    with `exclude` never run; when some names are listed without it, only those run.
    `body(item)` is an item's document (items are documents by default)."""
    skip = {str(f.get("name")) for f in filters if isinstance(f, dict) and f.get("exclude")}
    only = {str(f.get("name")) for f in filters if isinstance(f, dict) and not f.get("exclude")}
    if not skip and not only:
        return docs

    def runs(doc: dict[str, Any]) -> bool:
        name = str((doc.get("metadata") or {}).get("name") or "")
        return name not in skip and (not only or name in only)

    return [d for d in docs if not _is_test_hook(body(d)) or runs(body(d))]


def objects_resolver(*groups: Sequence[dict[str, Any]]) -> ObjectResolver:
    """A resolver over lists of objects, earlier lists first (same file/build before repo)."""
    index: dict[tuple[str, str, str], dict[str, Any]] = {}
    for group in reversed(groups):
        for obj in group:
            if not isinstance(obj, dict):
                continue
            meta = obj.get("metadata") or {}
            key = (str(obj.get("kind", "")), str(meta.get("namespace") or "default"), str(meta.get("name", "")))
            index[key] = obj
    return lambda kind, ns, name: index.get((kind, ns or "default", name))


def iter_repo_objects(fs: RepoFS, kinds: frozenset[str]) -> Iterator[dict[str, Any]]:
    """Objects of the given kinds in the repository's YAML files (unparseable files skipped)."""
    for dirpath, dirnames, filenames in os.walk(fs.root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.endswith((".yaml", ".yml")):
                continue
            rel = fs.relpath(os.path.join(dirpath, name))
            try:
                docs = fs.load_yaml(rel)
            except Exception:  # noqa: BLE001 - not every YAML file in a repository is a manifest
                continue
            for doc, _line in docs:
                if isinstance(doc, dict) and doc.get("kind") in kinds:
                    yield doc
