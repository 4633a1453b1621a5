"""How many worker processes a render uses: its own module so that deciding costs no
import of the worker machinery (the pre-commit hook renders a few targets in-process)."""
from __future__ import annotations

import os

# below this many targets, starting worker processes costs more than it saves (measured:
# the 8-target demo fleet takes 0.5 s in one process, 1.3 s with two workers)
AUTO_PARALLEL_MIN_TARGETS = 400


def jobs_for(requested: int, targets: int) -> int:
    """`--jobs` as given, or (0, the default) the machine's cores once the fleet is big
    enough for workers to pay for their start."""
    if requested > 0:
        return requested
    return default_jobs() if targets >= AUTO_PARALLEL_MIN_TARGETS else 1


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
