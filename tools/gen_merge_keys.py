#!/usr/bin/env python3
"""Generate renderer/data/k8s_merge_keys.json, the strategic-merge schema table.

Where the source schema comes from
----------------------------------
`kubectl kustomize` (kubectl v1.37 vendors Kustomize v5.8.1, i.e. kyaml v0.21.1)
merges strategic-merge patches with the Kubernetes OpenAPI v2 document that kyaml
embeds: the protobuf dump of `/openapi/v2` of a Kubernetes **v1.21.2** API server,
stored in the kustomize repository as

    kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb   (tag kyaml/v0.21.1)

plus the small Kustomization schema stored next to it as

    kyaml/openapi/kustomizationapi/swagger.json

Run this script on those two files (neither is kept in this project), e.g. from a
clone of github.com/kubernetes-sigs/kustomize:

    git -C kustomize show kyaml/v0.21.1:kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb > /tmp/swagger.pb
    git -C kustomize show kyaml/v0.21.1:kyaml/openapi/kustomizationapi/swagger.json > /tmp/kapi.json
    python tools/gen_merge_keys.py /tmp/swagger.pb /tmp/kapi.json > renderer/data/k8s_merge_keys.json

(kyaml also registers `openapi: {version: v1.21.2}` as the only built-in version.)
When kubectl moves to a Kustomize whose kyaml embeds another schema, regenerate
from that file and re-run tests/test_strategic.py (its differential test checks
the result against kubectl).

A JSON swagger document (e.g. Kubernetes' api/openapi-spec/swagger.json) is also
accepted in place of the protobuf file (whatever does not parse as JSON is read as protobuf).

What is kept
------------
Only what the merge needs (renderer/kustomize/openapi.py reads it; compact_schema()
there does the reduction, for this script and for custom schemas alike):

    {"source": {...},
     "layers": {"kubernetes":    {"gvk": {"<apiVersion>|<kind>": "<definition>"},
                                  "definitions": {"<definition>": NODE}},
                "kustomization": {...same...}}}

    NODE := "<definition>"           a $ref (the referenced schema replaces the node,
                                     as kube-openapi resolves it: sibling keys are lost)
          | 0                        a schema with nothing the merge uses (a leaf)
          | {"arr": 1,               type is exactly ["array"]
             "i": NODE,              items
             "p": {field: NODE},     properties
             "a": NODE,              additionalProperties (a schema, not a boolean)
             "s": "merge",           x-kubernetes-patch-strategy
             "k": "name",            x-kubernetes-patch-merge-key
             "mk": ["a", "b"]}       x-kubernetes-list-map-keys

The protobuf is decoded by a small hand-written reader of the protobuf wire format
following the field numbers of gnostic's openapiv2 `Document`/`Schema` messages.
"""
from __future__ import annotations

import json
import struct
import sys
from typing import Any, Iterator

import yaml

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
from renderer.kustomize.openapi import compact_schema, gvk_keys_of  # noqa: E402

# --- protobuf wire format ---------------------------------------------------------------

# Field numbers of gnostic openapi_v2 messages that we read.
DOC_DEFINITIONS = 9          # Document.definitions (Definitions)
DEFS_ADDITIONAL = 1          # Definitions.additional_properties (repeated NamedSchema)
NAMED_NAME, NAMED_VALUE = 1, 2   # NamedSchema / NamedAny
SCH_REF = 1
SCH_ADDITIONAL_PROPERTIES = 21   # AdditionalPropertiesItem {1: Schema, 2: bool}
SCH_TYPE = 22                # TypeItem {1: repeated string}
SCH_ITEMS = 23               # ItemsItem {1: repeated Schema}
SCH_PROPERTIES = 25          # Properties {1: repeated NamedSchema}
SCH_VENDOR_EXTENSION = 31    # repeated NamedAny
ANY_YAML = 2                 # Any.yaml


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def fields(buf: bytes) -> Iterator[tuple[int, int, Any]]:
    """Yield (field number, wire type, value) of one message."""
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        num, wt = key >> 3, key & 7
        val: Any
        if wt == 0:
            val, pos = _varint(buf, pos)
        elif wt == 1:
            val = struct.unpack_from("<Q", buf, pos)[0]
            pos += 8
        elif wt == 2:
            n, pos = _varint(buf, pos)
            val = buf[pos:pos + n]
            pos += n
        elif wt == 5:
            val = struct.unpack_from("<I", buf, pos)[0]
            pos += 4
        else:  # groups are not used by gnostic
            raise ValueError(f"unsupported wire type {wt}")
        yield num, wt, val


def _named(buf: bytes) -> tuple[str, bytes]:
    name, value = "", b""
    for num, _, val in fields(buf):
        if num == NAMED_NAME:
            name = val.decode()
        elif num == NAMED_VALUE:
            value = val
    return name, value


def pb_schema(buf: bytes) -> dict:
    """Decode a gnostic Schema message into a swagger-JSON-like dict (merge-relevant keys)."""
    out: dict[str, Any] = {}
    for num, _, val in fields(buf):
        if num == SCH_REF:
            out["$ref"] = val.decode()
        elif num == SCH_TYPE:
            types = [v.decode() for n, _, v in fields(val) if n == 1]
            out["type"] = types
        elif num == SCH_ITEMS:
            items = [pb_schema(v) for n, _, v in fields(val) if n == 1]
            out["items"] = items[0] if len(items) == 1 else items
        elif num == SCH_PROPERTIES:
            props = out.setdefault("properties", {})
            for n, _, v in fields(val):
                if n == 1:
                    name, value = _named(v)
                    props[name] = pb_schema(value)
        elif num == SCH_ADDITIONAL_PROPERTIES:
            for n, _, v in fields(val):
                if n == 1:
                    out["additionalProperties"] = pb_schema(v)
                elif n == 2:
                    out["additionalProperties"] = bool(v)
        elif num == SCH_VENDOR_EXTENSION:
            name, value = _named(val)
            text = ""
            for n, _, v in fields(value):
                if n == ANY_YAML:
                    text = v.decode()
            out[name] = yaml.safe_load(text)
    return out


def pb_definitions(buf: bytes) -> dict[str, dict]:
    defs: dict[str, dict] = {}
    for num, _, val in fields(buf):
        if num != DOC_DEFINITIONS:
            continue
        for n, _, v in fields(val):
            if n == DEFS_ADDITIONAL:
                name, value = _named(v)
                defs[name] = pb_schema(value)
    return defs


def load_definitions(path: str) -> dict[str, dict]:
    with open(path, "rb") as f:
        data = f.read()
    try:
        doc = json.loads(data)
    except ValueError:  # not JSON: the protobuf form
        return pb_definitions(data)
    return doc.get("definitions", {})


# --- output ----------------------------------------------------------------------------

def build_layer(defs: dict[str, dict]) -> dict:
    definitions: dict[str, Any] = {}
    gvk: dict[str, str] = {}
    for name in sorted(defs):
        definitions[name] = compact_schema(defs[name])
        for key in gvk_keys_of(defs[name]):
            if key in gvk and gvk[key] != name:
                print(f"warning: {key} claimed by {gvk[key]} and {name}", file=sys.stderr)
            gvk[key] = name
    return {"gvk": dict(sorted(gvk.items())), "definitions": definitions}


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    if len(argv) != 3:
        print("usage: gen_merge_keys.py KUBERNETES_SWAGGER(.pb|.json) KUSTOMIZATION_SWAGGER.json", file=sys.stderr)
        return 2
    out = {
        "source": {
            "kubernetes": "kubernetes-sigs/kustomize@kyaml/v0.21.1:"
                          "kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb (Kubernetes v1.21.2)",
            "kustomization": "kubernetes-sigs/kustomize@kyaml/v0.21.1:"
                             "kyaml/openapi/kustomizationapi/swagger.json",
            "generator": "tools/gen_merge_keys.py",
        },
        "layers": {
            "kubernetes": build_layer(load_definitions(argv[1])),
            "kustomization": build_layer(load_definitions(argv[2])),
        },
    }
    json.dump(out, sys.stdout, separators=(",", ":"), sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
