"""How large a value is once spelled out, counted only as far as a bound.

Why: a repository can make a small input produce a huge output by reference (a YAML alias,
a template variable, a `copy` patch, a replacement written to many fields). Every place
that multiplies a value checks what it would write against a budget first, and counting
stops as soon as the budget is passed, so the check itself costs at most the budget.
"""
from __future__ import annotations

from typing import Any

__all__ = ["bounded_size"]


def bounded_size(value: Any, cap: int) -> int:
    """The characters and elements `value` spells out (a string counts its length, a list
    or mapping its items and their contents), counted until `cap` is passed (then some
    number above it). Shared references count each time, as printing repeats them."""
    total, todo = 0, [value]
    while todo and total <= cap:
        v = todo.pop()
        if isinstance(v, (str, bytes)):
            total += len(v) + 1
        elif isinstance(v, dict):
            total += len(v) + 1
            todo.extend(v.keys())
            todo.extend(v.values())
        elif isinstance(v, (list, tuple)):
            total += len(v) + 1
            todo.extend(v)
        else:
            total += 1
    return total
