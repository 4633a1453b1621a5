"""Argo CD's parameter override files: `.argocd-source.yaml`, then
`.argocd-source-<application>.yaml`, in the source directory (what argocd-image-updater
writes with its git write-back).

As the repo server's `mergeSourceParameters`: each file is a JSON merge patch (RFC 7386)
over the source as JSON, and the patched JSON is decoded (Go's encoding/json) over the
source it started from. So maps merge and lists replace, but because decoding leaves
alone what the JSON does not mention, a `null` does *not* remove a setting the source
already had (it only keeps a new key out), and a list element decoded over an existing
one keeps that element's fields the override leaves out; `helm.valuesObject` (a raw
object) is taken as merged. Then `chart`, `path`, `repoURL` and `targetRevision` are
restored: only the config-management settings (`helm`, `kustomize`, `directory`) can
change, and with them the source type (a `helm:` block added by an override makes the
source a Helm one). An empty file is an error, as in Argo CD ("Invalid JSON Patch").
"""
from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

from ..core.errors import InputError, OutOfReach
from ..core.fs import RepoFS, join

REPO_FILE = ".argocd-source.yaml"
APP_FILE = ".argocd-source-{}.yaml"
_TYPES = ("kustomize", "helm", "directory", "plugin")
_RAW = {("helm", "valuesObject")}  # runtime.RawExtension: replaced as a whole when decoded


def override_files(fs: RepoFS, path: str, app_name: str) -> list[str]:
    """The override files of a source directory that exist, in merge order."""
    names = [REPO_FILE] + ([APP_FILE.format(app_name)] if app_name else [])
    return [join(path, name) for name in names if fs.probe(join(path, name))]


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch of `patch` over `target` (both left alone)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def decode_over(old: Any, new: Any, path: tuple[str, ...] = ()) -> Any:
    """`new` (JSON) decoded by Go's encoding/json over the value `old`: mappings keep the
    keys `new` leaves out, lists decode element-wise over the old elements and take
    `new`'s length, a null leaves a scalar alone and clears anything else."""
    if path[-2:] in _RAW:
        return copy.deepcopy(new)
    if new is None:
        return None if isinstance(old, (dict, list)) else copy.deepcopy(old)
    if isinstance(new, dict):
        out = copy.deepcopy(old) if isinstance(old, dict) else {}
        for key, value in new.items():
            out[key] = decode_over(out.get(key), value, (*path, str(key)))
        return out
    if isinstance(new, list):
        previous = old if isinstance(old, list) else []
        return [decode_over(previous[i] if i < len(previous) else None, item, (*path, "[]"))
                for i, item in enumerate(new)]
    return new


def merge_source_parameters(source: dict[str, Any], patches: list[tuple[str, Any]]) -> dict[str, Any]:
    """The source after each (file, patch) in turn, with the location fields restored."""
    merged = copy.deepcopy(source)
    for _file, patch in patches:
        merged = decode_over(merged, merge_patch(merged, patch))
    for key in ("chart", "path", "repoURL", "targetRevision"):
        if key in source:
            merged[key] = source[key]
        else:
            merged.pop(key, None)
    return merged


def _load_patch(fs: RepoFS, path: str) -> Any:
    docs = fs.load_yaml(path, dialect="config")
    patch = docs[0][0] if docs else None
    if not isinstance(patch, dict):
        what = "is empty" if patch is None else f"is a {type(patch).__name__}"
        raise InputError(f"Argo CD parameter override file {what}; it must be a mapping of source settings "
                         "(e.g. `helm: {parameters: [...]}` or `kustomize: {images: [...]}`) (Invalid JSON Patch)",
                         file=path, line=docs[0][1] if docs else None)
    # A JSON document: what YAMLToJSON makes of it (keys become strings).
    return json.loads(json.dumps(patch, default=str))


def source_view(spec: Any) -> dict[str, Any]:
    """The config-management part of the Application source as Argo CD would marshal it."""
    if spec.type == "helm":
        return {"helm": json.loads(spec.helm_json) if spec.helm_json else {}}
    if spec.type == "kustomize":
        return {"kustomize": json.loads(spec.kustomize_json) if spec.kustomize_json else {}}
    if spec.type == "directory":
        directory: dict[str, Any] = {}
        if spec.recurse:
            directory["recurse"] = True
        if spec.include:
            directory["include"] = spec.include
        if spec.exclude:
            directory["exclude"] = spec.exclude
        if spec.disable_extension_filter:
            directory["disableExtensionFilter"] = True
        return {"directory": directory}
    return {}


def apply_overrides(fs: RepoFS, spec: Any, *, referrer: str | None = None) -> Any:
    """`spec` (a SourceSpec of the repository `fs`) with its override files merged in; the
    same spec when there are none."""
    if spec.type in ("helm-repo", "flux"):
        return spec
    files = override_files(fs, spec.path, spec.app_name)
    if not files:
        return spec
    from .kustomize_options import validate_options

    patches = [(f, _load_patch(fs, f)) for f in files]
    merged = merge_source_parameters(source_view(spec), patches)
    last = files[-1]
    where = f"{spec.field} (with {', '.join(f.rsplit('/', 1)[-1] for f in files)})"
    types = [t for t in _TYPES if merged.get(t) is not None]
    if len(types) > 1:
        raise InputError(f"{where}: multiple application sources defined: {','.join(types)}", file=last)
    if types == ["plugin"]:
        raise OutOfReach(f"{where}.plugin: plugin sources are not rendered by sluice", file=last)
    kind = types[0] if types else "auto"
    changes: dict[str, Any] = {"type": kind}
    if kind == "helm":
        helm = merged["helm"]
        if not isinstance(helm, dict):
            raise InputError(f"{where}.helm must be a mapping", file=last)
        original = json.loads(spec.helm_json) if spec.helm_json else {}
        for key in ("kubeVersion", "apiVersions"):  # the cluster's capabilities, as the plan gave them
            if original.get(key) and not helm.get(key):
                helm[key] = original[key]
        changes["helm_json"] = json.dumps(helm, sort_keys=True)
    elif kind == "kustomize":
        options = validate_options(merged["kustomize"], where=f"{where}.kustomize", file=last)
        changes["kustomize_json"] = json.dumps(options, sort_keys=True) if options else ""
    elif kind == "directory":
        d = merged["directory"]
        if not isinstance(d, dict):
            raise InputError(f"{where}.directory must be a mapping", file=last)
        for key, kinds in (("recurse", bool), ("disableExtensionFilter", bool), ("include", str), ("exclude", str)):
            if d.get(key) is not None and not isinstance(d[key], kinds):
                raise InputError(f"{where}.directory.{key} must be a {kinds.__name__}, not {d[key]!r}", file=last)
        if d.get("jsonnet"):
            raise InputError(f"{where}.directory.jsonnet: jsonnet is not supported by sluice", file=last)
        changes.update(recurse=bool(d.get("recurse")), include=d.get("include") or "", exclude=d.get("exclude") or "",
                       disable_extension_filter=bool(d.get("disableExtensionFilter")))
    return dataclasses.replace(spec, **changes)
