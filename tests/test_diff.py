"""`sluice diff`: two git revisions of a real repository rendered and compared."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from renderer.cli import main
from renderer.diff.compare import ADDED, CHANGED, REMOVED, diff_revisions, report_markdown, report_text
from renderer.core.errors import InputError
from gitrepos import FIXED_DATE, demo_repo, git, isolated_git_env  # noqa: F401 - fixtures

REPO_ROOT = Path(__file__).resolve().parent.parent
DATE = FIXED_DATE





def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text()
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new))


def commit(repo: Path, message: str) -> str:
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", message, cwd=repo, env=DATE)
    return git("rev-parse", "HEAD", cwd=repo)


def test_overlay_image_change_shows_in_that_cluster_only(demo_repo: Path) -> None:
    edit(demo_repo, "overlays/staging/web/kustomization.yaml", "newTag: 1.1.0-rc.2", "newTag: 1.1.0-rc.3")
    commit(demo_repo, "Bump staging web")
    result = diff_revisions(demo_repo, "HEAD~1", "HEAD")
    assert [c.cluster for c in result.clusters] == ["staging"]
    (app,) = result.clusters[0].apps
    assert app.app == "staging-web" and app.status == CHANGED
    (change,) = app.changes
    assert (change.key.kind, change.key.name, change.status) == ("Deployment", "web", CHANGED)
    assert "-        image: ghcr.io/example/shop-web:1.1.0-rc.2" in change.diff
    assert "+        image: ghcr.io/example/shop-web:1.1.0-rc.3" in change.diff
    assert result.count(ADDED) == result.count(REMOVED) == 0


def test_shared_base_change_shows_in_every_cluster(demo_repo: Path) -> None:
    edit(demo_repo, "base/web/deployment.yaml", "value: http://api", "value: http://api:8080")
    commit(demo_repo, "API port")
    result = diff_revisions(demo_repo, "HEAD~1", "HEAD")
    assert [c.cluster for c in result.clusters] == ["production", "staging"]
    for cluster in result.clusters:
        assert [(a.app_dir, [(c.key.kind, c.status) for c in a.changes]) for a in cluster.apps] == [("web", [("Deployment", CHANGED)])]


def test_unread_file_changes_nothing(demo_repo: Path) -> None:
    (demo_repo / "docs").mkdir()
    (demo_repo / "docs" / "notes.yaml").write_text("hello: world\n")
    edit(demo_repo, "platform/README.md", "", "more words\n")
    commit(demo_repo, "Docs")
    result = diff_revisions(demo_repo, "HEAD~1", "HEAD")
    assert not result.changed and result.clusters == ()
    assert "no differences" in report_text(result)


def test_working_tree_is_head_by_default_and_left_untouched(demo_repo: Path) -> None:
    edit(demo_repo, "overlays/production/web/kustomization.yaml", "resources:", "resources:\n  - extra.yaml")
    (demo_repo / "overlays/production/web/extra.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: b\n")
    status_before = git("status", "--porcelain", cwd=demo_repo)
    result = diff_revisions(demo_repo, "HEAD")
    assert result.head == f"working tree (on {git('rev-parse', '--short=7', 'HEAD', cwd=demo_repo)})"
    assert result.head_revision is not None and result.head_revision.worktree
    assert [c.cluster for c in result.clusters] == ["production"]
    (app,) = result.clusters[0].apps
    (change,) = app.changes
    assert change.status == ADDED and change.key.kind == "ConfigMap" and change.key.namespace
    assert "+kind: ConfigMap" in change.diff
    assert git("status", "--porcelain", cwd=demo_repo) == status_before


def test_removed_app_and_resources(demo_repo: Path) -> None:
    (demo_repo / "apps/staging/web.yaml").unlink()
    commit(demo_repo, "Drop staging web")
    result = diff_revisions(demo_repo, "HEAD~1", "HEAD")
    (cluster,) = result.clusters
    (app,) = cluster.apps
    assert app.status == REMOVED and app.changes and all(c.status == REMOVED for c in app.changes)


def test_bad_revision_and_render_error_are_input_errors(demo_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InputError, match="unknown git revision"):
        diff_revisions(demo_repo, "no-such-branch")
    (demo_repo / "overlays/staging/web/kustomization.yaml").write_text("resources: [missing]\n")
    assert main(["diff", str(demo_repo), "--base", "HEAD"]) == 2
    assert "error:" in capsys.readouterr().err


def test_cli_formats_and_exit_code(demo_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    edit(demo_repo, "overlays/staging/web/kustomization.yaml", "newTag: 1.1.0-rc.2", "newTag: 2.0.0")
    commit(demo_repo, "Bump")
    args = ["diff", str(demo_repo), "--base", "HEAD~1", "--head", "HEAD"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "cluster staging" in out and "\x1b[" not in out
    assert main([*args, "--exit-code"]) == 1
    capsys.readouterr()
    assert main([*args, "--color", "always"]) == 0
    assert "\x1b[" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    assert main([*args, "--color", "auto"]) == 0
    assert "\x1b[" not in capsys.readouterr().out
    assert main([*args, "--output", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == {"added": 0, "removed": 0, "changed": 1}
    assert data["clusters"][0]["apps"][0]["resources"][0]["kind"] == "Deployment"
    assert main([*args, "--output", "markdown"]) == 0
    md = capsys.readouterr().out
    assert md.index("| cluster | app |") < md.index("<details>")
    assert "| staging | staging-web | 0 | 0 | 1 |" in md and "```diff" in md
    assert main(["diff", str(demo_repo), "--base", "HEAD", "--exit-code"]) == 0


def test_markdown_is_size_capped(demo_repo: Path) -> None:
    edit(demo_repo, "base/web/deployment.yaml", "value: http://api", "value: " + "x" * 3000)
    edit(demo_repo, "base/api/deployment.yaml", "image:", "command: [" + "y" * 3000 + "]\n          image:")
    commit(demo_repo, "Big")
    result = diff_revisions(demo_repo, "HEAD~1", "HEAD")
    full = report_markdown(result, max_bytes=10**7)
    capped = report_markdown(result, max_bytes=5000)
    assert len(full.encode()) > 5000
    assert len(capped.encode()) <= 5000
    assert "Not shown (fitted to 5000 bytes)" in capped
    assert "| production |" in capped and "| staging |" in capped  # no cluster is ever dropped


def test_diff_reads_other_repositories_from_their_checkouts(tmp_path: Path, isolated_git_env: Path) -> None:  # noqa: F811
    """A relative `repositories` path stays relative to the repository, not to the exported
    revisions; --repository, --chart-cache and --helm-releases reach both renders."""
    from trees import write_tree

    apps = write_tree(tmp_path / "apps-repo", {"web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {v: '1'}\n"})
    dry = write_tree(tmp_path / "platform", {
        "web.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: web}
            spec:
              source: {repoURL: https://github.com/example/apps.git, path: web}
              destination: {name: in-cluster, namespace: web}
            """,
        "sluice.yaml": "repoURL: https://github.com/example/platform\nrepositories:\n  https://github.com/example/apps: ../apps-repo\n",
    })
    git("init", "-q", "-b", "main", cwd=dry)
    git("add", "-A", cwd=dry)
    git("commit", "-q", "-m", "web", cwd=dry)
    (dry / "web.yaml").write_text((dry / "web.yaml").read_text().replace("namespace: web}", "namespace: web-2}"))
    result = diff_revisions(dry, "HEAD", allowed_roots=[str(apps)])  # the CI job grants the checkout
    assert [(c.cluster, a.app) for c in result.clusters for a in c.apps] == [("in-cluster", "web")]
    assert {(ch.key.namespace, ch.status) for ch in result.clusters[0].apps[0].changes} == {("web", REMOVED), ("web-2", ADDED)}
    other = write_tree(tmp_path / "other-apps", {"web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {v: '2'}\n"})
    assert main(["diff", str(dry), "--base", "HEAD", "--repository", f"https://github.com/example/apps={other}",
                 "--output", "json"]) == 0
    assert apps.is_dir()
