"""text/template's builtin functions (Go's funcs.go), and the full function table."""
from __future__ import annotations

import unicodedata
import urllib.parse
from typing import Any, Callable

from renderer.gotemplate import argo, sprig
from renderer.gotemplate.args import arg_str
from renderer.gotemplate.errors import FuncError
from renderer.gotemplate.fmt import go_sprint, go_sprint_value
from renderer.gotemplate.printf import sprintf as go_sprintf
from renderer.gotemplate.values import MISSING, StrMap, Uint8, Uint64, go_kind, go_type, truth


def basic_kind(v: Any) -> str:
    """text/template's basicKind: the comparable kinds; anything else (nil, lists, maps,
    objects) is "invalid"."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (Uint64, Uint8)):
        return "uint"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, complex):
        return "complex"
    if isinstance(v, str):
        return "string"
    return "invalid"


def _is_nil(v: Any) -> bool:
    return v is None or v is MISSING


def _eq(a: Any, *bs: Any) -> bool:
    """Go's eq: basic values of one kind compare; nil equals only nil; other values of one
    kind compare where Go's == can (lists and maps cannot)."""
    if not bs:
        raise FuncError("missing argument for comparison")
    ka = basic_kind(a)
    for b in bs:
        kb = basic_kind(b)
        if {ka, kb} == {"int", "uint"}:  # Go compares integers across signedness
            if a == b:
                return True
            continue
        if ka != kb:
            if not _is_nil(a) and not _is_nil(b):
                raise FuncError(f"incompatible types for comparison: {go_type(a)} and {go_type(b)}")
            continue
        if ka != "invalid":
            if a == b:
                return True
            continue
        if not (_is_nil(a) or _is_nil(b) or go_kind(a) == go_kind(b)):
            raise FuncError(f"non-comparable types {go_sprintf('%s', a)}: {go_type(a)}, {go_type(b)}: {go_sprint_value(b)}")
        if _is_nil(a) or _is_nil(b):
            if _is_nil(a) == _is_nil(b):
                return True
            continue
        if isinstance(b, (list, tuple, dict)):
            raise FuncError(f"non-comparable type {go_sprintf('%s', b)}: {go_type(b)}")
        if a is b or (go_type(a) == go_type(b) and a == b):
            return True
    return False


def _ne(a: Any, b: Any) -> bool:
    return not _eq(a, b)


def _cmp(name: str) -> Callable[[Any, Any], bool]:
    def cmp(a: Any, b: Any) -> bool:
        ka, kb = basic_kind(a), basic_kind(b)
        if ka == "invalid" or kb == "invalid":
            raise FuncError("invalid type for comparison")
        if ka != kb and {ka, kb} != {"int", "uint"}:
            raise FuncError(f"incompatible types for comparison: {go_type(a)} and {go_type(b)}")
        if ka in ("bool", "complex"):
            raise FuncError("invalid type for comparison")
        return {"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[name]

    return cmp


def _len(v: Any) -> int:
    """Go's len: a nil held in an interface is a nil pointer; no value at all (MISSING, what
    a pipeline yields for nil) makes Go's reflection panic."""
    if isinstance(v, str):
        return len(v.encode("utf-8"))
    if isinstance(v, (list, tuple, dict, bytes)):
        return len(v)
    if v is MISSING:
        raise FuncError("reflect: call of reflect.Value.Type on zero Value")
    raise FuncError(f"len of type {go_type(v)}" if v is not None else "len of nil pointer")


def _index(item: Any, *indexes: Any) -> Any:
    """Go's index: a missing map key gives the element type's zero value (nil), which the
    next index then cannot go into."""
    if item is None or item is MISSING:
        raise FuncError("index of untyped nil")
    for ix in indexes:
        if item is None or item is MISSING:
            raise FuncError("index of nil pointer")
        if isinstance(item, dict):
            if ix is None or ix is MISSING:
                raise FuncError("value is nil; should be of type string")
            if not isinstance(ix, str):
                raise FuncError(f"value has type {go_type(ix)}; should be string")
            item = item.get(ix, "" if isinstance(item, StrMap) else None)
        elif isinstance(item, (list, tuple, str)):
            if ix is None or ix is MISSING:
                raise FuncError("cannot index slice/array with nil")
            if isinstance(ix, bool) or not isinstance(ix, int):
                raise FuncError(f"cannot index slice/array with type {go_type(ix)}")
            size = len(item if not isinstance(item, str) else item.encode("utf-8"))
            if ix < 0 or ix > size:
                raise FuncError(f"index out of range: {ix}")
            if ix == size:  # Go's bound check lets the length through; reflect's Index panics
                raise FuncError(f"reflect: {'string' if isinstance(item, str) else 'slice'} index out of range")
            item = item[ix] if not isinstance(item, str) else Uint8(item.encode("utf-8")[ix])
        else:
            raise FuncError(f"can't index item of type {go_type(item)}")
    return item


def _slice(item: Any, *idx: Any) -> Any:
    if not isinstance(item, (list, tuple, str)):
        raise FuncError(f"can't slice item of type {go_type(item)}")
    if len(idx) > 3 or (len(idx) == 3 and isinstance(item, str)):
        raise FuncError("too many slice indexes")
    n = len(item)
    ix = [int(i) for i in idx]
    start = ix[0] if ix else 0
    end = ix[1] if len(ix) > 1 else n
    if start < 0 or end < start or end > n:
        raise FuncError(f"index out of range: {end if end > n else start}")
    return item[start:end]


_JS_ESCAPES = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "=": "\\u003D"}


def _js(*args: Any) -> str:
    """template.JSEscapeString: quotes and HTML-significant characters escaped, control
    characters and non-printable runes (Go's unicode.IsPrint) as \\uXXXX."""
    out = []
    for ch in eval_args(args):
        if ch in _JS_ESCAPES:
            out.append(_JS_ESCAPES[ch])
        elif ch < " ":
            out.append(f"\\u00{ord(ch):02X}")
        elif ch >= "\x80" and not (ch == " " or unicodedata.category(ch)[0] in "LMNPS"):
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def eval_args(args: tuple[Any, ...]) -> str:
    """text/template's evalArgs (html, js, urlquery): a nil argument prints "<no value>"."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return go_sprint(*("<no value>" if a is None or a is MISSING else a for a in args))


def _html_escape(*args: Any) -> str:
    s = eval_args(args)
    return s.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("\0", "\ufffd")


def _urlquery(*args: Any) -> str:
    return urllib.parse.quote_plus(eval_args(args), safe="")


def _call(fn: Any, *args: Any) -> Any:
    return fn(*args)


# --------------------------------------------------------------------------------------
# Sprig
# --------------------------------------------------------------------------------------


BUILTINS: dict[str, Callable[..., Any]] = {
    "and": lambda *a: a[-1],
    "or": lambda *a: a[-1],
    "not": lambda a: not truth(a),
    "len": _len,
    "index": _index,
    "slice": _slice,
    "print": lambda *a: go_sprint(*a),
    "printf": lambda f, *a: go_sprintf(arg_str(f), *a),
    "println": lambda *a: " ".join(go_sprint_value(x) for x in a) + "\n",
    "eq": _eq,
    "ne": _ne,
    "lt": _cmp("lt"),
    "le": _cmp("le"),
    "gt": _cmp("gt"),
    "ge": _cmp("ge"),
    "html": _html_escape,
    "js": _js,
    "urlquery": _urlquery,
    "call": _call,
}

# builtins that see Go's difference between a nil in an interface (None) and no value (MISSING)
RAW_BUILTINS = frozenset(BUILTINS[name] for name in ("len", "index", "not", "eq", "ne", "lt", "le", "gt", "ge"))

FUNCS: dict[str, Callable[..., Any]] = {**BUILTINS, **sprig.FUNCS, **argo.FUNCS}
