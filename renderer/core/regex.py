"""Regular expressions taken from user input, on a linear-time engine.

Python's `re` backtracks: a pattern such as `(a|aa)+` or a glob `*a*a*a*c` translated to
`.*a.*a.*a.*c` takes exponential or high-polynomial time on a short name. Every pattern a
repository supplies (globs, selectors, include/exclude) is compiled here, on RE2 (the
`google-re2` package: Go's regexp semantics, matching in time linear in the input).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["RegexError", "compile_user_regex"]

MAX_PATTERN = 64 * 1024
"""Longer than any pattern a person writes; bounds compile time and memory."""


class RegexError(ValueError):
    """A user pattern RE2 refuses (syntax it lacks, such as backreferences, or too big)."""


@lru_cache(maxsize=1024)
def compile_user_regex(pattern: str, *, dotall: bool = False, ignorecase: bool = False) -> Any:
    """The compiled RE2 pattern (`.fullmatch`, `.search`, `.match` as in `re`)."""
    if len(pattern) > MAX_PATTERN:
        raise RegexError(f"pattern longer than {MAX_PATTERN} characters")
    import re2  # google-re2; imported on first use so that commands needing no pattern start without it

    options = re2.Options()
    options.log_errors = False
    options.dot_nl = dotall
    options.case_sensitive = not ignorecase
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise RegexError(detail) from None
