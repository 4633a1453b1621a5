"""The pre-commit hooks (.pre-commit-hooks.yaml) run through `pre-commit try-repo` on a
real temporary git repository. pre-commit installs sluice into an isolated virtualenv
with pip (dependencies from PyPI, ~30 s): marked `slow` (deselect with `-m "not slow"`);
skipped when pre-commit is not installed."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gitrepos import git, isolated_git_env  # noqa: F401 - fixtures

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO = ("sluice.yaml", "apps", "clusters", "base", "overlays", "platform")
HOOK_REPO_FILES = ("renderer", "pyproject.toml", ".pre-commit-hooks.yaml")
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(Path("~/.cache/pip").expanduser())



def test_manifest_declares_the_hooks() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["sluice-verify"]["entry"] == "sluice verify --changed"
    assert hooks["sluice-verify"]["pass_filenames"] is False
    assert hooks["sluice-build"]["pass_filenames"] is False
    assert all(h["language"] == "python" for h in hooks.values())


def _copy(src: Path, dst: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    else:
        shutil.copy2(src, dst)


@pytest.mark.skipif(shutil.which("pre-commit") is None and not (Path(sys.executable).parent / "pre-commit").exists(),
                    reason="pre-commit is not installed (PyPI pre-commit)")
@pytest.mark.slow
def test_sluice_verify_hook_through_try_repo(tmp_path: Path, isolated_git_env: Path) -> None:
    hook_repo = tmp_path / "sluice-hooks"
    hook_repo.mkdir()
    for name in HOOK_REPO_FILES:
        _copy(REPO_ROOT / name, hook_repo / name)
    git("init", "-q", "-b", "main", cwd=hook_repo)
    git("add", "-A", cwd=hook_repo)
    git("commit", "-q", "-m", "sluice", cwd=hook_repo)

    dry = tmp_path / "dry"
    dry.mkdir()
    for name in DEMO:
        _copy(REPO_ROOT / name, dry / name)
    git("init", "-q", "-b", "main", cwd=dry)
    git("add", "-A", cwd=dry)
    git("commit", "-q", "-m", "fleet", cwd=dry)

    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pc-home"), PIP_CACHE_DIR=PIP_CACHE,
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com")
    exe = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")

    def try_repo(hook: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([exe, "try-repo", str(hook_repo), hook, "--verbose"], cwd=dry, env=env,
                              capture_output=True, text=True, timeout=600)

    ok = try_repo("sluice-verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 error(s)" in ok.stdout

    leak = dry / "overlays/staging/api/leak.yaml"
    leak.write_text("apiVersion: v1\nkind: Secret\nmetadata:\n  name: leak\nstringData:\n  password: hunter2\n")
    kust = dry / "overlays/staging/api/kustomization.yaml"
    kust.write_text(kust.read_text().replace("resources:", "resources:\n  - leak.yaml"))
    git("add", "-A", cwd=dry)
    bad = try_repo("sluice-verify")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "error [secret] staging/staging-api Secret shop-staging/leak" in bad.stdout
    assert "1 target(s) checked" in bad.stdout  # only the changed target rendered
