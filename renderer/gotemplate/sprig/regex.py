"""Sprig's regular-expression functions: RE2 (google-re2) with Go's `regexp` rules.

RE2 gives Go's syntax and linear time (POSIX classes, `\\p{Han}`, ASCII `\\d \\w \\s`, `$`
only at the very end); the iteration over matches is Go's own, not Python's: an empty
match right after a previous match is skipped, in finding, replacing and splitting alike.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterator

import re2

from renderer.gotemplate.args import arg_int, arg_str, check_generated
from renderer.gotemplate.errors import FuncError
from renderer.gotemplate.printf import can_backquote, quote
from renderer.gotemplate.values import StrList

_GROUP_REF = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


# RE2's words for a syntax error, as Go's regexp/syntax says them
_GO_SYNTAX_ERRORS = {
    "no argument for repetition operator": "missing argument to repetition operator",
    "missing )": "missing closing )",
    "missing ]": "missing closing ]",
    "invalid repetition size": "invalid repeat count",
    "bad repetition operator": "invalid nested repetition operator",
    "invalid named capture group": "invalid named capture",
    "invalid perl operator": "invalid or unsupported Perl syntax",
    "pattern too large - compile failed": "expression too large",
}


class RegexpError(FuncError):
    """A pattern Go's regexp/syntax refuses, worded as its syntax.Error."""


def _compile(regex: Any) -> Any:
    try:
        return re2.compile(arg_str(regex))
    except re2.error as e:
        raw = e.args[0] if e.args else ""
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        if text.startswith("trailing \\"):
            code, arg = "trailing backslash at end of expression", ""
        else:
            code, _, arg = text.partition(": ")
            code = _GO_SYNTAX_ERRORS.get(code, code)
        raise RegexpError(f"error parsing regexp: {code}: `{arg}`") from None


def _panicking(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Sprig's non-must regex functions compile with regexp.MustCompile, whose panic names
    the pattern before the syntax error."""

    def call(regex: Any, *rest: Any) -> Any:
        try:
            return fn(regex, *rest)
        except RegexpError as e:
            pattern = arg_str(regex)
            shown = f"`{pattern}`" if can_backquote(pattern) else quote(pattern)
            raise FuncError(f"regexp: Compile({shown}): {e}") from None

    return call


def _matches(r: Any, s: str, n: int = -1) -> Iterator[Any]:
    """Go's allMatches: successive matches, skipping an empty one that abuts the last."""
    pos, found, prev_end = 0, 0, -1
    while (n < 0 or found < n) and pos <= len(s):
        m = r.search(s, pos)
        if m is None:
            return
        start, end = m.span()
        accept = True
        if end == pos:  # an empty match
            if start == prev_end:
                accept = False
            pos += 1
        else:
            pos = end
        prev_end = end
        if accept:
            found += 1
            yield m


def _expand(template: str, m: Any) -> str:
    """Go's Regexp.Expand: $1, $name, ${name}, $$; unknown groups expand to nothing."""
    out: list[str] = []
    i = 0
    while i < len(template):
        j = template.find("$", i)
        if j < 0:
            out.append(template[i:])
            break
        out.append(template[i:j])
        if template.startswith("$$", j):
            out.append("$")
            i = j + 2
            continue
        ref = _GROUP_REF.match(template, j)
        if not ref:
            out.append("$")
            i = j + 1
            continue
        name = ref.group(1) or ref.group(2)
        i = ref.end()
        try:
            group = m.group(int(name)) if name.isdigit() else m.group(name)
        except (IndexError, KeyError, ValueError, re2.error):
            group = None
        out.append(group or "")
    return "".join(out)


def _replace(regex: Any, s: Any, repl: Callable[[Any], str]) -> str:
    """Go's replaceAll: a match is replaced unless it is empty and abuts the previous one."""
    r, text = _compile(regex), arg_str(s)
    out: list[str] = []
    last_end = search = size = 0
    while search <= len(text):
        m = r.search(text, search)
        if m is None:
            break
        start, end = m.span()
        out.append(text[last_end:start])
        if end > last_end or start == 0:
            out.append(repl(m))
            size += len(out[-1])  # an empty match between every character multiplies the replacement
            check_generated(size + len(text), "regexReplaceAll")
        last_end = end
        search = search + 1 if search + 1 > end else end
    out.append(text[last_end:])
    return "".join(out)


def _replace_all(regex: Any, s: Any, repl: Any) -> str:
    template = arg_str(repl)
    return _replace(regex, s, lambda m: _expand(template, m))


def _replace_all_literal(regex: Any, s: Any, repl: Any) -> str:
    literal = arg_str(repl)
    return _replace(regex, s, lambda _m: literal)


def _find_all(regex: Any, s: Any, n: Any) -> StrList:
    r, text, k = _compile(regex), arg_str(s), arg_int(n)
    return StrList(m.group(0) for m in _matches(r, text, k))


def _find(regex: Any, s: Any) -> str:
    m = _compile(regex).search(arg_str(s))
    return m.group(0) if m else ""


def _split(regex: Any, s: Any, n: Any) -> StrList:
    """Go's Regexp.Split."""
    r, text, k = _compile(regex), arg_str(s), arg_int(n)
    if k == 0:
        return StrList()
    if r.pattern and not text:
        return StrList([""])
    parts = StrList()
    beg = end = 0
    for m in _matches(r, text, k):
        if k > 0 and len(parts) == k - 1:
            break
        end = m.start()
        if m.end() != 0:
            parts.append(text[beg:end])
        beg = m.end()
    if end != len(text):
        parts.append(text[beg:])
    return parts


def _match(regex: Any, s: Any) -> bool:
    try:
        return _must_match(regex, s)
    except FuncError:
        return False


def _must_match(regex: Any, s: Any) -> bool:
    return _compile(regex).search(arg_str(s)) is not None


def _quote_meta(s: Any) -> str:
    return re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", arg_str(s))


FUNCS: dict[str, Callable[..., Any]] = {
    "regexMatch": _match,
    "mustRegexMatch": _must_match,
    "regexFind": _panicking(_find),
    "mustRegexFind": _find,
    "regexFindAll": _panicking(_find_all),
    "mustRegexFindAll": _find_all,
    "regexReplaceAll": _panicking(_replace_all),
    "mustRegexReplaceAll": _replace_all,
    "regexReplaceAllLiteral": _panicking(_replace_all_literal),
    "mustRegexReplaceAllLiteral": _replace_all_literal,
    "regexSplit": _panicking(_split),
    "mustRegexSplit": _split,
    "regexQuoteMeta": _quote_meta,
}
