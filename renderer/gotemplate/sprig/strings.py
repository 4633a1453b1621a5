"""Sprig's string functions, with Go's byte and rune rules."""
from __future__ import annotations

import re
from typing import Any, Callable

from renderer.gotemplate.errors import FuncError
from renderer.gotemplate.args import MAX_GENERATED, arg_int, arg_str, strslice, strval, to_int64
from renderer.gotemplate.fmt import go_quote
from renderer.gotemplate.values import StrList, StrMap
from renderer.gotemplate.sprig.offline import nondeterministic
from renderer.gotemplate.sprig.conv import _to_decimal
def _title(s: str) -> str:
    out: list[str] = []
    prev = " "
    for ch in arg_str(s):
        if _title_sep(prev):
            out.append(ch.title() if len(ch.title()) == 1 else ch.upper())
        else:
            out.append(ch)
        prev = ch
    return "".join(out)


def _title_sep(ch: str) -> bool:
    if ch.isascii():
        return not (ch.isalnum() or ch == "_")
    if ch.isalpha() or ch.isdigit():
        return False
    return ch.isspace()


def _wrap(width: Any, s: Any) -> str:
    width = arg_int(width)
    text = arg_str(s)
    if width < 1:
        width = 1
    lines = []
    for line in text.split("\n"):
        lines.append(_wrap_line(line, width))
    return "\n".join(lines)


def _wrap_line(s: str, width: int) -> str:
    out: list[str] = []
    cur = ""
    for word in s.split(" "):
        if not cur:
            cur = word
        elif len(cur) + 1 + len(word) <= width:
            cur += " " + word
        else:
            out.append(cur)
            cur = word
    out.append(cur)
    return "\n".join(out)


def _words(s: str) -> list[str]:
    """Split an identifier into words (xstrings-like)."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", s)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", s)
    return [w for w in re.split(r"[^A-Za-z0-9]+", s) if w]


def _snakecase(s: Any) -> str:
    return "_".join(w.lower() for w in _words(arg_str(s)))


def _kebabcase(s: Any) -> str:
    return "-".join(w.lower() for w in _words(arg_str(s)))


def _camelcase(s: Any) -> str:
    """xstrings.ToCamelCase: `_`/`-`/space separated words joined, each capitalised."""
    text = arg_str(s)
    parts = re.split(r"[_\-\s]+", text)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def _initials(s: Any) -> str:
    return "".join(w[0] for w in arg_str(s).split() if w)


def _abbrev(width: Any, s: Any) -> str:
    w = arg_int(width)
    text = arg_str(s)
    if w < 4 or len(text) <= w:
        return text
    return text[: w - 3] + "..."


def _trunc(c: Any, s: Any) -> str:
    n = arg_int(c)
    text = arg_str(s)
    if n < 0 and len(text) + n > 0:
        return text[len(text) + n :]
    if n >= 0 and len(text) > n:
        return text[:n]
    return text


def _substr(start: Any, end: Any, s: Any) -> str:
    a, b, text = arg_int(start), arg_int(end), arg_str(s)
    if a < 0:
        return text[:b]
    if b < 0 or b > len(text):
        return text[a:]
    return text[a:b]


def _split(sep: Any, s: Any) -> StrMap:
    parts = arg_str(s).split(arg_str(sep)) if arg_str(sep) else list(arg_str(s))
    return StrMap((f"_{i}", p) for i, p in enumerate(parts))


def _splitn(sep: Any, n: Any, s: Any) -> StrMap:
    k = arg_int(n)
    text, sp = arg_str(s), arg_str(sep)
    parts = text.split(sp, k - 1) if k > 0 else ([] if k == 0 else text.split(sp))
    return StrMap((f"_{i}", p) for i, p in enumerate(parts))


def _split_list(sep: Any, s: Any) -> StrList:
    text, sp = arg_str(s), arg_str(sep)
    return StrList(text.split(sp) if sp else list(text))


def _trim_all(cut: Any, s: Any) -> str:
    return arg_str(s).strip(arg_str(cut))


def _quote(*args: Any) -> str:
    return " ".join(go_quote(strval(a)) for a in args if a is not None)


def _squote(*args: Any) -> str:
    return " ".join("'" + strval(a) + "'" for a in args if a is not None)


def _cat(*args: Any) -> str:
    return " ".join(strval(a) for a in args if a is not None)


def _indent(n: Any, s: Any) -> str:
    pad = " " * arg_int(n)
    return pad + arg_str(s).replace("\n", "\n" + pad)


def _repeat(n: Any, s: Any) -> str:
    count, text = arg_int(n), arg_str(s)
    if count < 0:
        raise FuncError("strings: negative Repeat count")
    if count * len(text) > MAX_GENERATED:
        raise FuncError(f"repeat: {count * len(text)} characters is more than sluice generates ({MAX_GENERATED})")
    return text * count


FUNCS: dict[str, Callable[..., Any]] = {
    "upper": lambda s: arg_str(s).upper(),
    "lower": lambda s: arg_str(s).lower(),
    "title": _title,
    "untitle": lambda s: " ".join(w[:1].lower() + w[1:] for w in arg_str(s).split(" ")),
    "trim": lambda s: arg_str(s).strip(" \t\n\r\v\f\u0085\u00a0"),
    "trimAll": _trim_all,
    "trimall": _trim_all,
    "trimPrefix": lambda p, s: arg_str(s).removeprefix(arg_str(p)),
    "trimSuffix": lambda p, s: arg_str(s).removesuffix(arg_str(p)),
    "replace": lambda old, new, s: arg_str(s).replace(arg_str(old), arg_str(new)),
    "contains": lambda sub, s: arg_str(sub) in arg_str(s),
    "hasPrefix": lambda p, s: arg_str(s).startswith(arg_str(p)),
    "hasSuffix": lambda p, s: arg_str(s).endswith(arg_str(p)),
    "quote": _quote,
    "squote": _squote,
    "cat": _cat,
    "indent": _indent,
    "nindent": lambda n, s: "\n" + _indent(n, s),
    "trunc": _trunc,
    "abbrev": _abbrev,
    "abbrevboth": lambda left, right, s: _abbrev(right, arg_str(s)[arg_int(left) :]) if arg_int(left) > 0 else _abbrev(right, s),
    "repeat": _repeat,
    "substr": _substr,
    "nospace": lambda s: "".join(ch for ch in arg_str(s) if not ch.isspace()),
    "initials": _initials,
    "wrap": _wrap,
    "wrapWith": lambda n, sep, s: _wrap(n, s).replace("\n", arg_str(sep)),
    "plural": lambda one, many, n: arg_str(one) if to_int64(n) == 1 else arg_str(many),
    "snakecase": _snakecase,
    "kebabcase": _kebabcase,
    "camelcase": _camelcase,
    "swapcase": lambda s: arg_str(s).swapcase(),
    "shuffle": nondeterministic("shuffle"),
    "splitList": _split_list,
    "split": _split,
    "splitn": _splitn,
    "join": lambda sep, v: arg_str(sep).join(strslice(v)),
    "toString": strval,
    "toStrings": strslice,
    "toDecimal": _to_decimal,
}
