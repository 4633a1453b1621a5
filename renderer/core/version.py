"""sluice's version, in the core so that any layer may name it (the hook's index records
it: another version may read the repository differently)."""
from __future__ import annotations

__version__ = "0.1.0"
