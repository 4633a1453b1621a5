"""References in a chart's values.schema.json, kept inside the schema.

Why: Helm validates values with a JSON Schema library that loads whatever a `$ref` (or
`$dynamicRef`, `$recursiveRef`, an unknown `$schema`) names: `file:///etc/...`, a path
relative to the schema (resolved from the file system root), an http(s) URL. A pull
request's chart could so read a file outside the repository (the validation error then
quotes what it found there) or reach a network address from CI. sluice renders offline
within the repository: before either engine renders, every schema of the chart and its
subcharts (packaged ones too) may only refer inside itself (`#...`) and name a standard
meta-schema; anything else is an input error naming the schema file.
"""
from __future__ import annotations

import json
import os
from typing import Any, Iterator

from ..core.errors import RenderError
from .archive import archive_files

SCHEMA_FILE = "values.schema.json"
REF_KEYS = ("$ref", "$dynamicRef", "$recursiveRef")
META_SCHEMAS = frozenset(
    f"{scheme}://json-schema.org/{path}{hash_}"
    for scheme in ("http", "https")
    for path in ("schema", "draft-03/schema", "draft-04/schema", "draft-06/schema", "draft-07/schema",
                 "draft/2019-09/schema", "draft/2020-12/schema")
    for hash_ in ("", "#")
)


def _schemas(chart: str) -> Iterator[tuple[str, bytes]]:
    """(path shown, content) of every values.schema.json of a chart directory or archive,
    its subcharts' included (unpacked or packaged)."""
    if os.path.isdir(chart):
        for directory, dirs, files in os.walk(chart):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(directory, name)
                rel = os.path.relpath(path, chart).replace(os.sep, "/")
                if name == SCHEMA_FILE and not os.path.islink(path):
                    with open(path, "rb") as fh:
                        yield rel, fh.read()
                elif name.endswith(".tgz") and os.path.basename(directory) == "charts" and os.path.isfile(path):
                    yield from _archive_schemas(path, rel)
    elif os.path.isfile(chart):
        yield from _archive_schemas(chart, os.path.basename(chart))


def _archive_schemas(source: str | bytes, shown: str, depth: int = 0) -> Iterator[tuple[str, bytes]]:
    files = archive_files(source, shown)
    for rel in sorted(files):
        if rel == SCHEMA_FILE or rel.endswith("/" + SCHEMA_FILE):
            yield f"{shown}:{rel}", files[rel]
    if depth < 4:  # packaged subcharts inside a packaged chart
        for rel in sorted(files):
            if rel.endswith(".tgz") and rel.rpartition("/")[0].rpartition("/")[2] == "charts":
                yield from _archive_schemas(files[rel], f"{shown}:{rel}", depth + 1)


def _outward(doc: Any) -> Iterator[tuple[str, str]]:
    """(keyword, value) of every reference in `doc` that leaves the document."""
    todo = [doc]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in REF_KEYS and isinstance(value, str) and not value.startswith("#"):
                    yield key, value
                elif key == "$schema" and isinstance(value, str) and value not in META_SCHEMAS:
                    yield key, value
                else:
                    todo.append(value)
        elif isinstance(node, list):
            todo.extend(node)


def check_schema_references(chart: str | os.PathLike[str], shown: str | None = None) -> None:
    """Raise RenderError when a values.schema.json of `chart` refers outside itself."""
    chart = os.fspath(chart)
    for rel, data in _schemas(chart):
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError):
            continue  # Helm reports a schema that does not parse
        for key, value in _outward(doc):  # a RenderError: the callers name the chart by its repository path
            raise RenderError(
                f"chart {shown or chart}: {rel}: {key} {value!r} leads outside the schema; sluice renders offline "
                "within the repository, so a chart's schema may only refer inside itself ('#/...') and name a "
                "standard meta-schema")


__all__ = ["check_schema_references"]
