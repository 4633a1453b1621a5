"""Writes the report's static site from the model: jinja2 templates and static files kept in
this package, no CDN and no network, every link relative (file://, CI artifacts, Pages)."""
from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from ..core.errors import InputError
from .model import unique_slugs

MARKER = ".sluice-report"  # a directory holding it is ours to replace
ROWS_PER_PAGE = 100
STATIC = ("report.css", "report.js", "compare.js", "search.js")
_SHARED = ("static/report.css", "static/report.js")
_EXTRA = {"apps/": ("static/compare.js",), "search.html": ("search-index.js", "static/search.js")}


@dataclass(frozen=True, slots=True)
class SiteStats:
    """What was written, and what a browser loads per page (HTML plus its scripts and styles)."""

    files: int
    pages: int
    total_bytes: int
    largest_page: str
    largest_page_bytes: int
    median_page_bytes: int


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("renderer.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def _pages(rows: list[Any], size: int) -> list[list[Any]]:
    return [rows[i:i + size] for i in range(0, len(rows), size)] or [[]]


def _matrix_name(n: int) -> str:
    return "index.html" if n == 1 else f"matrix-{n}.html"


def _compare_pair(row: dict[str, Any]) -> tuple[str, str]:
    """Two clusters to compare first: the first that render differently, else the first two."""
    names = list(row["clusters"])
    if len(names) < 2:
        return (names[0], names[0]) if names else ("", "")
    first = row["clusters"][names[0]]["variant"]
    other = next((n for n in names[1:] if row["clusters"][n]["variant"] != first), names[1])
    return names[0], other


def search_index(model: dict[str, Any]) -> dict[str, Any]:
    """The compact index search.js filters: positions into shared tables keep it small."""
    clusters = [c["name"] for c in model["clusters"]]
    cluster_at = {name: i for i, name in enumerate(clusters)}
    kinds = sorted({r["kind"] for row in model["apps"] for cell in row["clusters"].values() for r in cell["resources"]})
    kind_at = {k: i for i, k in enumerate(kinds)}
    images: dict[str, int] = {}
    rows = []
    for a, row in enumerate(model["apps"]):
        for cluster, cell in row["clusters"].items():
            for r in cell["resources"]:
                refs = [images.setdefault(ref, len(images)) for ref in r["images"]]
                rows.append([a, cluster_at[cluster], kind_at[r["kind"]], r["namespace"], r["name"], r["anchor"], refs])
    return {"clusters": clusters, "kinds": kinds, "images": list(images),
            "apps": [[row["appDir"], row["slug"]] for row in model["apps"]], "resources": rows}


def _render_all(model: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """(relative path, text) of every generated file."""
    env = _environment()
    cluster_slugs = {c["name"]: c["slug"] for c in model["clusters"]}
    if model["changes"] is not None:  # a cluster the change removes whole is only in the base
        gone = [c["cluster"] for c in model["changes"]["clusters"] if c["cluster"] not in cluster_slugs]
        cluster_slugs.update(unique_slugs(gone, cluster_slugs.values()))
    app_slugs = {row["appDir"]: row["slug"] for row in model["apps"]}
    changed = set()
    if model["changes"] is not None:
        changed = {(c["cluster"], a["row"]) for c in model["changes"]["clusters"] for a in c["apps"]}
    common = {"model": model, "cluster_slugs": cluster_slugs, "app_slugs": app_slugs, "changed": changed}

    pages = _pages(model["apps"], ROWS_PER_PAGE)
    hrefs = [_matrix_name(n) for n in range(1, len(pages) + 1)]
    matrix = env.get_template("matrix.html.j2")
    app_page = env.get_template("app.html.j2")
    for n, rows in enumerate(pages, start=1):
        yield hrefs[n - 1], matrix.render(common, root="", section="matrix", rows=rows, page=n, pages=hrefs)
        for row in rows:
            yield f"apps/{row['slug']}.html", app_page.render(
                common, root="../", section="matrix", row=row, matrix_href=hrefs[n - 1], compare_pair=_compare_pair(row))
    yield "versions.html", env.get_template("versions.html.j2").render(common, root="", section="versions")
    if model["changes"] is not None:
        yield "changes.html", env.get_template("changes.html.j2").render(common, root="", section="changes")
        per_cluster = env.get_template("changes_cluster.html.j2")
        for cluster in model["changes"]["clusters"]:
            slug = cluster_slugs[cluster["cluster"]]
            yield f"changes/{slug}.html", per_cluster.render(common, root="../", section="changes", cluster=cluster)
    if model["history"] is not None:
        yield "history.html", env.get_template("history.html.j2").render(common, root="", section="history")
    index = search_index(model)
    yield "search.html", env.get_template("search.html.j2").render(common, root="", section="search", kinds=index["kinds"])
    yield "search-index.js", "window.SLUICE_INDEX = " + json.dumps(index, separators=(",", ":")) + ";\n"
    yield "report.json", json.dumps(model, indent=1, sort_keys=False) + "\n"
    for name in STATIC:
        yield f"static/{name}", resources.files("renderer.report").joinpath("static", name).read_text("utf-8")


def _stats(sizes: dict[str, int]) -> SiteStats:
    weights = {}
    for path, size in sizes.items():
        if not path.endswith(".html"):
            continue
        extra = [*_SHARED, *(f for prefix, files in _EXTRA.items() if path.startswith(prefix) for f in files)]
        weights[path] = size + sum(sizes.get(f, 0) for f in extra)
    largest = max(weights, key=lambda p: weights[p])
    return SiteStats(files=len(sizes), pages=len(weights), total_bytes=sum(sizes.values()), largest_page=largest,
                     largest_page_bytes=weights[largest], median_page_bytes=int(statistics.median(weights.values())))


def _check_target(out: Path) -> None:
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise InputError(f"{out} exists and is not a sluice report; give --out a new or empty directory")


def write_site(model: dict[str, Any], out: str | os.PathLike[str]) -> SiteStats:
    """Write the site into `out` whole: built beside it, then swapped in (a failure leaves
    the previous report in place). Returns sizes for the page-weight figures."""
    target = Path(out).absolute()
    _check_target(target)
    sizes: dict[str, int] = {}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".sluice-report-", dir=target.parent))
    except OSError as exc:  # named as the user gave it, not as the scratch directory beside it
        raise InputError(f"cannot write the report to {target}: {exc.strerror or exc}") from None
    try:
        for rel, text in _render_all(model):
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            data = text.encode("utf-8")
            path.write_bytes(data)
            sizes[rel] = len(data)
        (tmp / MARKER).write_text("written by sluice report; this directory is replaced on the next run\n")
        old = None
        if target.exists():
            old = target.with_name(tmp.name + ".old")
            target.rename(old)
        tmp.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return _stats(sizes)
