"""The runtime lock installs sluice on its own: a fresh virtual environment, `pip install
--require-hashes -r requirements/runtime.txt` then sluice without dependencies (what the
Action and the GitLab template run), and the installed `sluice` renders and verifies."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=900)


def test_runtime_lock_is_enough_to_run_sluice(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    assert _run(sys.executable, "-m", "venv", str(venv)).returncode == 0
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    done = _run(*pip, "--require-hashes", "-r", str(ROOT / "requirements" / "runtime.txt"))
    if done.returncode != 0 and "Could not find a version" in done.stderr + done.stdout:
        pytest.skip(f"no package index reachable: {done.stderr.strip().splitlines()[-1]}")
    assert done.returncode == 0, done.stderr
    source = tmp_path / "src"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv*", ".git", "__pycache__", "node_modules", "*.egg-info", "build"))
    done = _run(*pip, "--no-deps", "--no-build-isolation", str(source))
    assert done.returncode == 0, done.stderr
    checked = _run(str(venv / "bin" / "python"), "-m", "pip", "check")
    assert checked.returncode == 0, checked.stdout
    sluice = str(venv / "bin" / "sluice")
    built = _run(sluice, "build", str(ROOT / "fixtures" / "zero-config" / "deploy" / "shop"))
    assert built.returncode == 0 and "name: shop-settings" in built.stdout, built.stderr
    verified = _run(sluice, "verify", str(ROOT / "fixtures" / "zero-config"))
    assert verified.returncode in (0, 1) and "Traceback" not in verified.stderr, verified.stderr
