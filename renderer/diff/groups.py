"""Find the same edit made to many resources (an image bump in forty Deployments) so that
reviewers read it once, with the list of where, instead of forty times."""
from __future__ import annotations

from typing import Iterable

from .compare import CHANGED, ChangeGroup, ClusterDiff, ResourceChange, Where

MIN_MEMBERS = 2  # a change seen in this many resources is shown once


def signature(change: ResourceChange) -> tuple[str, ...] | None:
    """The lines a change removes and adds, without context or line numbers: two resources
    share a change when these are equal. None for what is never grouped: added or removed
    resources (their whole body differs by name) and Secrets (their diff is redacted, so
    equal text would not mean equal values)."""
    if change.status != CHANGED or change.secret_keys:
        return None
    lines = tuple(line for line in change.diff.splitlines()
                  if line.startswith(("+", "-")) and not line.startswith(("+++ ", "--- ")))
    return lines or None


def hunks(diff: str) -> str:
    """A unified diff without its `---`/`+++` header: the part that is the same in every member."""
    lines = diff.splitlines(keepends=True)
    start = 0
    while start < len(lines) and lines[start].startswith(("--- ", "+++ ")):
        start += 1
    return "".join(lines[start:])


def shared_changes(clusters: Iterable[ClusterDiff]) -> tuple[ChangeGroup, ...]:
    """Every change seen in at least MIN_MEMBERS resources, numbered in order of first appearance."""
    found: dict[tuple[str, ...], list[tuple[Where, ResourceChange]]] = {}
    for cluster in clusters:
        for app in cluster.apps:
            for change in app.changes:
                sig = signature(change)
                if sig is not None:
                    found.setdefault(sig, []).append((Where(cluster.cluster, app.app, app.app_dir, change.key), change))
    groups = [members for members in found.values() if len(members) >= MIN_MEMBERS]
    return tuple(ChangeGroup(number, hunks(members[0][1].diff), tuple(w for w, _ in members))
                 for number, members in enumerate(groups, start=1))
