"""The package layout is a contract: imports only point down the layers declared in
pyproject.toml ([tool.importlinter]); a wrong-way import fails here naming the contract."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_imports_only_point_down_the_layers() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if exe is None:
        pytest.skip("lint-imports (import-linter) is not installed")
    done = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


def test_no_module_sits_loose_at_the_top() -> None:
    """Every module lives in its layer's package; the top holds only the public API."""
    loose = sorted(p.name for p in (ROOT / "renderer").glob("*.py") if p.name not in {"__init__.py", "__main__.py"})
    assert loose == []
