"""A new user's first two commands: `git clone`, then `make demo` and `make test`, from a
temporary directory, installing everything from the lock as the README says.

Marked slow (installs a second virtual environment and runs the suite again, a few
minutes); the inner run skips this test so it does not recurse.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
INNER = "SLUICE_FRESH_CLONE_INNER"


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get(INNER) == "1", reason="already inside the fresh-clone run")
@pytest.mark.skipif(not (REPO_ROOT / ".git").exists(), reason="not a git checkout: nothing to clone")
def test_fresh_clone_runs_the_readme_commands(tmp_path: Path) -> None:
    clone = tmp_path / "sluice"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO_ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH", "PYTEST_"))}
    env[INNER] = "1"
    # the interpreter a new user has, not this test's virtual environment
    python = getattr(sys, "_base_executable", sys.executable)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(REPO_ROOT)))
    for target in ("demo", "test"):
        done = subprocess.run(["make", target, f"PYTHON={python}"], cwd=clone, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"make {target} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    hydrated = subprocess.run(["git", "--git-dir", str(clone / ".demo/hydrated.git"), "for-each-ref", "--format=%(refname)"],
                              capture_output=True, text=True, check=True).stdout.split()
    assert any(ref.startswith("refs/heads/hydrated/") for ref in hydrated)
    assert (clone / ".venv/bin/sluice").exists()
