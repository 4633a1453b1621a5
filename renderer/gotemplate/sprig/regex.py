"""Sprig's regular-expression functions."""
from __future__ import annotations

import re
from typing import Any, Callable

from renderer.gotemplate.args import arg_int, arg_str
from renderer.gotemplate.errors import FuncError
def _re(regex: str) -> re.Pattern[str]:
    try:
        return re.compile(arg_str(regex))
    except re.error as e:
        raise FuncError(f"error parsing regexp: {e}") from None


def _go_repl(repl: str) -> Callable[[re.Match[str]], str]:
    def expand(m: re.Match[str]) -> str:
        out: list[str] = []
        i = 0
        while i < len(repl):
            c = repl[i]
            if c != "$":
                out.append(c)
                i += 1
                continue
            if repl.startswith("$$", i):
                out.append("$")
                i += 2
                continue
            mm = re.match(r"\$\{([A-Za-z0-9_]+)\}|\$([A-Za-z0-9_]+)", repl[i:])
            if not mm:
                out.append("$")
                i += 1
                continue
            name = mm.group(1) or mm.group(2)
            i += mm.end()
            try:
                g = m.group(int(name)) if name.isdigit() else m.group(name)
            except (IndexError, re.error):
                g = ""
            out.append(g or "")
        return "".join(out)

    return expand


def _split_n(regex: str, s: str, n: int) -> list[str]:
    r = _re(regex)
    s = arg_str(s)
    n = arg_int(n)
    if n == 0:
        return []
    if regex and len(s) == 0:
        return [""]
    parts = r.split(s) if r.groups == 0 else re.compile(r.pattern.replace("(", "(?:")).split(s)
    if n > 0 and len(parts) > n:
        # rejoin the tail
        idx = [m for m in r.finditer(s)]
        cut = idx[n - 2].end() if n >= 2 else 0
        parts = parts[: n - 1] + [s[cut:]]
    return parts


def _regex_find_all(regex: Any, s: Any, n: Any) -> list[str]:
    r, text, k = _re(regex), arg_str(s), arg_int(n)
    found = [m.group(0) for m in r.finditer(text)]
    return found if k < 0 else found[:k]


def _regex_find(regex: Any, s: Any) -> str:
    m = _re(regex).search(arg_str(s))
    return m.group(0) if m else ""


def _regex_replace_all(regex: Any, s: Any, repl: Any) -> str:
    return _re(regex).sub(_go_repl(arg_str(repl)), arg_str(s))


def _regex_replace_all_literal(regex: Any, s: Any, repl: Any) -> str:
    r = arg_str(repl)
    return _re(regex).sub(lambda _m: r, arg_str(s))


def _regex_match(regex: Any, s: Any) -> bool:
    try:
        return _re(regex).search(arg_str(s)) is not None
    except FuncError:
        return False


def _must_regex_match(regex: Any, s: Any) -> bool:
    return _re(regex).search(arg_str(s)) is not None


FUNCS: dict[str, Callable[..., Any]] = {
    "regexMatch": _regex_match,
    "mustRegexMatch": _must_regex_match,
    "regexFind": _regex_find,
    "mustRegexFind": _regex_find,
    "regexFindAll": _regex_find_all,
    "mustRegexFindAll": _regex_find_all,
    "regexReplaceAll": _regex_replace_all,
    "mustRegexReplaceAll": _regex_replace_all,
    "regexReplaceAllLiteral": _regex_replace_all_literal,
    "mustRegexReplaceAllLiteral": _regex_replace_all_literal,
    "regexSplit": _split_n,
    "mustRegexSplit": _split_n,
    "regexQuoteMeta": lambda s: re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", arg_str(s)),
}
