"""Sprig's list functions: any Go slice in, `[]interface {}` out; nil panics as in Sprig."""
from __future__ import annotations

from typing import Any, Callable

from renderer.gotemplate.args import MAX_GENERATED, NIL_DEREFERENCE, arg_int, empty, need_list, strslice, strval, to_int64
from renderer.gotemplate.errors import FuncError
from renderer.gotemplate.values import MISSING, IntList, ListList, StrList, go_equal, go_kind


def _list(*args: Any) -> list[Any]:
    return list(args)


def _first(v: Any) -> Any:
    lst = need_list(v, "first")
    return lst[0] if lst else None


def _last(v: Any) -> Any:
    lst = need_list(v, "last")
    return lst[-1] if lst else None


def _rest(v: Any) -> list[Any]:
    return need_list(v, "rest")[1:]


def _initial(v: Any) -> list[Any]:
    return need_list(v, "initial")[:-1]


def _uniq(v: Any) -> list[Any]:
    out: list[Any] = []
    for x in need_list(v, "uniq"):
        if not any(go_equal(x, y) for y in out):
            out.append(x)
    return out


def _without(v: Any, *omit: Any) -> list[Any]:
    return [x for x in need_list(v, "without") if not any(go_equal(x, o) for o in omit)]


def _has(needle: Any, haystack: Any) -> bool:
    if haystack is None or haystack is MISSING:
        return False
    return any(go_equal(needle, x) for x in need_list(haystack, "has"))


def _compact(v: Any) -> list[Any]:
    return [x for x in need_list(v, "compact") if not empty(x)]


def _append(v: Any, x: Any) -> list[Any]:
    return need_list(v, "push") + [x]


def _prepend(v: Any, x: Any) -> list[Any]:
    return [x] + need_list(v, "prepend")


def _concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for lst in lists:
        if lst is None or lst is MISSING:
            raise FuncError(NIL_DEREFERENCE)
        if not isinstance(lst, (list, tuple)):
            raise FuncError(f"Cannot concat type {go_kind(lst)} as list")
        out.extend(lst)
    return out


def _reverse(v: Any) -> list[Any]:
    return list(reversed(need_list(v, "reverse")))


def _chunk(size: Any, v: Any) -> list[list[Any]]:
    n = arg_int(size)
    lst = need_list(v, "chunk")
    if n <= 0:
        raise FuncError("runtime error: integer divide by zero")
    return ListList(lst[i : i + n] for i in range(0, len(lst), n))


def _slice(v: Any, *idx: Any) -> Any:
    """Sprig's slice/mustSlice: indexes through cast.ToInt, the slice's own type kept, an
    empty list gives nil, reflect's bounds check."""
    if v is None or v is MISSING:
        raise FuncError(NIL_DEREFERENCE)
    if not isinstance(v, (list, tuple)):
        raise FuncError(f"list should be type of slice or array but {go_kind(v)}")
    if not v:
        return None
    start = to_int64(idx[0]) if idx else 0
    end = to_int64(idx[1]) if len(idx) > 1 else len(v)
    if not 0 <= start <= end <= len(v):
        raise FuncError("reflect.Value.Slice: slice index out of bounds")
    part = v[start:end]
    return type(v)(part) if isinstance(v, (StrList, IntList)) else list(part)


def _sort_alpha(v: Any) -> StrList:
    if isinstance(v, (list, tuple)):
        return StrList(sorted(strslice(v)))  # code point order is UTF-8 byte order
    return StrList([strval(None if v is MISSING else v)])


def until_step(start: Any, stop: Any, step: Any) -> IntList:
    a, b, s = arg_int(start), arg_int(stop), arg_int(step)
    if (s > 0 and a >= b) or (s < 0 and a <= b) or s == 0:
        return IntList()
    r = range(a, b, s)
    if len(r) > MAX_GENERATED:
        raise FuncError(f"untilStep: {len(r)} elements is more than sluice generates ({MAX_GENERATED})")
    return IntList(r)


def _until(n: Any) -> IntList:
    count = arg_int(n)
    return until_step(0, count, 1 if count >= 0 else -1)


def _seq(*args: Any) -> str:
    """Sprig's seq, bash-like: `seq 3` is "1 2 3", `seq 0` is "1 0"."""
    ns = [arg_int(a) for a in args]
    if len(ns) == 1:
        inc = -1 if ns[0] < 1 else 1
        nums = until_step(1, ns[0] + inc, inc)
    elif len(ns) == 2:
        inc = -1 if ns[1] < ns[0] else 1
        nums = until_step(ns[0], ns[1] + inc, inc)
    elif len(ns) == 3:
        start, step, end = ns
        inc = 1
        if end < start:
            inc = -1
            if step > 0:
                return ""
        nums = until_step(start, end + inc, step)
    else:
        return ""
    return " ".join(str(i) for i in nums)


FUNCS: dict[str, Callable[..., Any]] = {
    "list": _list,
    "tuple": _list,
    "first": _first,
    "mustFirst": _first,
    "last": _last,
    "mustLast": _last,
    "rest": _rest,
    "mustRest": _rest,
    "initial": _initial,
    "mustInitial": _initial,
    "uniq": _uniq,
    "mustUniq": _uniq,
    "without": _without,
    "mustWithout": _without,
    "has": _has,
    "mustHas": _has,
    "compact": _compact,
    "mustCompact": _compact,
    "append": _append,
    "push": _append,
    "mustAppend": _append,
    "mustPush": _append,
    "prepend": _prepend,
    "mustPrepend": _prepend,
    "concat": _concat,
    "reverse": _reverse,
    "mustReverse": _reverse,
    "chunk": _chunk,
    "mustChunk": _chunk,
    "mustSlice": _slice,
    "slice": _slice,
    "sortAlpha": _sort_alpha,
    "seq": _seq,
    "until": _until,
    "untilStep": until_step,
}
