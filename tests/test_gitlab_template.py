"""The GitLab CI template's job scripts, run as GitLab's shell runner runs them (one bash,
`set -eo pipefail`, the lines in order) against a real git server over HTTPS on 127.0.0.1
that wants the project token as GitLab does (`https://oauth2:<token>@host/path.git`)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

try:
    from tests.actionsteps import sluice_on_path
    from tests.githttp import TOKEN, GitHTTP, git_https
    from tests.gitrepos import git, isolated_git_env, refs_of
    from tests.test_hydrate_cli import BRANCH, commit, fleet, tip_manifest
except ModuleNotFoundError:  # tests/ is not a package
    from actionsteps import sluice_on_path
    from githttp import TOKEN, GitHTTP, git_https
    from gitrepos import git, isolated_git_env, refs_of
    from test_hydrate_cli import BRANCH, commit, fleet, tip_manifest

__all__ = ["git_https", "isolated_git_env"]  # fixtures used by name

TEMPLATE = Path(__file__).resolve().parent.parent / "examples" / "gitlab" / "sluice.gitlab-ci.yml"
PROJECT = "org/fleet"


def _job(name: str) -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))[name]


def _run_job(name: str, repo: Path, server: GitHTTP, tmp: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """The job's `script:` lines (before_script installs sluice; a shim stands in for it)."""
    sluice_on_path(tmp / "bin")
    script = "set -eo pipefail\n" + "\n".join(_job(name)["script"]) + "\n"
    env = {
        "PATH": f"{tmp / 'bin'}{os.pathsep}{os.environ['PATH']}", "HOME": os.environ["HOME"],
        "CI_SERVER_HOST": server.host, "CI_PROJECT_PATH": PROJECT, "GIT_SSL_CAINFO": str(server.ca_file),
        **variables,
    }
    return subprocess.run(["bash", "--noprofile", "--norc", "-c", script], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def project(tmp_path: Path, git_https: GitHTTP) -> tuple[Path, Path, GitHTTP]:
    """The dry repository as GitLab checks it out: full history, `origin` on the server
    with the job token in its URL."""
    bare, _url = git_https.create(f"{PROJECT}.git")
    repo = fleet(tmp_path / "dry")
    origin = f"https://gitlab-ci-token:{TOKEN}@{git_https.host}/{PROJECT}.git"
    git("remote", "add", "origin", origin, cwd=repo)
    git("-c", f"http.sslCAInfo={git_https.ca_file}", "push", "--quiet", "origin", "main", cwd=repo)
    git("config", "http.sslCAInfo", str(git_https.ca_file), cwd=repo)
    return repo, bare, git_https


def test_hydrate_job_pushes_over_https_with_the_project_token(project: tuple[Path, Path, GitHTTP], tmp_path: Path) -> None:
    repo, bare, server = project
    result = _run_job("sluice-hydrate", repo, server, tmp_path, SLUICE_PUSH_TOKEN=TOKEN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'replicas: "1"' in tip_manifest(bare)
    assert TOKEN not in result.stdout + result.stderr


def test_a_stale_hydrate_pipeline_passes_without_pushing(project: tuple[Path, Path, GitHTTP], tmp_path: Path) -> None:
    repo, bare, server = project
    old = git("rev-parse", "HEAD", cwd=repo)
    commit(repo, 2)
    assert _run_job("sluice-hydrate", repo, server, tmp_path, SLUICE_PUSH_TOKEN=TOKEN).returncode == 0
    before = refs_of(bare)
    git("checkout", "--quiet", old, cwd=repo)
    result = _run_job("sluice-hydrate", repo, server, tmp_path, SLUICE_PUSH_TOKEN=TOKEN)
    assert result.returncode == 0 and "superseded" in result.stderr + result.stdout
    assert refs_of(bare) == before and 'replicas: "2"' in tip_manifest(bare)


def test_a_wrong_token_fails_the_job_and_pushes_nothing(project: tuple[Path, Path, GitHTTP], tmp_path: Path) -> None:
    repo, bare, server = project
    result = _run_job("sluice-hydrate", repo, server, tmp_path, SLUICE_PUSH_TOKEN="not-the-token")
    assert result.returncode != 0 and "Authentication failed" in result.stderr
    assert BRANCH not in " ".join(refs_of(bare)) and server.refused > 0
    assert "not-the-token" not in result.stdout + result.stderr


def test_merge_request_job_writes_both_reports(project: tuple[Path, Path, GitHTTP], tmp_path: Path) -> None:
    repo, _bare, server = project
    git("checkout", "--quiet", "-b", "change", cwd=repo)
    commit(repo, 3)
    result = _run_job("sluice-verify", repo, server, tmp_path, CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main")
    assert result.returncode == 0, result.stdout + result.stderr
    verify, diff = (repo / "verify.md").read_text(), (repo / "diff.md").read_text()
    assert verify and '"1"' in diff and '"3"' in diff
    assert result.stdout == verify + diff  # `cat verify.md diff.md` is the job log's report


def test_merge_request_job_fails_on_a_render_error(project: tuple[Path, Path, GitHTTP], tmp_path: Path) -> None:
    repo, _bare, server = project
    git("checkout", "--quiet", "-b", "broken", cwd=repo)
    (repo / "deploy" / "web" / "cm.yaml").write_text("apiVersion: v1\nkind: [unclosed\nmetadata: {name: web}\n")
    git("commit", "--quiet", "-am", "break", cwd=repo)
    result = _run_job("sluice-verify", repo, server, tmp_path, CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main")
    assert result.returncode != 0
    assert "cm.yaml" in result.stderr + (repo / "verify.md").read_text() and "Traceback" not in result.stderr
