"""Where a document of a Helm render comes from: its template file in the repository, and a line.

`helm template` heads every document with `# Source: <chart>/<path in the chart>` (a
subchart's as `<chart>/charts/<sub>/...`, the crds/ files as `<chart>/crds/...`). With
the chart's directory in the repository that path names a repository file. A chart read
from the chart cache (an archive), or a subchart Helm found only inside an archive or
vendored from elsewhere, has no repository file: its documents take the origin of what
asked for the chart (the HelmRelease, the Application, the kustomization's `helmCharts`
entry), handed in as `fallback`.

The line is the start of the template's document that rendered it, found without running
anything again: the template text is cut at its `---` separator lines into documents,
each starting on the line after its separator (line 1 for the first); the n-th rendered
document of kind K from a template is the template's n-th document whose top-level
`kind: K` is written literally (the last such document when a loop renders more than the
template spells out). A template that spells no `kind: K` (a templated kind) gives line 1.
Helm sorts a render by kind, keeping the order within a kind, so this holds for both
engines' output.
"""
from __future__ import annotations

import bisect
import functools
import posixpath
import re
from typing import Any, Iterable

from ..core.errors import RenderError, SluiceError
from ..core.fs import RepoFS, join
from ..core.resource import Origin, Placed
from ..core.yaml import load_documents_with_lines

__all__ = ["Sourced", "sourced_documents", "place_chart_documents", "template_line"]

Sourced = tuple[dict[str, Any], str]
"""A rendered document and the `# Source:` path Helm printed above it ("" when none)."""

_SOURCE = re.compile(r"(?m)^# Source: (.+?)[ \t]*$")
_SEPARATOR = re.compile(r"(?m)^---")
_KIND = re.compile(r"""(?m)^kind:[ \t]*["']?([A-Za-z0-9]+)["']?[ \t]*(?:#.*)?$""")


def sourced_documents(text: str, chart: str) -> list[Sourced]:
    """The documents of `helm template` output, each with its `# Source:` path."""
    try:
        docs = load_documents_with_lines(text, f"helm template {chart}")
    except SluiceError as exc:
        raise RenderError(f"chart {chart}: rendered output is not valid YAML: {exc}") from None
    heads = [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in _SOURCE.finditer(text)]
    lines = [line for line, _ in heads]
    out: list[Sourced] = []
    for doc, line in docs:
        if not isinstance(doc, dict):
            raise RenderError(f"chart {chart}: a rendered document is not a mapping: {doc!r:.80}")
        at = bisect.bisect_right(lines, line) - 1
        out.append((doc, heads[at][1] if at >= 0 else ""))
    return out


@functools.lru_cache(maxsize=1024)
def _template_documents(text: str) -> tuple[tuple[int, frozenset[str]], ...]:
    """(start line, literal top-level kinds) of each `---`-separated document of a template."""
    starts = [1] + [text.count("\n", 0, m.start()) + 2 for m in _SEPARATOR.finditer(text)]
    bounds = [0] + [m.start() for m in _SEPARATOR.finditer(text)] + [len(text)]
    out = []
    for i, start in enumerate(starts):
        chunk = text[bounds[i]:bounds[i + 1]]
        if chunk.strip():
            out.append((start, frozenset(_KIND.findall(chunk))))
    return tuple(out)


def template_line(text: str, kind: str, ordinal: int) -> int:
    """The line where the `ordinal`-th (0-based) document of `kind` a template renders is
    written (see the module docstring); 1 when the template does not spell the kind."""
    candidates = [start for start, kinds in _template_documents(text) if kind in kinds]
    if not candidates:
        return 1
    return candidates[min(ordinal, len(candidates) - 1)]


def place_chart_documents(docs: Iterable[Sourced], fs: RepoFS | None, chart_dir: str | None,
                          fallback: Origin) -> list[Placed]:
    """Each rendered document with its origin: the template file under the repository
    chart directory `chart_dir` and its line, or `fallback` (a chart that is no
    repository directory, a template not found there)."""
    seen: dict[tuple[str, str], int] = {}
    out: list[Placed] = []
    for doc, source in docs:
        out.append(Placed(doc, _place(fs, chart_dir, doc, source, seen) or fallback))
    return out


def _place(fs: RepoFS | None, chart_dir: str | None, doc: dict[str, Any], source: str,
           seen: dict[tuple[str, str], int]) -> Origin | None:
    if fs is None or chart_dir is None or "/" not in source:
        return None
    inside = posixpath.normpath(source.split("/", 1)[1])
    if inside.startswith("../") or inside == "..":
        return None
    path = join(chart_dir, inside)
    if not fs.is_file(path):
        return None
    kind = str(doc.get("kind") or "")
    ordinal = seen.get((source, kind), 0)
    seen[(source, kind)] = ordinal + 1
    try:
        text = fs.read_text(path)
    except SluiceError:
        return Origin(path, 0)
    return Origin(path, template_line(text, kind, ordinal))
