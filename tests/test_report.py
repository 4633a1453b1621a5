"""`sluice report`: the JSON model and the static site, from real renders of real trees."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from renderer.cli import main
from renderer.diff.compare import render_tree
from renderer.core.errors import InputError
from renderer.report import build_model, write_site
from renderer.report.inventory import Image, charts, images
from renderer.report.model import row_name
from renderer.report.secrets import MASK, mask_diff, mask_resource
from gitrepos import DEMO_FILES, FIXED_DATE, demo_repo, git, isolated_git_env, make_bare  # noqa: F401 - fixtures
from reportsite import NETWORK_URL, broken_links, site_text

REPO_ROOT = Path(__file__).resolve().parent.parent
SECRET_VALUE = "hunter2-do-not-print"
SECRET_YAML = f"""apiVersion: v1
kind: Secret
metadata:
  name: api-credentials
stringData:
  password: {SECRET_VALUE}
  config.ini: |
    user = admin
    token = {SECRET_VALUE}-too
data:
  key: {__import__("base64").b64encode(SECRET_VALUE.encode()).decode()}
"""


def demo_copy(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    root.mkdir()
    for name in DEMO_FILES:
        src = REPO_ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
    return root


def add_secret(root: Path) -> None:
    """A plaintext Secret in the staging api overlay (the report must never show its values)."""
    (root / "overlays/staging/api/secret.yaml").write_text(SECRET_YAML)
    kustomization = root / "overlays/staging/api/kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("  - ../../../base/api\n", "  - ../../../base/api\n  - secret.yaml\n"))


def test_demo_model_snapshot(tmp_path: Path, snapshot) -> None:  # type: ignore[no-untyped-def]
    model = build_model(render_tree(demo_copy(tmp_path)))
    assert model == snapshot


def test_model_matrix_versions_and_variants(tmp_path: Path) -> None:
    model = build_model(render_tree(demo_copy(tmp_path)))
    assert [c["name"] for c in model["clusters"]] == ["production", "staging"]
    assert [row["appDir"] for row in model["apps"]] == ["api", "platform", "web", "worker"]
    web = next(row for row in model["apps"] if row["appDir"] == "web")
    assert web["clusters"]["staging"]["app"] == "staging-web"
    assert {c["variant"] for c in web["clusters"].values()} == {"A", "B"}
    kinds = [r["kind"] for r in web["clusters"]["production"]["resources"]]
    assert "Deployment" in kinds and "Ingress" in kinds
    api_image = next(row for row in model["images"] if row["repository"] == "ghcr.io/example/shop-api")
    assert api_image["differs"] is True
    assert api_image["clusters"]["staging"]["versions"] == [{"version": "2.4.0-rc.1", "apps": ["api"]}]
    assert api_image["clusters"]["production"]["versions"][0]["version"] == "2.3.1"
    assert model["changes"] is None and model["history"] is None


def test_rows_line_up_directories_named_after_their_cluster() -> None:
    assert row_name("svc001-cluster03", "cluster03") == "svc001"
    assert row_name("staging-api", "staging") == "api"
    assert row_name("api", "staging") == "api"
    assert row_name("staging", "staging") == "staging"


def test_image_references_and_charts() -> None:
    assert Image.parse("registry:5000/team/app:1.2@sha256:ab") == Image("registry:5000/team/app", "1.2", "sha256:ab")
    assert Image.parse("registry:5000/team/app") == Image("registry:5000/team/app", "", "")
    assert Image.parse("nginx@sha256:ab").version == "@sha256:ab"
    job = {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {
        "initContainers": [{"name": "i", "image": "busybox:1.36"}], "containers": [{"name": "c", "image": "app:2"}]}}}}}}
    assert [i.repository for i in images(job)] == ["app", "busybox"] or [i.repository for i in images(job)] == ["busybox", "app"]
    labelled = {"kind": "Deployment", "metadata": {"labels": {"helm.sh/chart": "ingress-nginx-4.10.0-beta.1"}}}
    assert [(c.name, c.version) for c in charts(labelled)] == [("ingress-nginx", "4.10.0-beta.1")]
    release = {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
               "spec": {"chart": {"spec": {"chart": "podinfo", "version": "6.5.0"}}}}
    assert [(c.name, c.version) for c in charts(release)] == [("podinfo", "6.5.0")]


def test_secret_values_masked_in_resources_and_diffs() -> None:
    body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"a": "c2VjcmV0"}, "stringData": {"b": "x"}}
    assert mask_resource(body)["data"] == {"a": MASK} and mask_resource(body)["stringData"] == {"b": MASK}
    assert body["data"] == {"a": "c2VjcmV0"}, "the rendered body is not changed"
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "visible"}}
    assert mask_resource(cm) is cm
    diff = ("--- a/x\n+++ b/x\n@@ -1,6 +1,6 @@\n apiVersion: v1\n data:\n-  a: b2xk\n+  a: bmV3\n kind: Secret\n"
            "@@ -9,3 +9,3 @@\n   multi: |\n-    password = old\n+    password = new\n")
    masked = mask_diff(diff)
    for leaked in ("b2xk", "bmV3", "old", "new", "password"):
        assert leaked not in masked
    assert "-  a: <redacted>" in masked and "+  a: <redacted>" in masked and " kind: Secret" in masked


def test_site_secret_masked_links_resolve_and_no_network(tmp_path: Path) -> None:
    root = demo_copy(tmp_path)
    add_secret(root)
    model = build_model(render_tree(root))
    stats = write_site(model, tmp_path / "site")
    site = tmp_path / "site"
    text = site_text(site)
    assert SECRET_VALUE not in text and "aHVudGVyMi1kby1ub3QtcHJpbnQ" not in text
    assert "api-credentials" in text and "&lt;redacted&gt;" in text
    assert broken_links(site) == []
    assert not NETWORK_URL.search(text), "no CDN, no network"
    assert {"index.html", "versions.html", "search.html", "search-index.js", "report.json"} <= {p.name for p in site.iterdir()}
    assert (site / "apps/api.html").is_file() and json.loads((site / "report.json").read_text()) == model
    assert stats.pages == 7 and stats.largest_page_bytes >= stats.median_page_bytes > 0


def test_site_replaces_its_own_directory_only(tmp_path: Path) -> None:
    model = build_model(render_tree(demo_copy(tmp_path)))
    out = tmp_path / "site"
    write_site(model, out)
    (out / "stale.html").write_text("old")
    write_site(model, out)
    assert not (out / "stale.html").exists(), "a report directory is replaced whole"
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep")
    with pytest.raises(InputError, match="not a sluice report"):
        write_site(model, other)
    assert (other / "notes.txt").read_text() == "keep"


def test_large_matrix_is_paginated(tmp_path: Path) -> None:
    model = build_model(render_tree(demo_copy(tmp_path)))
    row = model["apps"][0]
    model["apps"] = [dict(row, appDir=f"app{i:03d}", slug=f"app{i:03d}") for i in range(230)]
    model["images"] = []  # they name the demo's apps
    write_site(model, tmp_path / "site")
    assert {p.name for p in (tmp_path / "site").glob("matrix-*.html")} == {"matrix-2.html", "matrix-3.html"}
    assert broken_links(tmp_path / "site") == []


def _commit(repo: Path, message: str) -> str:
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", message, cwd=repo, env=FIXED_DATE)
    return git("rev-parse", "HEAD", cwd=repo)


def test_cli_changes_and_history(demo_repo: Path, make_bare, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    remote = make_bare("hydrated.git")
    first = git("rev-parse", "HEAD", cwd=demo_repo)
    assert main(["hydrate", str(demo_repo), "--remote", str(remote)]) == 0
    kustomization = demo_repo / "overlays/staging/api/kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("newTag: 2.4.0-rc.1", "newTag: 2.4.0-rc.2"))
    add_secret(demo_repo)
    _commit(demo_repo, "Promote api rc.2 to staging")
    capsys.readouterr()
    site = tmp_path / "site"
    assert main(["report", str(demo_repo), "--out", str(site), "--base", "HEAD~1", "--remote", str(remote)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert broken_links(site) == []
    assert SECRET_VALUE not in site_text(site)
    changes = (site / "changes/staging.html").read_text()
    assert "2.4.0-rc.2" in changes and "api-credentials" in changes and "added" in changes
    assert not (site / "changes/production.html").exists()
    history = (site / "history.html").read_text()
    assert "hydrated/staging" in history and first[:12] in history and "Test Author" in history
    assert main(["report", str(demo_repo), "--output", "json", "--base", "HEAD~1", "--remote", str(remote)]) == 0
    model = json.loads(capsys.readouterr().out)
    assert model["changes"]["summary"]["added"] == 1 and model["changes"]["clusters"][0]["cluster"] == "staging"
    commits = {b["branch"]: b["commits"] for b in model["history"]["branches"]}
    assert commits["hydrated/production"][0]["drySha"] == first
    assert commits["hydrated/production"][0]["dryAuthor"] == "Test Author"
    assert SECRET_VALUE not in json.dumps(model)


def test_cli_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(demo_copy(tmp_path))]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing"), "--output", "json"]) == 2


def test_cli_takes_the_grants_of_every_rendering_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A fleet whose sluice.yaml names a checkout beside the repository reports once the
    person running sluice grants it (--allow-root), as render, verify and diff do."""
    checkout = tmp_path / "apps-checkout"
    (checkout / "guestbook").mkdir(parents=True)
    (checkout / "guestbook" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: gb}\n")
    dry = tmp_path / "dry"
    (dry / "apps").mkdir(parents=True)
    (dry / "sluice.yaml").write_text("repoURL: https://git.example.com/dry.git\n"
                                     "repositories: {https://git.example.com/apps.git: ../apps-checkout}\n")
    (dry / "apps" / "gb.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: guestbook}\n"
        "spec:\n  source: {repoURL: https://git.example.com/apps.git, path: guestbook}\n"
        "  destination: {server: https://kubernetes.default.svc, namespace: gb}\n")
    assert main(["report", str(dry), "-o", "json"]) == 2
    assert "--allow-root" in capsys.readouterr().err
    assert main(["report", str(dry), "-o", "json", "--allow-root", str(checkout), "--helm-engine", "in-process"]) == 0
    model = json.loads(capsys.readouterr().out)
    assert [row["appDir"] for row in model["apps"]] == ["guestbook"]
