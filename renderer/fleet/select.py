"""`--cluster`/`--app`: which targets a render takes up, decided before anything renders
(so a narrowed render is also a faster one)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable

from ..core.errors import InputError, NothingFound
from ..core.gomatch import glob_regex, go_match
from .discover import FleetPlan, Target


@dataclass(frozen=True, slots=True)
class TargetFilter:
    """Globs (Go's path.Match, as sluice.yaml's) on the cluster name and on the Application
    (its name or its app directory). Empty: everything matches."""

    clusters: tuple[str, ...] = ()
    apps: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for flag, patterns in (("--cluster", self.clusters), ("--app", self.apps)):
            for pattern in patterns:
                if not pattern or glob_regex(pattern) is None:
                    raise InputError(f"{flag} {pattern!r}: not a valid glob")

    def __bool__(self) -> bool:
        return bool(self.clusters or self.apps)

    def matches(self, target: Target) -> bool:
        return self.matches_cluster(target.cluster) and (
            not self.apps or any(go_match(p, target.app) or go_match(p, target.app_dir) for p in self.apps))

    def matches_cluster(self, cluster: str) -> bool:
        return not self.clusters or any(go_match(p, cluster) for p in self.clusters)

    def describe(self) -> tuple[str, ...]:
        return (*(f"--cluster={p}" for p in self.clusters), *(f"--app={p}" for p in self.apps))


def narrow(plan: FleetPlan, select: TargetFilter | None) -> FleetPlan:
    """The plan with only the selected targets. The children of an app of apps are found
    while rendering their parent, so a parent left out takes its children with it; select
    both (`--app root --app 'child-*'`) to see children. NothingFound when nothing matches."""
    if not select:
        return plan
    targets = tuple(t for t in plan.targets if select.matches(t))
    if not targets:
        raise NothingFound(f"no target matches {' '.join(select.describe())}; targets: {_sample(plan.targets)}")
    return dataclasses.replace(plan, targets=targets, select=select)


def _sample(targets: Iterable[Target], limit: int = 10) -> str:
    names = sorted({f"{t.cluster}/{t.app}" for t in targets})
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "") or "none"
