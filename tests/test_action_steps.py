"""action.yml's own steps, run as the runner runs them (tests/actionsteps.py): the hydrate
mode against a real bare remote (first push, a newer push, a stale job, a render error),
and the pull-request mode end to end against the fake GitHub REST API."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

try:
    from tests.actionsteps import run_action
    from tests.fakegithub import FakeGitHub, serve
    from tests.gitrepos import git, init_bare, isolated_git_env, refs_of
    from tests.test_hydrate_cli import BRANCH, commit, fleet, tip_manifest
except ModuleNotFoundError:  # tests/ is not a package
    from actionsteps import run_action
    from fakegithub import FakeGitHub, serve
    from gitrepos import git, init_bare, isolated_git_env, refs_of
    from test_hydrate_cli import BRANCH, commit, fleet, tip_manifest

__all__ = ["isolated_git_env"]  # fixture used by name

REPO_ROOT = Path(__file__).resolve().parent.parent
HYDRATE = "Hydrate"
PR_STEPS = ("Verify and diff", "Full report", "Comment, summary and annotations")


@pytest.fixture
def dry(tmp_path: Path, isolated_git_env: Path) -> tuple[Path, Path]:
    """A one-app dry repository whose `origin` is a bare repository (the checkout's remote)."""
    repo = fleet(tmp_path / "dry")
    bare = init_bare(tmp_path / "remote.git")
    git("remote", "add", "origin", str(bare), cwd=repo)
    git("push", "--quiet", "origin", "main", cwd=repo)
    return repo, bare


def _hydrate(repo: Path, tmp: Path, name: str = "run") -> object:
    return run_action({"mode": "hydrate", "chart-cache": ".sluice/charts"}, workspace=repo,
                      runner_temp=tmp / name)


def test_hydrate_mode_pushes_the_branch_and_writes_the_summary(dry: tuple[Path, Path], tmp_path: Path) -> None:
    repo, bare = dry
    run = _hydrate(repo, tmp_path)
    assert not run.failed, run.step(HYDRATE).stderr
    assert not any(run.step(name).ran for name in PR_STEPS)
    assert 'replicas: "1"' in tip_manifest(bare)
    assert run.summary.startswith("### sluice hydrate") and "in-cluster" in run.summary


def test_hydrate_mode_moves_forward_with_the_dry_branch(dry: tuple[Path, Path], tmp_path: Path) -> None:
    repo, bare = dry
    assert not _hydrate(repo, tmp_path, "first").failed
    commit(repo, 2)
    run = _hydrate(repo, tmp_path, "second")
    assert not run.failed, run.step(HYDRATE).stdout
    assert 'replicas: "2"' in tip_manifest(bare)


def test_a_stale_job_succeeds_without_pushing(dry: tuple[Path, Path], tmp_path: Path) -> None:
    """A job for an older commit that starts after a newer one hydrated: exit 3 inside, a
    notice, a green step, and the branch left at the newer render."""
    repo, bare = dry
    old = git("rev-parse", "HEAD", cwd=repo)
    commit(repo, 2)
    git("push", "--quiet", "origin", "main", cwd=repo)
    assert not _hydrate(repo, tmp_path, "newer").failed
    before = refs_of(bare)
    git("checkout", "--quiet", old, cwd=repo)
    run = _hydrate(repo, tmp_path, "stale")
    step = run.step(HYDRATE)
    assert step.exit_code == 0, step.stdout
    assert "::notice title=sluice hydrate::" in step.stdout and "superseded" in step.stdout
    assert refs_of(bare) == before
    assert 'replicas: "2"' in tip_manifest(bare)


def test_a_render_error_fails_the_job_and_pushes_nothing(dry: tuple[Path, Path], tmp_path: Path) -> None:
    repo, bare = dry
    (repo / "deploy" / "web" / "cm.yaml").write_text("apiVersion: v1\nkind: [unclosed\nmetadata: {name: web}\n")
    git("commit", "--quiet", "-am", "break it", cwd=repo)
    run = _hydrate(repo, tmp_path)
    step = run.step(HYDRATE)
    assert step.exit_code == 2
    assert "cm.yaml" in step.stdout and "Traceback" not in step.stdout
    assert BRANCH not in " ".join(refs_of(bare))
    assert "cm.yaml" in run.summary


def test_pull_request_mode_end_to_end(tmp_path: Path, isolated_git_env: Path) -> None:
    """verify exits 1 on its findings, the diff still runs, one comment is posted with the
    marker, the summary carries the same report, and the job ends red on the findings."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "fixtures" / "verify" / "schemas", repo)
    git("init", "--quiet", "--initial-branch=main", str(repo))
    git("add", "-A", cwd=repo)
    git("commit", "--quiet", "-m", "base", cwd=repo)
    manifest = repo / "deploy" / "resources.yaml"
    manifest.write_text(manifest.read_text().replace("app: broken", "app: broken-renamed", 1))
    git("commit", "--quiet", "-am", "head", cwd=repo)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}))
    with serve(FakeGitHub()) as fake:
        run = run_action(
            {"mode": "pr", "base": "HEAD~1", "fleet-report": "false", "github-token": "ghs_fake"},
            workspace=repo, runner_temp=tmp_path / "runner",
            env={"GITHUB_API_URL": fake.url, "GITHUB_REPOSITORY": fake.repository, "GITHUB_EVENT_PATH": str(event)},
            uses_outputs={"upload": {"artifact-url": "https://example.invalid/artifacts/1"}})
    steps = {step.name: step for step in run.steps}
    assert steps["Verify and diff"].outputs["verify"] == "1" and steps["Verify and diff"].outputs["diff"] == "0"
    assert not steps[HYDRATE].ran
    publish = steps["Comment, summary and annotations"]
    assert publish.exit_code == 1  # red on verify's errors, after the comment
    assert [method for method, _ in fake.summary()] == ["GET", "POST"]
    body = fake.calls[-1].body["body"]
    assert "broken-renamed" in body and "https://example.invalid/artifacts/1" in body
    assert run.summary == body
    assert any(line.startswith("::error file=deploy/resources.yaml,line=") for line in publish.stdout.splitlines())
