"""Sprig's list functions."""
from __future__ import annotations

from typing import Any, Callable

from renderer.gotemplate.args import arg_int, empty, need_list, strslice
def _uniq(lst: Any) -> list[Any]:
    out: list[Any] = []
    for x in need_list(lst, "uniq"):
        if x not in out:
            out.append(x)
    return out


def _without(lst: Any, *omit: Any) -> list[Any]:
    return [x for x in need_list(lst, "without") if x not in omit]


def _has(needle: Any, haystack: Any) -> bool:
    if haystack is None:
        return False
    return needle in need_list(haystack, "has")


def _seq(*args: Any) -> str:
    ns = [arg_int(a) for a in args]
    if len(ns) == 1:
        start, step, end = 1, 1, ns[0]
    elif len(ns) == 2:
        start, end = ns
        step = 1 if end >= start else -1
    elif len(ns) == 3:
        start, step, end = ns
    else:
        return ""
    out = []
    if step == 0:
        return ""
    i = start
    while (step > 0 and i <= end) or (step < 0 and i >= end):
        out.append(str(i))
        i += step
    return " ".join(out)


def _until_step(start: Any, stop: Any, step: Any) -> list[int]:
    a, b, s = arg_int(start), arg_int(stop), arg_int(step)
    if s == 0 or (s > 0 and a >= b) or (s < 0 and a <= b):
        return []
    return list(range(a, b, s))


def _append(lst: Any, v: Any) -> list[Any]:
    return need_list(lst, "append") + [v]


def _prepend(lst: Any, v: Any) -> list[Any]:
    return [v] + need_list(lst, "prepend")


def _concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for lst in lists:
        out.extend(need_list(lst, "concat"))
    return out


def _first(v: Any) -> Any:
    lst = need_list(v, "first")
    return lst[0] if lst else None


def _last(v: Any) -> Any:
    lst = need_list(v, "last")
    return lst[-1] if lst else None


def _sort_alpha(v: Any) -> list[str]:
    return sorted(strslice(v))


def _tuple(*args: Any) -> list[Any]:
    return list(args)


def _compact(v: Any) -> list[Any]:
    return [x for x in need_list(v, "compact") if not empty(x)]


def _reverse(v: Any) -> list[Any]:
    return list(reversed(need_list(v, "reverse")))


def _rest(v: Any) -> list[Any]:
    lst = need_list(v, "rest")
    return lst[1:] if lst else None  # type: ignore[return-value]


def _initial(v: Any) -> list[Any]:
    lst = need_list(v, "initial")
    return lst[:-1] if lst else None  # type: ignore[return-value]


FUNCS: dict[str, Callable[..., Any]] = {
    "list": _tuple,
    "tuple": _tuple,
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
    
    "seq": _seq,
    "until": lambda n: _until_step(0, n, 1 if arg_int(n) >= 0 else -1),
    "untilStep": _until_step,
}
