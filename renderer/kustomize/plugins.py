"""The `generators:` and `transformers:` fields with kustomize's builtin plugin configs.

Entries are inline YAML, files, or kustomization directories whose (built) resources are
plugin configurations (`apiVersion: builtin`). Exec and Go plugins need code sluice will
not run; they are refused with a clear error.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.errors import InputError
from ..core.resource import Origin, Resource
from . import generators as gen
from . import transformers as tf
from .fieldspecs import FieldSpec, fieldspec_from
from .kustomization import Kustomization
from .loader import Loader
from .patches import apply_patch, load_json6902_entry, load_patch_entry, load_psm_entry, parse_patch_text

if TYPE_CHECKING:
    from .build import Accumulation, Builder


def load_configs(builder: "Builder", loader: Loader, kust: Kustomization, field: str) -> list[dict[str, Any]]:
    from .build import load_resources
    from ..core import yaml as _yaml

    from .build import _append

    configs: list[dict[str, Any]] = []
    for index, entry in enumerate(kust.list(field)):
        text = str(entry)
        if "\n" in text or text.lstrip().startswith(("apiVersion:", "kind:", "{")):
            docs = _yaml.load_documents(text, kust.path)
            place = Origin(kust.path, kust.entry_line(builder.fs, field, index))
            configs.extend(_with_origin(d, _append(kust.origin, kust.file_name), place) for d in docs if isinstance(d, dict))
            continue
        path = loader.path_of(text)
        if builder.fs.is_dir(path):
            sub = builder.build_resources_of_dir(path, referrer=kust.path, origin=_append(kust.origin, text))
            configs.extend(_with_origin(r.body, (r.extra.get("origin") or {}).get("path"), r.place()) for r in sub)
        else:
            path = loader.file_path(text)
            if not builder.fs.exists(path):
                raise InputError(f"{field}: '{text}' does not exist (resolved to {path})", file=kust.path)
            configs.extend(_with_origin(r.body, _append(kust.origin, text), r.place()) for r in load_resources(builder.fs, path))
    for config in configs:
        if config.get("apiVersion") != "builtin":
            raise InputError(
                f"{field}: plugin {config.get('apiVersion')}/{config.get('kind')} is not a builtin plugin; "
                "sluice does not run exec or Go plugins",
                file=kust.path,
            )
    return configs


_ORIGIN_KEY = "__sluice_origin__"  # kustomize's origin record (buildMetadata), when tracked
_PLACE_KEY = "__sluice_place__"  # the config's file and line: the origin of what it generates
_PRIVATE = (_ORIGIN_KEY, _PLACE_KEY)


def _with_origin(config: dict[str, Any], path: str | None, place: Origin) -> dict[str, Any]:
    config = dict(config)
    config[_ORIGIN_KEY] = path
    config[_PLACE_KEY] = place
    return config


def public(config: dict[str, Any]) -> dict[str, Any]:
    """The config as the user wrote it (sluice's bookkeeping keys removed)."""
    return {k: v for k, v in config.items() if k not in _PRIVATE}


def plugin_origin(config: dict[str, Any]) -> dict[str, Any] | None:
    """Origin record of a custom plugin config: where it was configured, and its id."""
    path = config.get(_ORIGIN_KEY)
    if path is None:
        return None
    meta = config.get("metadata") or {}
    by = {"apiVersion": config.get("apiVersion"), "kind": config.get("kind")}
    if meta.get("name"):
        by["name"] = meta["name"]
    if meta.get("namespace"):
        by["namespace"] = meta["namespace"]
    return {"configuredIn": path, "configuredBy": by}


def _specs(config: dict[str, Any], where: str) -> list[FieldSpec]:
    return [fieldspec_from(fs, where) for fs in config.get("fieldSpecs") or []]


def run_generator_plugins(builder: "Builder", loader: Loader, kust: Kustomization, acc: "Accumulation") -> None:
    where = kust.path
    for config in load_configs(builder, loader, kust, "generators"):
        kind = config.get("kind")
        meta = config.get("metadata") or {}
        if kind in ("ConfigMapGenerator", "SecretGenerator"):
            args = {k: v for k, v in public(config).items() if k not in ("apiVersion", "kind", "metadata")}
            args["name"] = args.get("name") or meta.get("name")
            if not args.get("namespace") and meta.get("namespace"):
                args["namespace"] = meta["namespace"]
            res = gen.generate(loader, "ConfigMap" if kind == "ConfigMapGenerator" else "Secret", args, None, where)
            _set_origin(res, config)
            builder._absorb(acc.resources, res, where)
        elif kind == "IAMPolicyGenerator":
            res = _iam_service_account(config, where)
            _set_origin(res, config)
            builder._absorb(acc.resources, res, where)
        elif kind == "HelmChartInflationGenerator":
            from .helmcharts import inflate_chart_config

            for res in inflate_chart_config(builder, loader, kust, public(config), config[_PLACE_KEY]):
                builder._absorb(acc.resources, res, where)
        else:
            raise InputError(f"generators: unknown builtin generator kind {kind!r}", file=where)


def _set_origin(res: Resource, config: dict[str, Any]) -> None:
    place = config[_PLACE_KEY]
    res.origin, res.line = place.file, place.line
    origin = plugin_origin(config)
    if origin is not None:
        res.extra["origin"] = origin


def _iam_service_account(config: dict[str, Any], where: str) -> Resource:
    if config.get("cloud") != "gke":
        raise InputError("IAMPolicyGenerator: only cloud 'gke' is supported", file=where)
    ksa = config.get("kubernetesService") or {}
    gsa = config.get("serviceAccount") or {}
    body: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {
            "annotations": {"iam.gke.io/gcp-service-account": f"{gsa.get('name')}@{gsa.get('projectId')}.iam.gserviceaccount.com"},
            "name": ksa.get("name"),
        },
    }
    if ksa.get("namespace"):
        body["metadata"]["namespace"] = ksa["namespace"]
    return Resource(body=body, origin=where)


def run_transformer_plugins(builder: "Builder", loader: Loader, kust: Kustomization, acc: "Accumulation", schema: Any) -> None:
    where = kust.path
    res = acc.resources
    for config in load_configs(builder, loader, kust, "transformers"):
        kind = config.get("kind")
        meta = config.get("metadata") or {}
        if kind == "PrefixSuffixTransformer":
            specs = _specs(config, where)
            tf.add_name_affix(res, str(config.get("prefix") or ""), specs, suffix=False, where=where)
            tf.add_name_affix(res, str(config.get("suffix") or ""), specs, suffix=True, where=where)
        elif kind == "PrefixTransformer":
            tf.add_name_affix(res, str(config.get("prefix") or ""), _specs(config, where), suffix=False, where=where)
        elif kind == "SuffixTransformer":
            tf.add_name_affix(res, str(config.get("suffix") or ""), _specs(config, where), suffix=True, where=where)
        elif kind == "LabelTransformer":
            tf.add_map_entries(res, {str(k): str(v) for k, v in (config.get("labels") or {}).items()}, _specs(config, where))
        elif kind == "AnnotationsTransformer":
            tf.add_map_entries(res, {str(k): str(v) for k, v in (config.get("annotations") or {}).items()}, _specs(config, where))
        elif kind == "NamespaceTransformer":
            tf.set_namespace(
                res, str(meta.get("namespace") or ""), _specs(config, where),
                subjects_mode=str(config.get("setRoleBindingSubjects") or "defaultOnly"),
                unset_only=bool(config.get("unsetOnly")),
            )
        elif kind == "ImageTagTransformer":
            tf.set_image(res, config.get("imageTag") or {}, _specs(config, where), where)
        elif kind == "ReplicaCountTransformer":
            tf.set_replicas(res, config.get("replica") or {}, _specs(config, where), where)
        elif kind == "PatchTransformer":
            entry = {k: config[k] for k in ("path", "patch", "target", "options") if k in config}
            apply_patch(res, load_patch_entry(loader, entry, where), schema, where)
        elif kind == "PatchStrategicMergeTransformer":
            for path in config.get("paths") or []:
                apply_patch(res, load_psm_entry(loader, path, where), schema, where)
            if config.get("patches"):
                apply_patch(res, parse_patch_text(str(config["patches"]), where), schema, where)
        elif kind == "PatchJson6902Transformer":
            entry = {"target": config.get("target"), "path": config.get("path"), "patch": config.get("jsonOp")}
            apply_patch(res, load_json6902_entry(loader, entry, where), schema, where)
        elif kind == "ReplacementTransformer":
            from .replacements import run_replacements

            run_replacements(res, loader, list(config.get("replacements") or []), where)
        elif kind == "SortOrderTransformer":
            from .build import sort_resources

            ordered = sort_resources(list(res), config.get("sortOptions") or {"order": "fifo"}, "none", where)
            res.replace_all(ordered)
        else:
            raise InputError(f"transformers: unknown builtin transformer kind {kind!r}", file=where)
        from .build import _record_transformer

        _record_transformer(kust, res, str(kind), plugin_origin(config))
