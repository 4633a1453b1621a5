"""Regular expressions written by users (target selectors, image names, list matchers) run
on RE2, as Go's regexp does: linear time whatever the pattern, Go's syntax and semantics
(`$` only at the end of the text, no backreferences or lookaround)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2

from ..core.errors import InputError

__all__ = ["GoRegex", "compile_go", "anchored"]

GoRegex = Any  # a compiled re2 pattern (the package ships no type stubs)

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # errors are reported to the user, not logged to stderr


def _go_rejects(pattern: str) -> str | None:
    """What Go's parser refuses that RE2 in C++ accepts: `\\C` (match any byte)."""
    i = 0
    while i < len(pattern) - 1:
        if pattern[i] == "\\":
            if pattern[i + 1] == "C":
                return "invalid escape sequence: `\\C`"
            i += 2
            continue
        i += 1
    return None


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> tuple[GoRegex | None, str]:
    problem = _go_rejects(pattern)
    if problem:
        return None, problem
    try:
        return re2.compile(pattern, options=_OPTIONS), ""
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        return None, reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


def compile_go(pattern: str, *, what: str, file: str | None) -> GoRegex:
    """`pattern` compiled as Go's regexp.Compile would; an InputError naming `file` and the
    field (`what`) when Go would refuse it. Use `.search(text)` for Go's MatchString."""
    compiled, reason = _compile(pattern)
    if compiled is None:
        raise InputError(f"invalid regular expression {pattern!r} in {what}: {reason}", file=file)
    return compiled


def anchored(pattern: str, *, what: str, file: str | None) -> GoRegex | None:
    """kustomize's anchorRegex: the whole value must match; None for an empty pattern."""
    if not pattern:
        return None
    compiled, reason = _compile("^(?:" + pattern + ")$")
    if compiled is None:
        raise InputError(f"invalid regular expression {pattern!r} in {what}: {reason}", file=file)
    return compiled
