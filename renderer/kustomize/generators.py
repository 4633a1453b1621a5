"""configMapGenerator and secretGenerator, and the content hash kustomize appends to their names."""
from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
from typing import Any

from ..core.errors import InputError
from ..core.resource import Resource
from .buildmeta import generation_behavior
from .loader import Loader

_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_HASH_MAP = str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"})


def content_hash(body: dict[str, Any]) -> str:
    """Kustomize's name-suffix hash: sha256 of Go-style JSON of the data-bearing fields."""
    kind = body.get("kind")
    if kind == "ConfigMap":
        enc: dict[str, Any] = {"kind": "ConfigMap", "name": "", "data": body.get("data", "")}
        if isinstance(body.get("binaryData"), dict):
            enc["binaryData"] = body["binaryData"]
    elif kind == "Secret":
        enc = {"kind": "Secret", "type": body.get("type", ""), "name": "", "data": body.get("data", "")}
        if isinstance(body.get("stringData"), dict):
            enc["stringData"] = body["stringData"]
    else:
        enc = body
    text = go_json(enc)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10].translate(_HASH_MAP)


def go_json(value: Any) -> str:
    """JSON as Go's encoding/json writes it: sorted keys, no spaces, <>& and U+2028/9 escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def encode_base64(data: bytes) -> str:
    """Base64 wrapped at 70 characters, each line newline-terminated when wrapped (kyaml)."""
    enc = base64.b64encode(data).decode("ascii")
    if len(enc) < 70:
        return enc
    return "".join(enc[i:i + 70] + "\n" for i in range(0, len(enc), 70))


def _remove_quotes(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _pairs(loader: Loader, args: dict[str, Any], where: str, secret: bool = False) -> list[tuple[str, bytes]]:
    """(key, value) of every envs line, literal and file. For a Secret a malformed entry is
    named by its position, not quoted: without its `=` the whole entry may be the value."""
    pairs: list[tuple[str, bytes]] = []
    for env_path in args.get("envs") or []:
        text = loader.read_bytes(str(env_path)).decode("utf-8", errors="strict")
        for index, line in enumerate(text.splitlines()):
            if index == 0 and line.startswith("\ufeff"):
                line = line[1:]
            line = line.lstrip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not _ENV_NAME.match(key):
                shown = f"{key!r}" if sep or not secret else "(the line is not shown: it may hold a Secret value)"
                raise InputError(f"invalid environment variable name {shown} in env file"
                                 + ("" if sep else "; expected KEY=VALUE"), file=loader.path_of(str(env_path)), line=index + 1)
            pairs.append((key, value.encode("utf-8")))
    for number, literal in enumerate(args.get("literals") or [], 1):
        literal = str(literal)
        key, sep, value = literal.partition("=")
        if not sep or not key:
            shown = f"number {number} (not shown: it may hold a Secret value)" if secret else repr(literal)
            raise InputError(f"invalid literal source {shown}, expected key=value", file=where)
        pairs.append((key, _remove_quotes(value).encode("utf-8")))
    for source in args.get("files") or []:
        source = str(source)
        count = source.count("=")
        if count == 0:
            key, path = posixpath.basename(source), source
        elif count == 1 and source.startswith("="):
            raise InputError(f"missing key name for file path in source {source!r}", file=where)
        elif count == 1 and source.endswith("="):
            raise InputError(f"missing file path for key name in source {source!r}", file=where)
        elif count > 1:
            raise InputError(f"source {source!r} key name or file path contains '='", file=where)
        else:
            key, path = source.split("=")
        pairs.append((key, loader.read_bytes(path)))
    return pairs


def _data_map(loader: Loader, args: dict[str, Any], kind: str, where: str) -> dict[str, bytes]:
    name = args.get("name")
    out: dict[str, bytes] = {}
    for key, value in _pairs(loader, args, where, secret=kind == "Secret"):
        if not _KEY.match(key):
            raise InputError(f"{kind} {name}: invalid key {key!r}: a valid key must consist of alphanumeric characters, '-', '_' or '.'", file=where)
        if key in out:
            raise InputError(f"{kind.lower()} {name} illegally repeats the key `{key}`", file=where)
        out[key] = value
    return out


def merge_options(local: dict[str, Any] | None, global_: dict[str, Any] | None) -> dict[str, Any]:
    """generatorOptions under a generator's own options: local labels/annotations win."""
    opts = dict(local or {})
    if global_:
        for key in ("labels", "annotations"):
            merged = dict(global_.get(key) or {})
            merged.update(opts.get(key) or {})
            if merged or opts.get(key) is not None:
                opts[key] = merged
        if global_.get("disableNameSuffixHash"):
            opts["disableNameSuffixHash"] = True
        if global_.get("immutable"):
            opts["immutable"] = True
    return opts


def generate(loader: Loader, kind: str, args: dict[str, Any], global_options: dict[str, Any] | None, where: str) -> Resource:
    """One ConfigMap or Secret from its generator arguments."""
    name = args.get("name")
    if not name:
        raise InputError(f"a {kind.lower()} generator must have a name", file=where)
    body: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": {"name": str(name)}}
    if args.get("namespace"):
        body["metadata"]["namespace"] = str(args["namespace"])
    data = _data_map(loader, args, kind, where)
    if kind == "ConfigMap":
        for key in sorted(data):
            value = data[key]
            try:
                body.setdefault("data", {})[key] = value.decode("utf-8")
            except UnicodeDecodeError:
                body.setdefault("binaryData", {})[key] = encode_base64(value)
    else:
        body["type"] = str(args.get("type") or "Opaque")
        body["data"] = {key: encode_base64(data[key]) for key in sorted(data)}
    opts = merge_options(args.get("options"), global_options)
    meta = body["metadata"]
    for field in ("labels", "annotations"):
        values = opts.get(field) or {}
        if values:
            meta[field] = {str(k): str(v) for k, v in values.items()}
    if opts.get("immutable"):
        body["immutable"] = True
    behavior = str(args.get("behavior") or "create")
    if behavior not in ("merge", "replace"):
        behavior = "create"  # kustomize's NewGenerationBehavior: anything else is unspecified, i.e. create
    res = Resource(body=body, origin=where, behavior=behavior, needs_hash=not opts.get("disableNameSuffixHash"))
    res.extra["generator_behavior"] = generation_behavior(args.get("behavior"))
    return res


def merge_generated(old: Resource, new: Resource) -> Resource:
    """Apply a merge/replace generator onto the resource it targets (kustomize's appendReplaceOrMerge)."""
    new_meta = new.body.setdefault("metadata", {})
    old_meta = old.body.get("metadata") or {}
    labels = dict(old_meta.get("labels") or {})
    labels.update(new_meta.get("labels") or {})
    annotations = dict(old_meta.get("annotations") or {})
    annotations.update(new_meta.get("annotations") or {})
    for field, values in (("labels", labels), ("annotations", annotations)):
        if values:
            new_meta[field] = values
        else:
            new_meta.pop(field, None)
    new_meta["name"] = old.name
    if old.namespace:
        new_meta["namespace"] = old.namespace
    else:
        new_meta.pop("namespace", None)
    if new.behavior == "merge":
        for field in ("data", "binaryData"):
            merged = dict(old.body.get(field) or {})
            merged.update(new.body.get(field) or {})
            if merged:
                new.body[field] = merged
    new.prev_ids = list(old.prev_ids)
    # build bookkeeping comes from the resource being merged into: a generator merging into
    # a plain (non-generated) ConfigMap does not give it a hash suffix
    new.needs_hash = old.needs_hash and new.needs_hash
    extra = dict(old.extra)
    if new.behavior == "replace" and "origin" in new.extra:
        extra["origin"] = new.extra["origin"]
    new.extra = extra
    new.behavior = ""
    return new


