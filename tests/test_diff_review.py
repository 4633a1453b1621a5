"""`sluice diff` for reviewers: shared changes shown once with the list of where, caps per
resource that never drop a cluster and count what they hide, both sides labelled alike,
errors that say which side failed, and --cluster/--app on render, diff and verify."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renderer.cli import main
from renderer.diff.compare import Revision, compare_bundles, diff_revisions
from renderer.diff.reporters import report_json, report_markdown, report_text
from renderer.fleet.bundle import AppBundle, Bundles
from gitrepos import FIXED_DATE, demo_repo, git, isolated_git_env  # noqa: F401 - fixtures


def deployment(name: str, image: str, replicas: int = 2, env: int = 0) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "main", "image": image}
    if env:
        container["env"] = [{"name": f"VAR_{i}", "value": str(i)} for i in range(env)]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "shop"},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [container]}}}}


def app(cluster: str, name: str, *resources: dict[str, Any]) -> AppBundle:
    return AppBundle(cluster=cluster, app=f"{cluster}-{name}", app_dir=name, branch=f"hydrated/{cluster}",
                     source_path=name, origin=f"apps/{cluster}/{name}.yaml", files={}, resources=tuple(resources))


def fleet(tag: str, *, big_env: int = 0, extra: bool = False) -> Bundles:
    """Three clusters, four services each; the services' image tag is `tag`."""
    apps = []
    for cluster in ("dev", "prod", "staging"):
        for service in ("cart", "orders", "search", "web"):
            resources = [deployment(service, f"ghcr.io/example/{service}:{tag}" if service != "search" else "ghcr.io/example/search:7")]
            if service == "web" and cluster == "prod":
                resources.append(deployment("web-big", "ghcr.io/example/web:1", env=big_env))
            if extra and cluster == "dev" and service == "cart":
                resources.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "flags", "namespace": "shop"},
                                  "data": {"beta": "on"}})
            apps.append(app(cluster, service, *resources))
    return Bundles(apps=tuple(apps))


BASE_REV = Revision("main", "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d")
HEAD_REV = Revision("HEAD", "5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80")


def review_result() -> Any:
    return compare_bundles(fleet("1.0", big_env=5), fleet("1.1", big_env=60, extra=True),
                           base_label=BASE_REV.label, head_label=HEAD_REV.label,
                           base_revision=BASE_REV, head_revision=HEAD_REV)


def test_labels_read_alike() -> None:
    assert BASE_REV.label == "main (1a2b3c4)" and HEAD_REV.label == "HEAD (5d6e7f8)"
    assert Revision("working tree", "5d6e7f8091", worktree=True).label == "working tree (on 5d6e7f8)"


def test_image_bump_in_many_deployments_is_one_shared_change() -> None:
    result = review_result()
    # cart, orders and web bumped in three clusters each; search did not change
    assert [sorted(str(m) for m in g.members) for g in result.groups] == [
        [f"{c}/{s}: Deployment.apps shop/{s}" for c in ("dev", "prod", "staging")] for s in ("cart", "orders", "web")]
    cart = result.groups[0]
    assert "-      - image: ghcr.io/example/cart:1.0" in cart.hunks and not cart.hunks.startswith("---")
    text = report_text(result)
    assert text.count("shared change #1, the same in 3 resources") == 1
    assert text.count("+      - image: ghcr.io/example/cart:1.1") == 1  # shown once, not three times


def test_json_is_uncapped_and_marks_shared_changes() -> None:
    data = json.loads(report_json(review_result()))
    assert data["baseRevision"]["label"] == "main (1a2b3c4)"
    assert [len(g["resources"]) for g in data["sharedChanges"]] == [3, 3, 3]
    prod = next(c for c in data["clusters"] if c["cluster"] == "prod")
    web = next(a for a in prod["apps"] if a["appDir"] == "web")
    big = next(r for r in web["resources"] if r["name"] == "web-big")
    assert "sharedChange" not in big and big["diff"].count("\n") > 100  # json keeps every line
    assert next(r for r in web["resources"] if r["name"] == "web")["sharedChange"] == 3


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_reporters_snapshot(fmt: str, snapshot: Any) -> None:
    result = review_result()
    out = {"text": lambda: report_text(result, max_lines=40),
           "markdown": lambda: report_markdown(result, max_lines=40),
           "json": lambda: report_json(result)}[fmt]()
    assert out == snapshot


def test_markdown_small_limit_keeps_every_cluster_and_counts_what_it_hides(snapshot: Any) -> None:
    result = review_result()
    md = report_markdown(result, max_bytes=1500)
    assert len(md.encode()) <= 1500
    for cluster in ("dev", "prod", "staging"):
        assert f"| {cluster} |" in md
    assert md == snapshot


@settings(max_examples=30, deadline=None)
@given(limit=st.integers(min_value=1000, max_value=40000), lines=st.sampled_from([None, 5, 40, 200]))
def test_hidden_counts_match_what_is_missing(limit: int, lines: int | None) -> None:
    """Whatever the limit: the output fits, no cluster is missing, and the note's counts are
    what the layout left out (diff lines cut + lines still shown = every diff line)."""
    result = review_result()
    md = report_markdown(result, max_bytes=limit, max_lines=lines)
    assert len(md.encode()) <= limit
    for cluster in result.clusters:
        assert f"| {cluster.cluster} |" in md
    markers = [int(n) for n in re.findall(r"\.\.\. (\d+) more line\(s\) of this diff not shown", md)]
    note = re.search(r"(\d+) diff line\(s\) cut from (\d+) resource", md)
    if markers:
        assert note and int(note.group(1)) == sum(markers) and int(note.group(2)) == len(markers)
    else:
        assert note is None
    omitted = re.search(r"the diffs of (\d+) resource", md)
    if omitted:  # web-big and the new ConfigMap are the only changes outside a shared change
        assert int(omitted.group(1)) == 2
    shared = re.search(r"the diffs of (\d+) shared change", md)
    if shared:
        assert int(shared.group(1)) == len(result.groups)


# -- real repositories -----------------------------------------------------------------------


def commit(repo: Path, message: str) -> str:
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", message, cwd=repo, env=FIXED_DATE)
    return git("rev-parse", "HEAD", cwd=repo)


def test_filters_narrow_diff_render_and_verify(demo_repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    base_file = demo_repo / "base/web/deployment.yaml"
    base_file.write_text(base_file.read_text().replace("value: http://api", "value: http://api:8080"))
    commit(demo_repo, "API port")
    result = diff_revisions(demo_repo, "HEAD~1", "HEAD")
    assert [c.cluster for c in result.clusters] == ["production", "staging"]
    assert len(result.groups) == 1 and len(result.groups[0].members) == 2  # the same change in both clusters
    assert main(["diff", str(demo_repo), "--base", "HEAD~1", "--head", "HEAD", "--cluster", "stag*", "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["cluster"] for c in data["clusters"]] == ["staging"] and data["filters"] == ["--cluster=stag*"]
    out = tmp_path / "bundles"
    assert main(["render", str(demo_repo), "--out", str(out), "--cluster", "production", "--app", "web", "-o", "json"]) == 0
    rendered = json.loads(capsys.readouterr().out)
    assert {(a["cluster"], a["path"]) for a in rendered["apps"]} == {("production", "web")}
    assert main(["verify", str(demo_repo), "--app", "*-api", "-o", "json"]) in (0, 1)
    verified = json.loads(capsys.readouterr().out)
    assert verified["targets"] and all(t.endswith("/api") for t in verified["targets"])
    assert main(["render", str(demo_repo), "--out", str(out), "--cluster", "nowhere"]) == 2
    err = capsys.readouterr().err
    assert "no target matches --cluster=nowhere" in err and "Traceback" not in err
    assert main(["diff", str(demo_repo), "--base", "HEAD", "--app", "["]) == 2
    assert "--app '[': not a valid glob" in capsys.readouterr().err


def test_an_error_says_which_side_failed(demo_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kustomization = demo_repo / "overlays/staging/web/kustomization.yaml"
    good = kustomization.read_text()
    kustomization.write_text("resources: [missing]\n")
    commit(demo_repo, "Broken")
    assert main(["diff", str(demo_repo), "--base", "HEAD~1", "--head", "HEAD"]) == 2
    err = capsys.readouterr().err
    short = git("rev-parse", "--short=7", "HEAD", cwd=demo_repo)
    assert f"(rendering the head, HEAD ({short}))" in err and "overlays/staging/web" in err and "Traceback" not in err
    kustomization.write_text(good)
    commit(demo_repo, "Fixed")
    assert main(["diff", str(demo_repo), "--base", "HEAD~2"]) == 0  # the working tree is the fixed HEAD
    capsys.readouterr()
    assert main(["diff", str(demo_repo), "--base", "no-such-branch"]) == 2
    assert "--base no-such-branch: unknown git revision" in capsys.readouterr().err
    assert main(["diff", str(demo_repo), "--base", "HEAD~2", "--head", "HEAD~1"]) == 2
    assert "(rendering the head, HEAD~1 (" in capsys.readouterr().err
    assert main(["diff", str(demo_repo), "--base", "HEAD~1", "--head", "HEAD"]) == 2
    assert "(rendering the base, HEAD~1 (" in capsys.readouterr().err
