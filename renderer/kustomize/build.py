"""The recursive kustomize build: resources, generators, components, transformers.

Order follows kustomize v5 exactly: resources (sub-kustomizations fully built), then
configMapGenerator/secretGenerator, then components (each acting on what has
accumulated), then the builtin transformers in a fixed order. At the top only: hash
suffixes, name references, vars, dropping local-config resources, sorting.

A Builder memoises every non-component directory it builds, so a base shared by many
overlays is built once per render and copied to each overlay.
"""
from __future__ import annotations

import copy
import functools
import posixpath
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import InputError, RenderError
from ..core.fs import RepoFS
from ..core.resource import Placed, Resource, ResourceList, is_builtin_kind
from . import buildmeta, generators, transformers
from .fieldspecs import EMPTY_CONFIG, FieldSpec, TransformerConfig, builtin_config, fieldspec_from, parse_config
from .kustomization import Kustomization, find_kustomization, load_kustomization
from .loader import Loader, is_remote
from .patches import apply_patch, load_json6902_entry, load_patch_entry, load_psm_entry

MAX_NESTING = 100
"""Deepest chain of kustomizations (resources or components naming directories) a build
follows; real overlays nest a handful of levels."""

LOCAL_CONFIG = "config.kubernetes.io/local-config"
MANAGED_BY = "kustomize-v5.8.1"  # what kubectl's embedded kustomize writes for buildMetadata: [managedByLabel]


@dataclass(frozen=True)
class BuildOptions:
    load_restrictor: str = "rootOnly"  # "rootOnly" or "none"
    enable_helm: bool = False
    reorder: str = "legacy"  # "legacy" or "none"
    helm_engine: Any = None  # renderer.helm engine, handed in (kustomize must not import helm)


@dataclass
class Accumulation:
    """What a kustomization contributes: resources, transformer config, vars."""

    resources: ResourceList
    config: TransformerConfig = EMPTY_CONFIG
    vars: list[dict[str, Any]] = field(default_factory=list)
    openapi: Any = None  # the schema this subtree declared first, replayed on memo hits
    schema_init: str | None = None  # what had initialised kustomize's schema after this subtree

    def copy(self) -> "Accumulation":
        return Accumulation(ResourceList(r.copy() for r in self.resources), self.config, list(self.vars),
                            self.openapi, self.schema_init)


class Builder:
    """Builds kustomizations of one repository; one instance per render."""

    def __init__(self, fs: RepoFS, options: BuildOptions | None = None) -> None:
        self.fs = fs
        self.options = options or BuildOptions()
        self._memo: dict[tuple[str, str | None, int | None, str | None], Accumulation] = {}
        self._memo_reads: dict[tuple[str, str | None, int | None, str | None], dict[str, str | None]] = {}
        self._build_metadata: tuple[str, ...] = ()
        self._openapi: Any = None  # the build's merge-key schema once a kustomization declared one
        self._schema_init: str | None = None  # what first made kustomize load its builtin schema
        self._stack: list[str] = []
        self.builds = 0  # directories actually built (not served from the memo)

    # -- public ---------------------------------------------------------------------------
    def build(self, path: str) -> list[dict[str, Any]]:
        """Resources of the kustomization in directory `path`, in kubectl's output order."""
        return [r.body for r in self.build_resources(path)]

    def build_placed(self, path: str) -> list[Placed]:
        """`build`, each body with the file and line it came from (see Resource.place):
        the document a resource was loaded from, however later steps patched or renamed
        it; for a generator, the kustomization and the line of its entry."""
        return [Placed(r.body, r.place()) for r in self.build_resources(path)]

    def build_resources(self, path: str) -> list[Resource]:
        directory = self.fs.resolve(path)
        kust = load_kustomization(self.fs, directory)
        metadata = tuple(str(m) for m in kust.list("buildMetadata"))
        unknown = set(metadata) - {"originAnnotations", "transformerAnnotations", "managedByLabel"}
        if unknown:
            raise InputError(f"buildMetadata: unknown option(s) {', '.join(sorted(unknown))}", file=kust.path)
        self._build_metadata = metadata
        self._openapi = None
        self._schema_init = None
        self._declare_openapi(kust)
        origin = "" if metadata else None
        acc = self._accumulate_dir(directory, component=kust.is_component, top=True, origin=origin).copy()
        return self._finish(kust, acc)

    def build_resources_of_dir(self, directory: str, referrer: str | None = None, origin: str | None = None) -> list[Resource]:
        """A sub-kustomization fully accumulated (no top-level steps), as plugin dirs are."""
        return list(self._accumulate_dir(directory, component=False, referrer=referrer, origin=origin).copy().resources)

    # -- accumulation ---------------------------------------------------------------------
    def _accumulate_dir(self, directory: str, *, component: bool, into: Accumulation | None = None, referrer: str | None = None,
                        top: bool = False, origin: str | None = None) -> Accumulation:
        if directory in self._stack:
            chain = " -> ".join([*self._stack[self._stack.index(directory):], directory])
            raise InputError(f"cycle detected between kustomizations: {chain}", file=referrer)
        if len(self._stack) >= MAX_NESTING:  # each level recurses: say where, before Python's stack gives out
            chain = " -> ".join([*self._stack[:3], "...", *self._stack[-2:], directory])
            raise InputError(f"kustomizations nest deeper than {MAX_NESTING} levels: {chain}", file=referrer)
        memo_key = (directory, origin, id(self._openapi) if self._openapi is not None else None, self._schema_init)
        if not component and memo_key in self._memo:
            cached = self._memo[memo_key]
            self.fs.replay(self._memo_reads.get(memo_key, {}))  # a render unit served from the memo read them too
            if self._openapi is None and cached.openapi is not None:
                self._openapi = cached.openapi  # replay the schema this subtree declared
            if self._schema_init is None:
                self._schema_init = cached.schema_init
            return cached
        with self.fs.scope() as reads:  # what this directory's build read, replayed on memo hits
            acc = self._accumulate_fresh(directory, component=component, into=into, referrer=referrer, top=top,
                                         origin=origin)
        if not component:
            self._memo[memo_key] = acc
            self._memo_reads[memo_key] = reads
        return acc

    def _accumulate_fresh(self, directory: str, *, component: bool, into: Accumulation | None, referrer: str | None,
                          top: bool, origin: str | None) -> Accumulation:
        if find_kustomization(self.fs, directory) is None:
            raise InputError(
                f"unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{directory}'",
                file=referrer,
            )
        kust = load_kustomization(self.fs, directory)
        kust.origin = origin
        if top:
            pass  # a Component built directly behaves like a Kustomization
        elif component and not kust.is_component:
            raise InputError(f"expected kind 'Component' for path '{directory}' but got '{kust.kind}'", file=referrer)
        if not component and kust.is_component:
            raise InputError(f"expected kind != 'Component' for path '{directory}'", file=referrer)
        schema_before = self._openapi
        self._declare_openapi(kust)
        self._stack.append(directory)
        try:
            acc = self._accumulate(kust, into if into is not None else Accumulation(ResourceList()))
        finally:
            self._stack.pop()
        if schema_before is None and self._openapi is not None:
            acc.openapi = self._openapi
        acc.schema_init = self._schema_init
        self.builds += 1
        return acc

    def _loader(self, kust: Kustomization) -> Loader:
        return Loader(self.fs, kust.dir, restrict=self.options.load_restrictor != "none", referrer=kust.path)

    def _accumulate(self, kust: Kustomization, acc: Accumulation) -> Accumulation:
        loader = self._loader(kust)
        where = kust.path
        for entry in kust.list("resources"):
            self._add_resource_entry(loader, kust, str(entry), acc)
        acc.config = acc.config.merge(self._transformer_config(loader, kust))
        self._run_generators(loader, kust, acc)
        for entry in kust.list("components"):
            entry = str(entry)
            if is_remote(entry):
                loader.path_of(entry)
            directory = self.fs.resolve(entry, kust.dir, referrer=where)
            if not self.fs.is_dir(directory):
                raise InputError(f"component '{entry}' is not a directory", file=where)
            acc = self._accumulate_dir(directory, component=True, into=acc, referrer=where, origin=_append(kust.origin, entry))
        self._run_transformers(loader, kust, acc)
        if kust.list("validators"):
            raise InputError("validators: sluice does not run validator plugins (exec or Go code); remove them or validate with `sluice verify`", file=where)
        self._merge_vars(kust, acc)
        return acc

    def _add_resource_entry(self, loader: Loader, kust: Kustomization, entry: str, acc: Accumulation) -> None:
        where = kust.path
        path = loader.path_of(entry)
        if self.fs.is_dir(path):
            sub = self._accumulate_dir(path, component=False, referrer=where, origin=_append(kust.origin, entry)).copy()
            acc.resources.extend(sub.resources)
            acc.config = acc.config.merge(sub.config)
            acc.vars = _merge_var_lists(acc.vars, sub.vars, where)
            return
        if not self.fs.exists(path):
            raise InputError(f"accumulating resources: '{entry}' does not exist (resolved to {path}){self.fs.absence_note(path)}",
                             file=where)
        path = loader.file_path(entry)
        for res in load_resources(self.fs, path):
            if self._schema_init is None and not is_builtin_kind(str(res.body.get("apiVersion") or ""), res.kind):
                self._schema_init = "unknown-kind"
            if kust.origin is not None:
                res.extra["origin"] = {"path": _append(kust.origin, entry)}
            acc.resources.append(res)

    def _transformer_config(self, loader: Loader, kust: Kustomization) -> TransformerConfig:
        # custom configurations first, the builtin table merged in after them: a builtin spec
        # that a custom one already covers (same path, narrower kind) is dropped, as in kubectl
        config = EMPTY_CONFIG
        for entry in kust.list("configurations"):
            path = loader.file_path(str(entry))
            for doc, _line in self.fs.load_yaml(path):
                config = config.merge(parse_config(doc, path))
        config = config.merge(builtin_config()) if config is not EMPTY_CONFIG else builtin_config()
        for entry in kust.list("crds"):
            from .crds import config_from_crds

            path = loader.file_path(str(entry))
            config = config.merge(config_from_crds(self.fs, path))
        return config

    def _run_generators(self, loader: Loader, kust: Kustomization, acc: Accumulation) -> None:
        options = kust.data.get("generatorOptions")
        for key, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
            for index, args in enumerate(kust.list(key)):
                res = generators.generate(loader, kind, args, options, kust.path)
                res.line = kust.entry_line(self.fs, key, index)
                if kust.origin is not None:
                    res.extra["origin"] = _builtin_origin(kust, f"{kind}Generator")
                self._absorb(acc.resources, res, kust.path)
        if kust.list("generators"):
            from .plugins import run_generator_plugins

            run_generator_plugins(self, loader, kust, acc)
        if kust.list("helmCharts") or kust.list("helmChartInflationGenerator"):
            from .helmcharts import inflate_charts

            for res in inflate_charts(self, loader, kust):
                self._absorb(acc.resources, res, kust.path)

    def _absorb(self, resources: ResourceList, res: Resource, where: str) -> None:
        matches = resources.with_any_id(res.id.key())
        if not matches:
            if res.behavior in ("merge", "replace"):
                raise RenderError(f"id {res.id} does not exist; cannot merge or replace", file=where)
            res.behavior = ""
            resources.append(res)
            return
        if len(matches) > 1:
            raise RenderError(f"found multiple objects that could accept merge of {res.id}", file=where)
        old = matches[0]
        if res.behavior not in ("merge", "replace"):
            raise RenderError(
                f"id {res.id} exists; behavior must be merge or replace (a generator may not create it twice)",
                file=where,
            )
        if res.behavior == "merge":  # a merge keeps the origin of what it merges into
            res.extra.pop("origin", None)
            res.origin, res.line = old.origin, old.line
        merged = generators.merge_generated(old, res)
        items = [merged if r is old else r for r in resources]
        resources.replace_all(items)

    def _run_transformers(self, loader: Loader, kust: Kustomization, acc: Accumulation) -> None:
        where = kust.path
        res = acc.resources
        cfg = acc.config
        schema = self._schema(loader, kust)
        done = functools.partial(_record_transformer, kust, res)
        if self._schema_init is None and (kust.list("patchesStrategicMerge") or kust.list("patches")):
            self._schema_init = "smp"
        if kust.list("patchesStrategicMerge"):
            for entry in kust.list("patchesStrategicMerge"):
                apply_patch(res, load_psm_entry(loader, entry, where), schema, where)
            done("PatchStrategicMergeTransformer")
        for entry in kust.list("patches"):
            apply_patch(res, load_patch_entry(loader, entry, where), schema, where)
            done("PatchTransformer")
        namespace = kust.str("namespace")
        if namespace:
            transformers.set_namespace(res, namespace, cfg.get("namespace"))
            done("NamespaceTransformer")
        if kust.str("namePrefix"):
            transformers.add_name_affix(res, kust.str("namePrefix"), cfg.get("namePrefix"), suffix=False, where=where)
            done("PrefixTransformer")
        if kust.str("nameSuffix"):
            transformers.add_name_affix(res, kust.str("nameSuffix"), cfg.get("nameSuffix"), suffix=True, where=where)
            done("SuffixTransformer")
        common = _string_map(kust.data.get("commonLabels"), "commonLabels", where)
        if kust.list("labels") or common:
            for label in kust.list("labels"):
                pairs, specs = _label_specs(label, cfg, where)
                if common and set(pairs) & set(common):
                    dup = sorted(set(pairs) & set(common))[0]
                    raise InputError(f"label name '{dup}' exists in both commonLabels and labels", file=where)
                transformers.add_map_entries(res, pairs, specs)
                done("LabelTransformer")
            transformers.add_map_entries(res, common, cfg.get("commonLabels"))
            done("LabelTransformer")
        annotations = _string_map(kust.data.get("commonAnnotations"), "commonAnnotations", where)
        if annotations:
            transformers.add_map_entries(res, annotations, cfg.get("commonAnnotations"))
            done("AnnotationsTransformer")
        for entry in kust.list("patchesJson6902"):
            apply_patch(res, load_json6902_entry(loader, entry, where), schema, where)
            done("PatchJson6902Transformer")
        for replica in kust.list("replicas"):
            if not isinstance(replica, dict):
                raise InputError(f"a replicas entry must be a mapping with name and count, got {replica!r}", file=where)
            transformers.set_replicas(res, replica, cfg.get("replicas"), where)
            done("ReplicaCountTransformer")
        for image in kust.list("images"):
            if not isinstance(image, dict):
                raise InputError(f"an images entry must be a mapping, got {image!r}", file=where)
            transformers.set_image(res, image, cfg.get("images"), where)
            done("ImageTagTransformer")
        if kust.list("replacements"):
            from .replacements import run_replacements

            run_replacements(res, loader, kust.list("replacements"), where)
            done("ReplacementTransformer")
        if kust.list("transformers"):
            from .plugins import run_transformer_plugins

            run_transformer_plugins(self, loader, kust, acc, schema)

    def _schema(self, loader: Loader, kust: Kustomization) -> Any:
        """The merge-key schema in force: kustomize keeps ONE per build, set by the first
        kustomization (the top one first, then in traversal order) that declares `openapi`."""
        from .openapi import MergeSchema

        return self._openapi if self._openapi is not None else MergeSchema.builtin()

    def _declare_openapi(self, kust: Kustomization) -> None:
        if self._openapi is not None:
            return
        openapi = kust.data.get("openapi")
        if not openapi:
            return
        from .openapi import MergeSchema

        if openapi.get("path"):
            if openapi.get("version"):
                raise InputError("openapi: builtin version and custom schema provided, cannot use both", file=kust.path)
            path = self._loader(kust).file_path(str(openapi["path"]))
            docs = self.fs.load_yaml(path)
            if not docs or not isinstance(docs[0][0], dict):
                raise InputError("openapi: the schema file must hold a JSON/YAML object", file=path)
            doc = docs[0][0]
            # kustomize keeps one global schema, initialised lazily; what a custom schema
            # does depends on what initialised it first (see openapi.py)
            if self._schema_init == "smp":
                self._openapi = MergeSchema.builtin().with_custom(doc)
            elif self._schema_init == "unknown-kind":
                self._openapi = MergeSchema.from_custom(doc).with_builtin()
            else:
                self._openapi = MergeSchema.from_custom(doc)
        elif openapi.get("version"):
            if str(openapi["version"]) not in ("v1.21.2",):
                raise InputError(f"openapi: the specified OpenAPI version {openapi['version']!r} is not built in (v1.21.2 is)", file=kust.path)
            self._openapi = MergeSchema.builtin()

    def _merge_vars(self, kust: Kustomization, acc: Accumulation) -> None:
        new = kust.list("vars")
        if not new:
            return
        from .replacements import bind_vars

        bind_vars(acc.resources, new, kust.path)
        acc.vars = _merge_var_lists(acc.vars, new, kust.path)

    # -- top level ------------------------------------------------------------------------
    def _finish(self, kust: Kustomization, acc: Accumulation) -> list[Resource]:
        res = acc.resources
        for r in res:
            if r.needs_hash:
                digest = generators.content_hash(r.body)
                r.record_rename()
                r.body.setdefault("metadata", {})["name"] = f"{r.name}-{digest}"
        res.reindex()
        from .namerefs import fix_name_references

        fix_name_references(res, acc.config.name_refs)
        if acc.vars:
            from .replacements import resolve_vars

            resolve_vars(res, acc.vars, acc.config.get("varReference"), kust.path)
        kept = [r for r in res if not _is_local_config(r)]
        for r in kept:
            _normalize_annotations(r.body)
        ordered = sort_resources(kept, kust.data.get("sortOptions"), self.options.reorder, kust.path)
        if self._build_metadata:
            for r in ordered:
                _write_build_metadata(r, self._build_metadata)
        return ordered


def _append(origin: str | None, entry: str) -> str | None:
    """Origin path of `entry` seen from the top kustomization (filepath.Join semantics)."""
    if origin is None:
        return None
    joined = posixpath.normpath(posixpath.join(origin, entry)) if origin else posixpath.normpath(entry)
    return "" if joined == "." else joined


def _builtin_origin(kust: Kustomization, kind: str) -> dict[str, Any]:
    return {
        "configuredIn": _append(kust.origin, kust.file_name),
        "configuredBy": {"apiVersion": "builtin", "kind": kind},
    }


def _record_transformer(kust: Kustomization, resources: ResourceList, kind: str, origin: dict[str, Any] | None = None) -> None:
    """With buildMetadata set, every transformer run is recorded on every resource (as kustomize does)."""
    if kust.origin is None:
        return
    origin = origin or _builtin_origin(kust, kind)
    for res in resources:
        if "origin" not in res.extra:
            res.extra["origin"] = origin
        else:
            res.extra["transformations"] = [*res.extra.get("transformations", []), origin]


def origin_yaml(origin: dict[str, Any], indent: str = "") -> str:
    """An origin record as kustomize prints it (fields in declaration order)."""
    lines: list[str] = []
    for key in ("path", "repo", "ref", "configuredIn"):
        if origin.get(key):
            lines.append(f"{key}: {origin[key]}")
    by = origin.get("configuredBy")
    if by:
        lines.append("configuredBy:")
        for key in ("apiVersion", "kind", "name", "namespace"):
            if by.get(key):
                lines.append(f"  {key}: {by[key]}")
    return "".join(f"{indent}{line}\n" for line in lines)


def _write_build_metadata(res: Resource, metadata: tuple[str, ...]) -> None:
    meta = res.body.setdefault("metadata", {})
    if "originAnnotations" in metadata and res.extra.get("origin"):
        meta.setdefault("annotations", {})["config.kubernetes.io/origin"] = origin_yaml(res.extra["origin"])
    if "transformerAnnotations" in metadata and res.extra.get("transformations"):
        text = ""
        for origin in res.extra["transformations"]:
            block = origin_yaml(origin, "  ")
            text += "- " + block[2:]
        meta.setdefault("annotations", {})["alpha.config.kubernetes.io/transformations"] = text
    if "managedByLabel" in metadata:
        meta.setdefault("labels", {})["app.kubernetes.io/managed-by"] = MANAGED_BY


def _normalize_annotations(body: dict[str, Any]) -> None:
    """kubectl prints annotations as a map of strings (values a patch made numbers become
    their text) and drops an annotations field that is empty, null or not a map."""
    meta = body.get("metadata")
    if not isinstance(meta, dict) or "annotations" not in meta:
        return
    annotations = meta["annotations"]
    if isinstance(annotations, dict):
        # build-internal annotations, as kustomize removes them (buildMetadata adds sluice's
        # own origin and transformations afterwards)
        for key in (*buildmeta.REMOVED_AT_OUTPUT, buildmeta.ORIGIN, buildmeta.TRANSFORMATIONS):
            annotations.pop(key, None)
    if not isinstance(annotations, dict) or not annotations:
        del meta["annotations"]
        return
    for key, value in annotations.items():
        if not isinstance(value, str):
            annotations[key] = _annotation_text(value)


def _annotation_text(value: Any) -> str:
    from ..core.yaml_emit import format_float

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return str(value)


def _is_local_config(res: Resource) -> bool:
    annotations = (res.body.get("metadata") or {}).get("annotations") or {}
    # kustomize's DropLocalNodes: present with any text but "false" (even "" or null) drops it
    return isinstance(annotations, dict) and LOCAL_CONFIG in annotations and _annotation_text(annotations[LOCAL_CONFIG]) != "false"


def _string_map(value: Any, field_name: str, where: str) -> dict[str, str]:
    if not value:
        return {}
    out: dict[str, str] = {}
    for key, val in value.items():
        if not isinstance(val, str):
            raise InputError(
                f"invalid Kustomization: {field_name}.{key}: value {val!r} must be a string (quote it)", file=where
            )
        out[str(key)] = val
    return out


def _label_specs(label: Any, cfg: TransformerConfig, where: str) -> tuple[dict[str, str], list[FieldSpec]]:
    if not isinstance(label, dict):
        raise InputError(f"a labels entry must be a mapping, got {label!r}", file=where)
    unknown = set(label) - {"pairs", "includeSelectors", "includeTemplates", "includeVolumeClaimTemplates", "fields"}
    if unknown:
        raise InputError(f"unknown field(s) in labels entry: {', '.join(sorted(unknown))}", file=where)
    pairs = _string_map(label.get("pairs"), "labels.pairs", where)
    specs: list[FieldSpec] = [fieldspec_from(fs, where) for fs in label.get("fields") or []]

    def add(more: Any) -> None:
        for fs in more:
            if fs not in specs:
                specs.append(fs)

    add(cfg.get("labels"))
    if label.get("includeSelectors"):
        add(cfg.get("commonLabels"))
    else:
        if label.get("includeTemplates"):
            add(cfg.get("templateLabels"))
        if label.get("includeVolumeClaimTemplates"):
            add(cfg.get("volumeClaimTemplateLabels"))
        add([FieldSpec("metadata/labels", create=True)])
    return pairs, specs


def _merge_var_lists(old: list[dict[str, Any]], new: list[dict[str, Any]], where: str) -> list[dict[str, Any]]:
    names = {v.get("name") for v in old}
    out = list(old)
    for var in new:
        if var.get("name") in names:
            raise InputError(f"var '{var.get('name')}' already encountered", file=where)
        names.add(var.get("name"))
        out.append(var)
    return out


# -- resource files ---------------------------------------------------------------------------

def load_resources(fs: RepoFS, path: str) -> list[Resource]:
    """Resources of a YAML file; `List` kinds are expanded into their items."""
    out: list[Resource] = []
    for doc, line in fs.load_yaml(path):
        _collect(doc, path, line, out)
    return out


def _collect(doc: Any, path: str, line: int, out: list[Resource]) -> None:
    if not isinstance(doc, dict):
        raise InputError("a resource must be a YAML mapping", file=path, line=line)
    kind = doc.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and "items" in doc:
        for item in doc.get("items") or []:
            _collect(item, path, line, out)
        return
    if not kind:
        raise InputError("missing kind in resource (every resource needs apiVersion, kind and metadata.name)", file=path, line=line)
    body = copy.deepcopy(doc)
    meta = body.get("metadata")
    if not isinstance(meta, dict) or not meta.get("name"):
        if not (isinstance(meta, dict) and meta.get("generateName")):
            raise InputError(f"missing metadata.name in {kind} resource", file=path, line=line)
    out.append(Resource(body=body, origin=path, line=line))


# -- sorting -----------------------------------------------------------------------------------

DEFAULT_ORDER_FIRST = (
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
    "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret",
    "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim",
    "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget",
)
DEFAULT_ORDER_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


def sort_resources(resources: list[Resource], sort_options: Any, reorder: str, where: str) -> list[Resource]:
    if sort_options:
        order = sort_options.get("order")
        if order not in ("legacy", "fifo"):
            raise InputError("the field 'sortOptions.order' must be one of [fifo, legacy]", file=where)
        legacy = sort_options.get("legacySortOptions")
        if order == "fifo":
            if legacy is not None:
                raise InputError("the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'", file=where)
            return resources
        first = tuple((legacy or {}).get("orderFirst") or ()) if legacy else DEFAULT_ORDER_FIRST
        last = tuple((legacy or {}).get("orderLast") or ()) if legacy else DEFAULT_ORDER_LAST
        return legacy_sort(resources, first, last)
    if reorder == "none":
        return resources
    return legacy_sort(resources, DEFAULT_ORDER_FIRST, DEFAULT_ORDER_LAST)


def legacy_sort(resources: list[Resource], first: tuple[str, ...], last: tuple[str, ...]) -> list[Resource]:
    orders: dict[str, int] = {}
    for i, kind in enumerate(first):
        orders[kind] = -len(first) + i
    for i, kind in enumerate(last):
        orders[kind] = 1 + i

    def gvk_string(g: str, v: str, k: str) -> str:
        return f"{g or '~G'}_{v or '~V'}_{k or '~K'}"

    import functools

    def compare(a: Resource, b: Resource) -> int:
        ga, gb = a.gvk, b.gvk
        if ga != gb:
            ia, ib = orders.get(ga.kind, 0), orders.get(gb.kind, 0)
            if ia != ib:
                return -1 if ia < ib else 1
            sa, sb = gvk_string(ga.group, ga.version, ga.kind), gvk_string(gb.group, gb.version, gb.kind)
            if ga.kind == "Namespace" and gb.kind == "Namespace" and (not ga.group or not gb.group):
                return (sa < sb) - (sa > sb)
            return (sa > sb) - (sa < sb)
        ka = f"{a.namespace or '~X'}|{a.name or '~N'}"
        kb = f"{b.namespace or '~X'}|{b.name or '~N'}"
        return (ka > kb) - (ka < kb)

    return sorted(resources, key=functools.cmp_to_key(compare))
