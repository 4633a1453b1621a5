"""The Action's pull-request script against a fake GitHub REST API on 127.0.0.1: the calls
it makes on a first push, a second push, a fork's pull request and a render error, with
sluice's real verify and diff outputs as input."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from action.report import COMMENT_LIMIT, Inputs, fit, marker, render
from tests.fakegithub import FakeGitHub, serve

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE = REPO_ROOT / "fixtures" / "verify" / "schemas"
NUMBER = 7


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


def _sluice(cwd: Path, out: Path, name: str, *args: str) -> int:
    """Run the real CLI as the Action does: JSON to a file, stderr to another, the exit code kept."""
    with open(out / f"{name}.json", "w") as stdout, open(out / f"{name}.err", "w") as stderr:
        return subprocess.run([sys.executable, "-m", "renderer", *args, "--output", "json"], cwd=cwd,
                              stdout=stdout, stderr=stderr, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}).returncode


@pytest.fixture
def pull_request(tmp_path: Path) -> dict[str, Any]:
    """A dry repository with a pull request's change on top of its base, sluice's outputs
    for it, and the event file GitHub would give the job."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    manifest = repo / "deploy" / "resources.yaml"
    manifest.write_text(manifest.read_text().replace("app: broken", "app: broken-renamed", 1) + "\n", encoding="utf-8")
    _git(repo, "commit", "-qam", "head")
    out = tmp_path / "out"
    out.mkdir()
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": NUMBER}}), encoding="utf-8")
    return {"repo": repo, "out": out, "event": event, "tmp": tmp_path}


def _run_sluice(pr: dict[str, Any]) -> tuple[int, int]:
    verify = _sluice(pr["repo"], pr["out"], "verify", "verify", ".")
    diff = _sluice(pr["repo"], pr["out"], "diff", "diff", ".", "--base", "HEAD~1")
    return verify, diff


def _publish(pr: dict[str, Any], fake: FakeGitHub, verify: int, diff: int, job: str = "render",
             extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    summary = pr["tmp"] / "summary.md"
    out = pr["out"]
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO_ROOT), "GITHUB_API_URL": fake.url,
           "GITHUB_REPOSITORY": fake.repository, "GITHUB_TOKEN": "ghs_faketoken", "GITHUB_EVENT_PATH": str(pr["event"]),
           "GITHUB_STEP_SUMMARY": str(summary)}
    return subprocess.run(
        [sys.executable, "-m", "action.pr_comment", "publish", "--job", job,
         "--verify-json", str(out / "verify.json"), "--verify-exit", str(verify), "--verify-stderr", str(out / "verify.err"),
         "--diff-json", str(out / "diff.json"), "--diff-exit", str(diff), "--diff-stderr", str(out / "diff.err"),
         "--full-report-url", "https://example.invalid/artifacts/1", *extra],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True)


COMMENTS = f"/repos/acme/gitops/issues/{NUMBER}/comments"


def test_first_push_creates_one_comment_with_annotations(pull_request: dict[str, Any]) -> None:
    verify, diff = _run_sluice(pull_request)
    assert (verify, diff) == (1, 0)  # verify's findings did not stop the diff
    with serve(FakeGitHub()) as fake:
        fake.add_comment(NUMBER, "a reviewer's comment")
        result = _publish(pull_request, fake, verify, diff)
    assert result.returncode == 1, result.stderr  # the job fails on verify's errors, after the report
    assert fake.summary() == [("GET", COMMENTS), ("POST", COMMENTS)]
    assert fake.calls[0].authorization == "Bearer ghs_faketoken"
    body = fake.calls[1].body["body"]
    assert body.startswith(marker("render"))
    assert "spec.replicas" in body and "broken-renamed" in body
    assert (pull_request["tmp"] / "summary.md").read_text() == body
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert errors and all("file=deploy/resources.yaml,line=" in line for line in errors)
    assert "ghs_faketoken" not in result.stdout + result.stderr


def test_second_push_updates_the_same_comment(pull_request: dict[str, Any]) -> None:
    verify, diff = _run_sluice(pull_request)
    with serve(FakeGitHub(page_size=2)) as fake:
        for n in range(3):  # the job's comment is on the second page
            fake.add_comment(NUMBER, f"comment {n}")
        first = _publish(pull_request, fake, verify, diff)
        created = fake.calls[-1].body["body"]
        comment_id = fake.comments[NUMBER][-1]["id"]
        fake.calls.clear()
        second = _publish(pull_request, fake, verify, diff)
    assert "created" in first.stdout and "updated" in second.stdout
    assert fake.summary() == [("GET", COMMENTS), ("GET", COMMENTS), ("PATCH", f"/repos/acme/gitops/issues/comments/{comment_id}")]
    assert fake.calls[-1].body["body"] == created
    assert sum(marker("render") in c["body"] for c in fake.comments[NUMBER]) == 1


def test_fleet_report_is_built_and_linked_from_the_comment(pull_request: dict[str, Any]) -> None:
    """The Action's `Fleet report` step: `sluice report --out` writes the site the next step
    uploads; the comment links the artifact (its URL comes from upload-artifact)."""
    verify, diff = _run_sluice(pull_request)
    site = pull_request["out"] / "fleet-report"
    built = subprocess.run([sys.executable, "-m", "renderer", "report", "--out", str(site), "--base", "HEAD~1"],
                           cwd=pull_request["repo"], env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert (site / "index.html").is_file()
    url = "https://github.com/acme/gitops/actions/runs/7/artifacts/42"
    with serve(FakeGitHub()) as fake:
        _publish(pull_request, fake, verify, diff, extra=("--fleet-report-url", url))
        without = FakeGitHub()
    body = fake.calls[-1].body["body"]
    assert f"[Fleet report]({url})" in body
    assert body.index("[Fleet report]") < body.index("### verify")  # seen before the details
    assert (pull_request["tmp"] / "summary.md").read_text() == body
    with serve(without) as fake:  # no report built (the step failed): no link, the rest as before
        _publish(pull_request, fake, verify, diff)
    assert "Fleet report" not in fake.calls[-1].body["body"]


def test_one_comment_per_job(pull_request: dict[str, Any]) -> None:
    verify, diff = _run_sluice(pull_request)
    with serve(FakeGitHub()) as fake:
        _publish(pull_request, fake, verify, diff, job="staging")
        _publish(pull_request, fake, verify, diff, job="production")
    assert [m for m, _ in fake.summary()] == ["GET", "POST", "GET", "POST"]


def test_fork_pull_request_degrades_to_the_summary(pull_request: dict[str, Any]) -> None:
    verify, diff = _run_sluice(pull_request)
    with serve(FakeGitHub(read_only=True)) as fake:
        result = _publish(pull_request, fake, verify, diff)
    assert fake.summary() == [("GET", COMMENTS), ("POST", COMMENTS)]
    assert fake.comments == {}
    summary = (pull_request["tmp"] / "summary.md").read_text()
    assert "token is read-only" in summary and "fork" in summary
    assert "spec.replicas" in summary
    assert result.returncode == 1
    assert "::warning title=sluice comment" not in result.stdout  # an expected degradation, not a warning


def test_render_error_is_in_the_comment(pull_request: dict[str, Any]) -> None:
    repo = pull_request["repo"]
    (repo / "deploy" / "kustomization.yaml").write_text("resources: [missing.yaml]\n", encoding="utf-8")
    verify, diff = _run_sluice(pull_request)
    assert verify == 2 and diff == 2
    with serve(FakeGitHub()) as fake:
        result = _publish(pull_request, fake, verify, diff)
    assert result.returncode == 2
    assert fake.summary() == [("GET", COMMENTS), ("POST", COMMENTS)]
    body = fake.calls[1].body["body"]
    assert "could not render" in body and "missing.yaml" in body
    assert "render error" in body.splitlines()[1]
    assert any(line.startswith("::error file=deploy/kustomization.yaml") for line in result.stdout.splitlines())


# -- the report's size, by design -----------------------------------------------------------------


def _big_diff(clusters: int, apps: int, resources: int, lines: int) -> dict[str, Any]:
    body = "\n".join(f"+  key{i}: value-{i}" for i in range(lines))
    return {
        "base": "abc1234 (main)", "head": "def5678 (pr)",
        "summary": {"added": clusters * apps * resources, "removed": 0, "changed": 0},
        "clusters": [{"cluster": f"cluster-{c}", "apps": [
            {"app": f"app-{a}", "appDir": f"app-{a}", "status": "changed", "resources": [
                {"group": "apps", "kind": "Deployment", "namespace": "ns", "name": f"d{r}", "status": "added", "diff": body}
                for r in range(resources)]}
            for a in range(apps)]} for c in range(clusters)],
    }


@pytest.mark.parametrize("shape", [(1, 1, 3, 5000), (3, 20, 20, 200), (200, 30, 10, 10)])
def test_comment_fits_and_names_every_cluster(shape: tuple[int, int, int, int]) -> None:
    inputs = Inputs(job="render", verify={"ok": True, "summary": {"targets": 1}, "findings": []}, diff=_big_diff(*shape))
    body = fit(inputs)
    assert len(body) <= COMMENT_LIMIT
    for c in range(shape[0]):
        assert f"cluster `cluster-{c}`" in body
    assert len(render(inputs)) > COMMENT_LIMIT  # the full report (the artifact) keeps everything


def test_hidden_lines_are_counted() -> None:
    inputs = Inputs(job="render", diff=_big_diff(1, 1, 1, 5000))
    body = fit(inputs)
    shown = body.count("+  key")
    assert f"{5000 - shown} more line(s) of this diff not shown" in body


def test_report_snapshot(snapshot: Any) -> None:
    inputs = Inputs(
        job="render",
        verify={"ok": False, "summary": {"targets": 2, "errors": 1, "warnings": 1}, "findings": [
            {"cluster": "prod", "app": "shop", "resource": "Deployment.apps shop/web", "check": "schema", "severity": "error",
             "message": "spec.replicas: 'three' is not of type 'integer'", "file": "apps/shop/deploy.yaml", "line": 12, "origin": "apps.yaml"},
            {"cluster": "prod", "app": "shop", "resource": "Widget.example.com shop/w", "check": "schema", "severity": "warning",
             "message": "unknown kind Widget.example.com/v1 (2 resources)", "file": "apps/shop/widget.yaml", "line": 1, "origin": "apps.yaml"}],
            "notes": ["1 HelmRelease kept for Flux"]},
        diff=_big_diff(1, 1, 1, 3),
        full_report_url="https://example.invalid/artifacts/1",
    )
    assert fit(inputs) == snapshot
