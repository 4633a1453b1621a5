"""Go's glob matching (path.Match, filepath.Match), which Flux and kustomize use: one
translation to an RE2 pattern (linear time, see renderer/regex.py) for every caller."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .regex import RegexError, compile_user_regex

__all__ = ["glob_regex", "go_match"]


@lru_cache(maxsize=4096)
def glob_regex(pattern: str) -> Any | None:
    """Go's path.Match / filepath.Match as a regular expression: `*` and `?` stay within a
    path segment, `[...]` classes (`^` negates), `\\` escapes; None for a malformed
    pattern, which Go reports as ErrBadPattern (callers treat it as no match)."""
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\":
            i += 1
            if i >= n:
                return None
            out.append(re.escape(pattern[i]))
        elif ch == "[":
            j = i + 1
            negate = j < n and pattern[j] == "^"
            if negate:
                j += 1
            items: list[str] = []
            while True:
                if j >= n:
                    return None
                if pattern[j] == "]" and items:
                    break
                lo = pattern[j]
                if lo == "\\":
                    j += 1
                    if j >= n:
                        return None
                    lo = pattern[j]
                elif lo in "-]":
                    return None
                j += 1
                if j < n and pattern[j] == "-":
                    j += 1
                    if j >= n:
                        return None
                    hi = pattern[j]
                    if hi == "\\":
                        j += 1
                        if j >= n:
                            return None
                        hi = pattern[j]
                    j += 1
                    items.append(re.escape(lo) + "-" + re.escape(hi))
                else:
                    items.append(re.escape(lo))
            cls = "".join(items)
            out.append(f"[^/{cls}]" if negate else f"[{cls}]")
            i = j
        else:
            out.append(re.escape(ch))
        i += 1
    try:
        return compile_user_regex("".join(out), dotall=True)
    except RegexError:
        return None


def go_match(pattern: str, name: str) -> bool:
    """Whether `name` matches `pattern` as Go's path.Match says (a malformed one: no)."""
    rx = glob_regex(pattern)
    return rx is not None and rx.fullmatch(name) is not None
