"""Scratch directories a killed run leaves behind (``sluice-git-<pid>-*`` in the temp
dir, ``.<out>.tmp-<pid>-*`` beside the bundles), swept by the next run.

Names carry the creating process id so a sweep can tell a dead run's leftovers
from a live concurrent run's; age covers pids reused or from another machine.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

__all__ = ["STALE_AFTER_SECONDS", "sweep_stale"]

STALE_AFTER_SECONDS = 6 * 3600


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(parent: Path, prefix: str, *, max_age: float = STALE_AFTER_SECONDS) -> list[Path]:
    """Remove ``<prefix><pid>-*`` directories a killed run left in ``parent``: those
    whose pid is gone, or older than ``max_age`` seconds (pids are reused). Returns
    what was removed; never raises."""
    removed: list[Path] = []
    try:
        candidates = list(parent.glob(f"{prefix}*"))
    except OSError:
        return removed
    now = time.time()
    for path in candidates:
        if not path.is_dir() or path.is_symlink():
            continue
        pid_text = path.name[len(prefix):].split("-", 1)[0]
        try:
            age = now - path.stat().st_mtime
        except OSError:
            continue
        dead = pid_text.isdigit() and int(pid_text) != os.getpid() and not _pid_alive(int(pid_text))
        if dead or age > max_age:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
