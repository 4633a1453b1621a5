"""The report's one JSON model: every page is drawn from it, `--output json` prints it.

Pure: bundles (and optionally a diff and a history) in, a JSON-ready dict out. Rows of the
fleet matrix are app directories (the same directory on every cluster's branch is the same
app); cells are one Application rendered for one cluster. Secret values are masked here,
before anything can show them.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Any, Iterable, Mapping

from ..core.resource import as_map
from ..fleet.bundle import AppBundle, Bundles
from .inventory import Image, charts, images
from .secrets import mask_diff, mask_resource

MODEL_VERSION = 1
_SKIPPED_APP = re.compile(r"^(?P<where>.*?): Application (?P<app>\S+) \((?P<by>[^)]*)\) not rendered: (?P<reason>.*)$", re.S)
_KEPT = re.compile(r"^(?P<where>.*?): kept for Flux, not inflated: (?P<reason>.*)$", re.S)
_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


def slug(text: str) -> str:
    """A file- and anchor-safe name (stable: the same text always gives the same slug)."""
    return _SLUG.sub("-", text).strip("-.") or "app"


def unique_slugs(names: Iterable[str], taken_slugs: Iterable[str] = ()) -> dict[str, str]:
    out: dict[str, str] = {}
    taken: set[str] = {s.lower() for s in taken_slugs}
    for name in names:
        base = candidate = slug(name)
        n = 2
        while candidate.lower() in taken:  # case-insensitive file systems
            candidate, n = f"{base}-{n}", n + 1
        taken.add(candidate.lower())
        out[name] = candidate
    return out


def row_name(app_dir: str, cluster: str) -> str:
    """The app an app directory is, across clusters: zero-config discovery names directories
    `<app>-<cluster>`, so the cluster's name comes off (prefix or suffix) to line them up."""
    for candidate in (app_dir.removesuffix(f"-{cluster}"), app_dir.removeprefix(f"{cluster}-")):
        if candidate and candidate != app_dir:
            return candidate
    return app_dir


def _documents(app: AppBundle) -> list[str]:
    """Each resource's YAML as written to the branch; Secrets re-emitted with values masked."""
    from ..core.yaml import dump_document

    texts = app.manifest.decode("utf-8").split("\n---\n") if app.resources else []
    if len(texts) != len(app.resources):
        texts = [dump_document(body) for body in app.resources]
    else:
        texts = [t if t.endswith("\n") else t + "\n" for t in texts]
    out = []
    for body, text in zip(app.resources, texts):
        masked = mask_resource(body)
        out.append(text if masked is body else dump_document(masked))
    return out


def _parse_note(note: str) -> dict[str, str]:
    match = _SKIPPED_APP.match(note)
    if match:
        return {"app": match["app"], "where": match["where"], "by": match["by"], "reason": match["reason"], "note": note}
    match = _KEPT.match(note)
    if match:
        return {"app": "", "where": match["where"], "by": "", "reason": "HelmRelease kept for Flux, not inflated: "
                + match["reason"], "note": note}
    return {"app": "", "where": "", "by": "", "reason": note, "note": note}


def _cell(app: AppBundle, cluster_slug: str, notes: list[str]) -> dict[str, Any]:
    resources: list[dict[str, Any]] = []
    found_images: dict[Image, None] = {}
    found_charts: dict[tuple[str, str], None] = {}
    source = getattr(getattr(app.target, "source", None), "chart", "")
    if source:
        found_charts[(source, app.target.source.chart_version or "*")] = None
    for i, (body, text) in enumerate(zip(app.resources, _documents(app))):
        meta = as_map(body.get("metadata"))
        resources.append({
            "apiVersion": str(body.get("apiVersion") or ""), "kind": str(body.get("kind") or ""),
            "namespace": str(meta.get("namespace") or ""), "name": str(meta.get("name") or ""),
            "anchor": f"r-{cluster_slug}-{i}", "images": [],
            "manifest": text,
        })
        for image in images(body):
            resources[-1]["images"].append(f"{image.repository}:{image.version}")
            found_images.setdefault(image)
        for chart in charts(body):
            found_charts.setdefault((chart.name, chart.version))
    digest = hashlib.sha256("".join(r["manifest"] for r in resources).encode()).hexdigest()
    return {
        "app": app.app, "appDir": app.app_dir, "branch": app.branch, "namespace": app.namespace or "", "origin": app.origin,
        "sourcePath": app.source_path, "digest": digest[:16], "variant": "",
        "resources": resources,
        "images": [{"repository": i.repository, "tag": i.tag, "digest": i.digest, "version": i.version} for i in found_images],
        "charts": [{"name": n, "version": v} for n, v in found_charts],
        "notes": notes,
    }


def _variants(cells: Mapping[str, dict[str, Any]]) -> None:
    """Letter the distinct renders of one app: clusters sharing a letter render identically."""
    letters: dict[str, str] = {}
    for cell in cells.values():
        if cell["digest"] not in letters:
            n = len(letters)
            letters[cell["digest"]] = chr(ord("A") + n) if n < 26 else f"V{n + 1}"
        cell["variant"] = letters[cell["digest"]]


def _versions(rows: list[dict[str, Any]], field: str, key: str) -> list[dict[str, Any]]:
    """Per image repository (or chart): which versions each cluster runs, and in which apps.
    `differs` when clusters do not all run the same set; a cell marked `odd` runs something
    other than what most clusters run (the one to look at)."""
    table: dict[str, dict[str, dict[str, list[str]]]] = {}
    for row in rows:
        for cluster, cell in row["clusters"].items():
            for item in cell[field]:
                table.setdefault(item[key], {}).setdefault(cluster, {}).setdefault(item["version"], []).append(row["appDir"])
    out = []
    for name in sorted(table):
        per_cluster = table[name]
        sets = {cluster: tuple(sorted(versions)) for cluster, versions in per_cluster.items()}
        common, _ = Counter(sets.values()).most_common(1)[0]
        out.append({
            key: name,
            "differs": len(set(sets.values())) > 1,
            "clusters": {
                cluster: {"odd": sets[cluster] != common,
                          "versions": [{"version": v, "apps": sorted(set(apps))} for v, apps in sorted(versions.items())]}
                for cluster, versions in sorted(per_cluster.items())
            },
        })
    return out


def _changes(diff: Any) -> dict[str, Any] | None:
    """`sluice diff`'s result as its JSON reporter writes it, Secret values masked."""
    if diff is None:
        return None
    data: dict[str, Any] = diff.to_dict() if hasattr(diff, "to_dict") else dict(diff)
    for cluster in data.get("clusters", []):
        for app in cluster.get("apps", []):
            app["slug"], app["row"] = "", app.get("appDir", "")
            for res in app.get("resources", []):
                if res.get("kind") == "Secret" and not res.get("group"):
                    res["diff"] = mask_diff(res.get("diff", ""))
    return data


def build_model(
    bundles: Bundles,
    *,
    changes: Any = None,
    history: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The report of a rendered fleet. `changes`: a `renderer.diff.compare.DiffResult` (or its dict);
    `history`: {"remote": ..., "branches": [...]} from `gather.read_history`."""
    clusters = bundles.clusters()
    cluster_slugs = unique_slugs(clusters)
    notes = [_parse_note(str(n)) for n in bundles.notes]
    kept: dict[str, list[str]] = {}
    for note in notes:
        if not note["app"] and note["where"]:
            kept.setdefault(note["where"], []).append(note["reason"])
    attached = set()
    rendered: dict[str, dict[str, AppBundle]] = {}
    for app in bundles.apps:
        rendered.setdefault(app.cluster, {})[app.app_dir] = app
    by_row: dict[str, dict[str, dict[str, Any]]] = {}
    row_of: dict[tuple[str, str], str] = {}
    for app in bundles.apps:
        name = row_name(app.app_dir, app.cluster)
        if name != app.app_dir and name in rendered[app.cluster]:
            name = app.app_dir  # the short name is another app of this cluster
        cell_notes = kept.get(app.origin, [])
        if cell_notes:
            attached.add(app.origin)
        row_of[(app.cluster, app.app_dir)] = name
        by_row.setdefault(name, {})[app.cluster] = _cell(app, cluster_slugs[app.cluster], cell_notes)
    app_slugs = unique_slugs(sorted(by_row))
    rows: list[dict[str, Any]] = []
    for name in sorted(by_row):
        cells = dict(sorted(by_row[name].items()))
        _variants(cells)
        rows.append({"appDir": name, "slug": app_slugs[name], "clusters": cells})

    change_data = _changes(changes)
    if change_data:
        for cluster in change_data["clusters"]:
            for app in cluster["apps"]:
                name = row_of.get((cluster["cluster"], app["appDir"]), row_name(app["appDir"], cluster["cluster"]))
                app["row"] = name
                app["slug"] = app_slugs.get(name, "")

    cluster_rows = []
    for cluster in clusters:
        in_cluster = [row["clusters"][cluster] for row in rows if cluster in row["clusters"]]
        cluster_rows.append({
            "name": cluster, "slug": cluster_slugs[cluster],
            "branches": sorted({c["branch"] for c in in_cluster}),
            "apps": len(in_cluster), "resources": sum(len(c["resources"]) for c in in_cluster),
        })
    image_rows = _versions(rows, "images", "repository")
    chart_rows = _versions(rows, "charts", "name")
    skipped = [n for n in notes if n["note"] in {str(s) for s in bundles.skipped} and n["where"] not in attached]
    other_notes = [n["note"] for n in notes if n["note"] not in {str(s) for s in bundles.skipped}]
    return {
        "version": MODEL_VERSION,
        "repoURL": bundles.repo_url or "",
        "drySha": bundles.dry_sha or "",
        "summary": {
            "clusters": len(clusters), "apps": len(rows), "deployments": len(bundles.apps),
            "resources": sum(len(a.resources) for a in bundles.apps), "skipped": len(bundles.skipped),
            "images": len(image_rows), "charts": len(chart_rows),
            "imagesDiffering": sum(1 for r in image_rows if r["differs"]),
            "chartsDiffering": sum(1 for r in chart_rows if r["differs"]),
        },
        "clusters": cluster_rows,
        "apps": rows,
        "skipped": skipped,
        "notes": other_notes,
        "warnings": list(bundles.warnings),
        "images": image_rows,
        "charts": chart_rows,
        "changes": change_data,
        "history": dict(history) if history is not None else None,
    }
