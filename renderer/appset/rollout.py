"""`strategy: RollingSync`: which generated Applications fall in which step.

As the ApplicationSet controller builds its step list: every step's `matchExpressions`
(`In`/`NotIn` on the Application's labels; a missing label fails `In` and passes `NotIn`)
select Applications; an Application belongs to the first step that selects it; one that
no step selects is not synced by the rollout (Argo CD leaves it to be synced by hand).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.errors import InputError


@dataclass(frozen=True)
class Step:
    index: int  # 1-based, as Argo CD numbers steps in its status
    max_update: Any  # int, "N%" or None (all at once)
    applications: tuple[str, ...]


@dataclass(frozen=True)
class RolloutPlan:
    application_set: str
    steps: tuple[Step, ...]
    unmatched: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "applicationSet": self.application_set,
            "steps": [{"step": s.index, "maxUpdate": s.max_update, "applications": list(s.applications)} for s in self.steps],
            "unmatched": list(self.unmatched),
        }


def _selects(expressions: list[Any], labels: dict[str, Any], where: str) -> bool:
    for expr in expressions:
        if not isinstance(expr, dict):
            raise InputError(f"{where}: a matchExpressions entry must be a mapping")
        key, operator = str(expr.get("key", "")), expr.get("operator")
        values = [str(v) for v in expr.get("values") or []]
        if operator not in ("In", "NotIn"):
            raise InputError(f"{where}: operator must be In or NotIn, not {operator!r}")
        if key in labels:
            matched = str(labels[key]) in values
            if (operator == "In") != matched:
                return False
        elif operator == "In":
            return False
    return True


def rollout_plan(appset: dict[str, Any], applications: list[dict[str, Any]], *, source: str) -> RolloutPlan | None:
    """The RollingSync plan of `appset` for its generated `applications`; None without one."""
    name = str((appset.get("metadata") or {}).get("name") or "<unnamed>")
    strategy = (appset.get("spec") or {}).get("strategy") or {}
    if strategy.get("type") != "RollingSync":
        return None
    steps = (strategy.get("rollingSync") or {}).get("steps") or []
    if not isinstance(steps, list):
        raise InputError(f"ApplicationSet {name}: strategy.rollingSync.steps must be a list", file=source)
    chosen: dict[str, int] = {}
    members: list[list[str]] = [[] for _ in steps]
    for i, step in enumerate(steps):
        where = f"ApplicationSet {name}: strategy.rollingSync.steps[{i}]"
        expressions = (step or {}).get("matchExpressions") or []
        for app in applications:
            meta = app.get("metadata") or {}
            if _selects(expressions, meta.get("labels") or {}, where):
                app_name = str(meta.get("name"))
                if app_name not in chosen:
                    chosen[app_name] = i
                    members[i].append(app_name)
    plan_steps = tuple(
        Step(i + 1, (step or {}).get("maxUpdate"), tuple(sorted(members[i]))) for i, step in enumerate(steps)
    )
    unmatched = tuple(sorted(str((a.get("metadata") or {}).get("name")) for a in applications
                             if str((a.get("metadata") or {}).get("name")) not in chosen))
    return RolloutPlan(name, plan_steps, unmatched)
