"""Sprig's string functions, with Go's byte and rune rules."""
from __future__ import annotations

from typing import Any, Callable

from renderer.gotemplate.errors import FuncError
from renderer.gotemplate.args import MAX_GENERATED, arg_int, arg_str, check_generated, strslice, strval, to_int64
from renderer.gotemplate.fmt import go_quote
from renderer.gotemplate.values import StrList, StrMap
from renderer.gotemplate.sprig import casing
from renderer.gotemplate.sprig.basedec import go_string
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


def wrap_custom(text: str, width: int, newline: str, long_words: bool) -> str:
    """goutils.WrapCustom (Sprig's wrap and wrapWith), on bytes as Go's is: break at the
    last space that keeps a line within `width` bytes; a longer word is cut (`long_words`)
    or left whole up to the next space. An empty `newline` is "\\n"; newlines already in
    the text count as ordinary characters."""
    raw = text.encode("utf-8")
    if not raw:
        return ""
    nl = (newline or "\n").encode("utf-8")
    width = max(width, 1)
    n, off = len(raw), 0
    out = bytearray()
    while n - off > width:
        if len(out) > MAX_GENERATED:
            raise FuncError(f"wrap: more than the {MAX_GENERATED} bytes sluice generates")
        if raw[off] == 0x20:
            off += 1
            continue
        at = raw.rfind(b" ", off, off + width + 1)
        if at >= off:
            out += raw[off:at] + nl
            off = at + 1
        elif long_words:
            out += raw[off:off + width] + nl
            off += width
        else:
            nxt = raw.find(b" ", off + width)
            if nxt < 0:
                out += raw[off:]
                off = n
            else:
                out += raw[off:nxt] + nl
                off = nxt + 1
    out += raw[off:]
    return go_string(bytes(out))


def _nospace(s: Any) -> str:
    """goutils.DeleteWhiteSpace works on bytes: each byte that is not white space as a
    rune is kept as the rune of that value (so "é" becomes "Ã©")."""
    return "".join(chr(b) for b in arg_str(s).encode("utf-8") if not casing.is_space(chr(b)))


def _trim_space(s: str) -> str:
    """strings.TrimSpace: Go's Unicode white space at both ends."""
    a, b = 0, len(s)
    while a < b and casing.is_space(s[a]):
        a += 1
    while b > a and casing.is_space(s[b - 1]):
        b -= 1
    return s[a:b]


def _initials(s: Any) -> str:
    """goutils.Initials goes byte by byte: the first byte after white space, as the rune of
    that value (so "é" gives "Ã"); a byte that is a space rune (0x85, 0xA0) is a gap."""
    out, gap = [], True
    for b in arg_str(s).encode("utf-8"):
        ch = chr(b)
        if casing.is_space(ch):
            gap = True
        elif gap:
            out.append(ch)
            gap = False
    return "".join(out)


def abbreviate_full(text: str, offset: int, width: int) -> str:
    """goutils.AbbreviateFull on the string's bytes (it may cut a rune in two); its
    errors come out as "" because Sprig drops them."""
    raw = text.encode("utf-8")
    if not raw:
        return ""
    if width < 4:
        return ""
    if len(raw) <= width:
        return text
    offset = min(offset, len(raw))
    if len(raw) - offset < width - 3:
        offset = len(raw) - (width - 3)
    if offset <= 4:
        return go_string(raw[: width - 3]) + "..."
    if width < 7:
        return ""
    if offset + width - 3 < len(raw):
        return "..." + abbreviate_full(go_string(raw[offset:]), 0, width - 3)
    return "..." + go_string(raw[len(raw) - (width - 3) :])


def _abbrev(width: Any, s: Any) -> str:
    w, text = arg_int(width), arg_str(s)
    return text if w < 4 else abbreviate_full(text, 0, w)


def _abbrevboth(left: Any, right: Any, s: Any) -> str:
    a, b, text = arg_int(left), arg_int(right), arg_str(s)
    if b < 4 or (a > 0 and b < 7):
        return text
    return abbreviate_full(text, a, b)


def _bounds(raw: bytes, start: int | None, end: int | None) -> str:
    """s[start:end] on a Go string's bytes, with Go's panics for bad bounds."""
    a = 0 if start is None else start
    b = len(raw) if end is None else end
    if end is not None and not 0 <= b <= len(raw):
        raise FuncError(f"runtime error: slice bounds out of range [:{b}] with length {len(raw)}")
    if not 0 <= a <= b:
        raise FuncError(f"runtime error: slice bounds out of range [{a}:{b}]")
    return go_string(raw[a:b])


def _trunc(c: Any, s: Any) -> str:
    """Sprig's trunc counts bytes (it may cut a rune in two)."""
    n, text = arg_int(c), arg_str(s)
    raw = text.encode("utf-8")
    if n < 0 and len(raw) + n > 0:
        return go_string(raw[len(raw) + n :])
    if n >= 0 and len(raw) > n:
        return go_string(raw[:n])
    return text


def _substr(start: Any, end: Any, s: Any) -> str:
    """Sprig's substr: byte offsets; Go's slice panics surface as errors."""
    a, b, raw = arg_int(start), arg_int(end), arg_str(s).encode("utf-8")
    if a < 0:
        return _bounds(raw, None, b)
    if b < 0 or b > len(raw):
        return _bounds(raw, a, None)
    return _bounds(raw, a, b)


def _split(sep: Any, s: Any) -> StrMap:
    parts = arg_str(s).split(arg_str(sep)) if arg_str(sep) else list(arg_str(s))
    return StrMap((f"_{i}", p) for i, p in enumerate(parts))


def _splitn(sep: Any, n: Any, s: Any) -> StrMap:
    """strings.SplitN: an empty separator splits between characters, the last part
    keeping the rest."""
    k = arg_int(n)
    text, sp = arg_str(s), arg_str(sep)
    if k == 0:
        parts: list[str] = []
    elif not sp:
        chars = list(text)
        parts = chars if k < 0 or k >= len(chars) else chars[:k - 1] + ["".join(chars[k - 1:])]
    else:
        parts = text.split(sp, k - 1) if k > 0 else text.split(sp)
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
    count, text = arg_int(n), arg_str(s)
    if count < 0:
        raise FuncError("strings: negative Repeat count")
    check_generated(count * (text.count("\n") + 1) + len(text), "indent")
    pad = " " * count
    return pad + text.replace("\n", "\n" + pad)


def _replace_text(old: Any, new: Any, s: Any) -> str:
    old_s, new_s, text = arg_str(old), arg_str(new), arg_str(s)
    if len(new_s) > len(old_s):  # "" is found between every two characters
        found = len(text) + 1 if not old_s else text.count(old_s)
        check_generated(len(text) + found * (len(new_s) - len(old_s)), "replace")
    return text.replace(old_s, new_s)


def _join(sep: Any, v: Any) -> str:
    parts, glue = strslice(v), arg_str(sep)
    check_generated(sum(len(p) for p in parts) + len(glue) * max(len(parts) - 1, 0), "join")
    return glue.join(parts)


def _wrap_with(n: Any, sep: Any, s: Any) -> str:
    text, width, glue = arg_str(s), arg_int(n), arg_str(sep)
    # a break goes at a space or a line end, or every `width` characters of a long word
    breaks = text.count(" ") + text.count("\n") + len(text) // max(width, 1) + 1
    check_generated(len(text) + breaks * len(glue), "wrapWith")
    return wrap_custom(text, width, glue, True)


def _repeat(n: Any, s: Any) -> str:
    count, text = arg_int(n), arg_str(s)
    if count < 0:
        raise FuncError("strings: negative Repeat count")
    if count * len(text) > MAX_GENERATED:
        raise FuncError(f"repeat: {count * len(text)} characters is more than sluice generates ({MAX_GENERATED})")
    return text * count


FUNCS: dict[str, Callable[..., Any]] = {
    "upper": lambda s: casing.upper(arg_str(s)),
    "lower": lambda s: casing.lower(arg_str(s)),
    "title": _title,
    "untitle": lambda s: " ".join(w[:1].lower() + w[1:] for w in arg_str(s).split(" ")),
    "trim": lambda s: _trim_space(arg_str(s)),
    "trimAll": _trim_all,
    "trimall": _trim_all,
    "trimPrefix": lambda p, s: arg_str(s).removeprefix(arg_str(p)),
    "trimSuffix": lambda p, s: arg_str(s).removesuffix(arg_str(p)),
    "replace": _replace_text,
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
    "abbrevboth": _abbrevboth,
    "repeat": _repeat,
    "substr": _substr,
    "nospace": _nospace,
    "initials": _initials,
    "wrap": lambda n, s: wrap_custom(arg_str(s), arg_int(n), "", False),
    "wrapWith": _wrap_with,
    "plural": lambda one, many, n: arg_str(one) if to_int64(n) == 1 else arg_str(many),
    "snakecase": lambda s: casing.lower_words(arg_str(s), "_"),
    "kebabcase": lambda s: casing.lower_words(arg_str(s), "-"),
    "camelcase": lambda s: casing.pascal_case(arg_str(s)),
    "swapcase": lambda s: casing.swapcase(arg_str(s)),
    "shuffle": nondeterministic("shuffle"),
    "splitList": _split_list,
    "split": _split,
    "splitn": _splitn,
    "join": _join,
    "toString": strval,
    "toStrings": strslice,
    "toDecimal": _to_decimal,
}
