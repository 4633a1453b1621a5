"""Concurrent hydration jobs over a chain of dry commits c1 <- c2 <- ... <- cN, all
pushing into one real bare remote at once (threads running real git).

Whatever the interleaving, every branch must end at cN's render, each branch's
history must be linear, and each dry commit must appear on it at most once, in
chain order (a branch never moves backwards)."""
from __future__ import annotations

import random
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from renderer.applier import DryHistory, DrySource, Monotonic, app_metadata, hydrate, read_dry_source
from renderer.applier.hydrate import TRAILER_DRY_SHA, trailer_value

try:
    from tests.gitrepos import DryRepo, git, isolated_git_env, make_bare
except ModuleNotFoundError:  # tests/ is not a package: pytest puts tests/ itself on sys.path
    from gitrepos import DryRepo, git, isolated_git_env, make_bare

__all__ = ["isolated_git_env", "make_bare"]  # fixtures used by name

BRANCHES = ("hydrated/dev", "hydrated/prod")


def chain(path: Path, n: int) -> tuple[DryRepo, list[DrySource]]:
    """A dry repository with n commits in a line; c_i sets replicas to i."""
    git("init", "--quiet", "--initial-branch=main", str(path))
    repo = DryRepo(path=path, origin="")
    drys = []
    for i in range(1, n + 1):
        repo.commit({"apps/web/values.yaml": f"replicas: {i}\n"}, f"web replicas {i}\n", date=f"2025-07-{i:02d}T10:00:00Z")
        drys.append(read_dry_source(path, "HEAD", repo_url="https://git.example.com/org/deploy.git"))
    return repo, drys


def render(dry: DrySource, i: int) -> dict[str, dict[str, bytes]]:
    manifest = f"kind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {i}\n".encode()
    files = {"web/manifest.yaml": manifest, "web/hydrator.metadata": app_metadata(dry, ["sluice render"])}
    return {branch: dict(files) for branch in BRANCHES}


def run_writers(bare: Path, repo: DryRepo, drys: list[DrySource], seed: int) -> list[object]:
    """Start one hydration per dry commit, in a shuffled order, released together."""
    order = list(range(len(drys)))
    random.Random(seed).shuffle(order)
    gate = threading.Barrier(len(order))
    outcomes: list[object] = [None] * len(order)
    history = DryHistory(repo.path)

    def job(i: int) -> None:
        gate.wait()
        try:
            outcomes[i] = hydrate(str(bare), render(drys[i], i + 1), drys[i], monotonic=Monotonic(history))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes[i] = exc

    threads = [threading.Thread(target=job, args=(i,)) for i in order]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcomes


def check_branches(bare: Path, drys: list[DrySource]) -> None:
    newest = drys[-1]
    rank = {d.dry_sha: i for i, d in enumerate(drys)}
    for branch in BRANCHES:
        tip = git("rev-parse", f"refs/heads/{branch}", cwd=bare)
        assert git("show", f"{tip}:web/manifest.yaml", cwd=bare).endswith(f"replicas: {len(drys)}")
        assert f'"drySha": "{newest.dry_sha}"' in git("show", f"{tip}:hydrator.metadata", cwd=bare)
        assert newest.dry_sha in git("notes", "--ref=hydrator.metadata", "show", tip, cwd=bare)
        lines = git("rev-list", "--parents", tip, cwd=bare).splitlines()
        assert all(len(line.split()) <= 2 for line in lines), "history is not linear"
        seen = [trailer_value(git("log", "-1", "--format=%B", line.split()[0], cwd=bare), TRAILER_DRY_SHA) for line in lines]
        assert len(seen) == len(set(seen)), f"a dry commit was hydrated twice on {branch}"
        ranks = [rank[s] for s in reversed(seen)]  # oldest first
        assert ranks == sorted(ranks), f"{branch} moved backwards: {ranks}"


@pytest.mark.parametrize("writers", [2, 4, 8])
@pytest.mark.parametrize("round_", [0, 1])
def test_concurrent_writers_end_at_the_newest_commit(
    writers: int, round_: int, tmp_path: Path, make_bare: Callable[..., Path]
) -> None:
    repo, drys = chain(tmp_path / "dry", writers)
    bare = make_bare()
    outcomes = run_writers(bare, repo, drys, seed=writers * 100 + round_)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert not errors, errors
    check_branches(bare, drys)
    newest = outcomes[-1]
    assert getattr(newest, "superseded_by", "x") is None  # the newest job is never superseded


def test_stale_job_after_the_fact_changes_nothing(tmp_path: Path, make_bare: Callable[..., Path]) -> None:
    repo, drys = chain(tmp_path / "dry", 3)
    bare = make_bare()
    history = Monotonic(DryHistory(repo.path))
    hydrate(str(bare), render(drys[2], 3), drys[2], monotonic=history)
    before = git("for-each-ref", cwd=bare)
    for i in (0, 1):
        res = hydrate(str(bare), render(drys[i], i + 1), drys[i], monotonic=history)
        assert res.superseded_by == drys[2].dry_sha and not res.pushed
        assert {b.status for b in res.branches} == {"superseded"}
    assert git("for-each-ref", cwd=bare) == before
