"""Go's text/template with Sprig, as Argo CD's ApplicationSet controller runs it.

Laid out like Go's package: `lex` (text to tokens), `parse` (tokens to nodes), `exec`
(nodes against data), `funcs` (the builtins and the function table), `fmt` (Go's
printing), `sprig/` (Sprig's functions by family) and `argo` (Argo CD's additions).
Values are the plain Python values of parsed YAML/JSON; functions that would read the
clock, randomness or the environment raise instead (sluice is offline and deterministic).

    render("{{ .name | upper }}", {"name": "x"}) == "X"
    Template(text, options=["missingkey=error"]).execute(data)

Errors are `TemplateError`s whose text follows Go's (`template: NAME:LINE:COL: ...`).
"""
from __future__ import annotations

from renderer.gotemplate.argo import sanitize_name, slugify
from renderer.gotemplate.errors import BudgetExceeded, TemplateError
from renderer.gotemplate.exec import DEFAULT_MAX_OUTPUT, DEFAULT_MAX_STEPS, Template, render
from renderer.gotemplate.fmt import go_sprint, go_sprint_value
from renderer.gotemplate.printf import sprintf as go_sprintf
from renderer.gotemplate.funcs import FUNCS

__all__ = [
    "DEFAULT_MAX_OUTPUT", "DEFAULT_MAX_STEPS", "BudgetExceeded", "FUNCS", "Template", "TemplateError", "go_sprint", "go_sprint_value", "go_sprintf", "render", "sanitize_name",
    "slugify",
]
