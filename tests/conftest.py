"""Shared test configuration: test the work tree even when sluice is not installed."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("renderer") is None:  # not installed: test the work tree
    sys.path.insert(0, str(REPO_ROOT))

