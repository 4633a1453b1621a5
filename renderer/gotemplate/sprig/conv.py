"""Sprig's conversions: numbers from strings, JSON and YAML."""
from __future__ import annotations

import json
import math
import re
from typing import Any, Callable

from renderer.gotemplate.args import arg_str, strval, to_float64, to_int64
from renderer.gotemplate.errors import FuncError
from renderer.gotemplate.fmt import go_format_float, plain_float
from renderer.gotemplate.values import MISSING, GoObject, Int64, go_type


def go_json(v: Any, indent: str | None = None, escape_html: bool = True) -> str:
    def enc(x: Any, level: int) -> str:
        if x is None or x is MISSING:
            return "null"
        if isinstance(x, bool):
            return "true" if x else "false"
        if isinstance(x, int):
            return str(x)
        if isinstance(x, float):
            if math.isnan(x) or math.isinf(x):
                raise FuncError(f"json: unsupported value: {go_format_float(x)}")
            a = abs(x)
            if a != 0 and (a < 1e-6 or a >= 1e21):
                return re.sub(r"e([+-])0(\d)$", r"e\1\2", go_format_float(x, "e", -1))
            return plain_float(x)
        if isinstance(x, str):
            s = json.dumps(x, ensure_ascii=False)
            if escape_html:
                s = s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            return s.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        if isinstance(x, dict):
            if not x:
                return "{}"
            keys = sorted(x, key=str)
            if indent is None:
                return "{" + ",".join(enc(str(k), 0) + ":" + enc(x[k], 0) for k in keys) + "}"
            pad = indent * (level + 1)
            return "{\n" + ",\n".join(pad + enc(str(k), 0) + ": " + enc(x[k], level + 1) for k in keys) + "\n" + indent * level + "}"
        if isinstance(x, (list, tuple)):
            if not x:
                return "[]"
            if indent is None:
                return "[" + ",".join(enc(e, 0) for e in x) + "]"
            pad = indent * (level + 1)
            return "[\n" + ",\n".join(pad + enc(e, level + 1) for e in x) + "\n" + indent * level + "]"
        if isinstance(x, GoObject) and x.has_method("String"):
            return enc(str(x), level)  # semver's Version marshals as its string
        raise FuncError(f"json: unsupported type: {go_type(x)}")

    return enc(v, 0)


def _from_json(s: Any) -> Any:
    try:
        return json_floats(json.loads(arg_str(s)))
    except json.JSONDecodeError:
        return {}


def _must_from_json(s: Any) -> Any:
    try:
        return json_floats(json.loads(arg_str(s)))
    except json.JSONDecodeError as e:
        raise FuncError(str(e)) from None


def json_floats(v: Any) -> Any:
    """JSON numbers decode to float64 in Go."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return float(v)
    if isinstance(v, dict):
        return {k: json_floats(x) for k, x in v.items()}
    if isinstance(v, list):
        return [json_floats(x) for x in v]
    return v


def _to_yaml(v: Any) -> str:
    from renderer.core.yaml import dump_document

    def norm(x: Any) -> Any:
        if x is MISSING:
            return None
        if isinstance(x, float) and x.is_integer() and abs(x) < 1e21:
            return int(x)
        if isinstance(x, dict):
            return {str(k): norm(e) for k, e in x.items()}
        if isinstance(x, (list, tuple)):
            return [norm(e) for e in x]
        return x

    if v is None or v is MISSING:
        return "null"
    return dump_document(norm(v)).removesuffix("\n")


def _from_yaml(s: Any) -> Any:
    from renderer.core.errors import SluiceError
    from renderer.core.yaml import load_documents

    try:
        docs = load_documents(arg_str(s), "<fromYaml>", dialect="config")
    except SluiceError as e:
        raise FuncError(e.message) from None
    doc = docs[0] if docs else {}
    if not isinstance(doc, dict):
        raise FuncError(f"error unmarshaling JSON: json: cannot unmarshal {go_type(doc)} into Go value of type map[string]interface {{}}")
    return json_floats(doc)


def _from_yaml_array(s: Any) -> Any:
    from renderer.core.errors import SluiceError
    from renderer.core.yaml import load_documents

    try:
        docs = load_documents(arg_str(s), "<fromYamlArray>", dialect="config")
    except SluiceError as e:
        raise FuncError(e.message) from None
    doc = docs[0] if docs else []
    if not isinstance(doc, list):
        raise FuncError("error unmarshaling JSON: json: cannot unmarshal object into Go value of type []interface {}")
    return json_floats(doc)


def _to_decimal(v: Any) -> Int64:
    """strconv.ParseInt(s, 8, 64), 0 on any error (no spaces, no underscores)."""
    s = strval(v)
    if not re.fullmatch(r"[+-]?[0-7]+", s):
        return Int64(0)
    n = int(s, 8)
    return Int64(n if -(2**63) <= n < 2**63 else 0)


def _atoi(v: Any) -> int:
    """Sprig's atoi is strconv.Atoi with the error dropped: decimal digits only, else 0."""
    s = arg_str(v)
    if not re.fullmatch(r"[+-]?[0-9]+", s):
        return 0
    n = int(s)
    return n if -(2**63) <= n < 2**63 else 0


def _to_int(v: Any) -> int:
    return to_int64(v)


def _to_int64(v: Any) -> Int64:
    return Int64(to_int64(v))


FUNCS: dict[str, Callable[..., Any]] = {
    "atoi": _atoi,
    "int": _to_int,
    "int64": _to_int64,
    "float64": to_float64,
    "toJson": lambda v: go_json(v),
    "mustToJson": lambda v: go_json(v),
    "toPrettyJson": lambda v: go_json(v, "  "),
    "mustToPrettyJson": lambda v: go_json(v, "  "),
    "toRawJson": lambda v: go_json(v, None, escape_html=False),
    "mustToRawJson": lambda v: go_json(v, None, escape_html=False),
    "fromJson": _from_json,
    "mustFromJson": _must_from_json,
    "toYaml": _to_yaml,
    "fromYaml": _from_yaml,
    "fromYamlArray": _from_yaml_array,
}
