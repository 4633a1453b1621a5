"""The interpreter's exceptions: one public error, and the internal signals functions raise."""
from __future__ import annotations


class TemplateError(Exception):
    """A parse or execution error, worded as Go's text/template words it."""

    def __init__(self, message: str, *, line: int | None = None, col: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


class BudgetExceeded(TemplateError):
    """An execution went over its step or output budget (bounded work)."""


class FuncError(Exception):
    """Raised by a template function: reported as `error calling NAME: MSG`."""


class ArgError(Exception):
    """A value of the wrong type passed to a typed function parameter (Go's reflection)."""
