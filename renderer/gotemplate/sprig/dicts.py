"""Sprig's dict functions."""
from __future__ import annotations

from typing import Any, Callable

from renderer.gotemplate.values import MISSING, StrList, go_type
from renderer.gotemplate.args import arg_str, copy_value, deep_copy, empty, need_map, strval
from renderer.gotemplate.errors import FuncError


def _deep_merge(dst: dict[str, Any], src: dict[str, Any], overwrite: bool) -> None:
    """mergo's map merge (Sprig's merge; mergeOverwrite with WithOverride): maps in both
    merge; a nil is copied only when overwriting; otherwise an element is taken when
    overwriting or where dst has none or an empty one."""
    for k, v in src.items():
        if v is None or v is MISSING:
            if overwrite:
                dst[k] = None
            continue
        has = k in dst
        d = dst.get(k)
        if isinstance(v, dict) and isinstance(d, dict):
            _deep_merge(d, v, overwrite)
        elif overwrite or not has or empty(d):
            dst[k] = copy_value(v)


def _merge(dst: Any, *srcs: Any) -> dict[str, Any]:
    d = need_map(dst)
    for s in srcs:
        _deep_merge(d, need_map(s), False)
    return d


def _merge_overwrite(dst: Any, *srcs: Any) -> dict[str, Any]:
    d = need_map(dst)
    for s in srcs:
        _deep_merge(d, need_map(s), True)
    return d


def _assert_type(v: Any, want: str) -> Any:
    """Go's type assertion v.(T) on an interface {}: a panic naming both types."""
    have = "nil" if v is None or v is MISSING else go_type(v)
    if have != want:
        raise FuncError(f"interface conversion: interface {{}} is {have}, not {want}")
    return v


def _dig(*args: Any) -> Any:
    """Sprig's dig: the map and the keys asserted to their types, then a walk that
    returns the default at a missing key and panics at a non-map on the way."""
    if len(args) < 3:
        raise FuncError("dig needs at least three arguments")
    keys, default, m = args[:-2], args[-2], args[-1]
    cur: Any = _assert_type(m, "map[string]interface {}")
    names = [_assert_type(k, "string") for k in keys]
    for i, k in enumerate(names):
        if i:
            cur = _assert_type(cur, "map[string]interface {}")
        if k not in cur:
            return default
        cur = cur[k]
    return cur


def _set(d: Any, k: Any, v: Any) -> dict[str, Any]:
    m = need_map(d)
    m[arg_str(k)] = v
    return m


def _unset(d: Any, k: Any) -> dict[str, Any]:
    m = need_map(d)
    m.pop(arg_str(k), None)
    return m


def _get(d: Any, k: Any) -> Any:
    m = need_map(d)
    return m.get(arg_str(k), "")


def _pluck(name: Any, *dicts: Any) -> list[Any]:
    key = arg_str(name)
    maps = [need_map(d) for d in dicts]  # Go: ...map[string]interface{}
    return [m[key] for m in maps if key in m]


def _pick(d: Any, *keys: Any) -> dict[str, Any]:
    m = need_map(d)
    return {k: m[k] for k in keys if k in m}


def _omit(d: Any, *keys: Any) -> dict[str, Any]:
    m = need_map(d)
    return {k: v for k, v in m.items() if k not in keys}


def _keys(*dicts: Any) -> StrList:
    """Sprig's keys come in Go's random map order; sluice sorts them, to stay deterministic."""
    out: list[str] = []
    for d in dicts:
        out.extend(need_map(d).keys())
    return StrList(sorted(out))


def _values(d: Any) -> list[Any]:
    m = need_map(d)
    return [m[k] for k in sorted(m)]


def _dict(*kv: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(0, len(kv), 2):
        k = strval(kv[i])
        out[k] = kv[i + 1] if i + 1 < len(kv) else ""
    return out


FUNCS: dict[str, Callable[..., Any]] = {
    "dict": _dict,
    "get": _get,
    "set": _set,
    "unset": _unset,
    "hasKey": lambda d, k: arg_str(k) in need_map(d),
    "keys": _keys,
    "values": _values,
    "pluck": _pluck,
    "pick": _pick,
    "omit": _omit,
    "merge": _merge,
    "mustMerge": _merge,
    "mergeOverwrite": _merge_overwrite,
    "mustMergeOverwrite": _merge_overwrite,
    "dig": _dig,
    "deepCopy": deep_copy,
    "mustDeepCopy": deep_copy,
}
