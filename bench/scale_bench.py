"""Scale benchmark (issue 18): a generated fleet rendered cold with --jobs 1 and 2, warm
from the cache, after a one-file change, and as 4 shards one after another plus the join;
wall time and peak RSS of each run (the sluice process and its workers), then a projection
for 50,000 targets on 10 CI runners.

usage: python bench/scale_bench.py [--services 1000] [--clusters 10] [--work DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MAKE_FLEET = Path(__file__).resolve().parents[2] / "shared" / "bench" / "make_fleet.py"


def run(args: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak RSS MiB of the largest process) of one sluice command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "renderer", *args], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024  # ru_maxrss is KiB on Linux; a max over children so far


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--services", type=int, default=1000)
    ap.add_argument("--clusters", type=int, default=10)
    ap.add_argument("--work", type=Path)
    a = ap.parse_args()
    work = a.work or Path(tempfile.mkdtemp(prefix="sluice-scale-"))
    fleet = work / "fleet"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    subprocess.run([sys.executable, str(MAKE_FLEET), str(fleet), "--services", str(a.services),
                    "--clusters", str(a.clusters)], check=True)
    env = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com", "GIT_COMMITTER_NAME": "b",
           "GIT_COMMITTER_EMAIL": "b@example.com"}
    os.environ.update(env)
    git("init", "-q", "-b", "main", ".", cwd=fleet)
    git("add", "-A", cwd=fleet)
    git("commit", "-qm", "fleet", cwd=fleet)
    targets = a.services * a.clusters
    cache = work / "cache"
    rows: list[tuple[str, float, float]] = []
    # Each run is a fresh process; RUSAGE_CHILDREN's max is monotonic, so memory-heavy runs go last.
    rows.append(("cold --jobs 1", *run(["render", ".", "--out", str(work / "o1"), "--jobs", "1"], fleet)))
    rows.append(("cold --jobs 2", *run(["render", ".", "--out", str(work / "o2"), "--jobs", "2"], fleet)))
    rows.append(("cache fill (--jobs 2)", *run(["render", ".", "--out", str(work / "o3"), "--jobs", "2", "--cache-dir", str(cache)], fleet)))
    rows.append(("warm cache (--jobs 2)", *run(["render", ".", "--out", str(work / "o3"), "--jobs", "2", "--cache-dir", str(cache)], fleet)))
    (fleet / "base" / "svc000" / "config.yaml").write_text(
        (fleet / "base" / "svc000" / "config.yaml").read_text().replace("info", "debug"))
    rows.append(("one-file change, warm (--jobs 2)", *run(["render", ".", "--out", str(work / "o3"), "--jobs", "2", "--cache-dir", str(cache)], fleet)))
    git("checkout", "-q", "--", ".", cwd=fleet)
    shard_total = 0.0
    for i in range(1, 5):
        seconds, rss = run(["render", ".", "--out", str(work / f"shard{i}"), "--shard", f"{i}/4", "--jobs", "1"], fleet)
        shard_total += seconds
        rows.append((f"shard {i}/4 (--jobs 1)", seconds, rss))
    remote = work / "remote.git"
    git("init", "-q", "--bare", str(remote), cwd=work)
    rows.append(("join: hydrate --bundles (4 shards)", *run(
        ["hydrate", ".", "--remote", str(remote), "--bundles", *(str(work / f"shard{i}") for i in range(1, 5))], fleet)))
    print(f"fleet: {a.services} services x {a.clusters} clusters = {targets} targets")
    print(f"{'run':40} {'seconds':>8} {'peak RSS MiB (max so far)':>26}")
    for name, seconds, rss in rows:
        print(f"{name:40} {seconds:8.2f} {rss:26.0f}")
    per_target = rows[0][1] / targets
    shard_mean = shard_total / 4
    join = rows[-1][1]
    # 50,000 targets on 10 runners: each runner renders 5,000 targets (cold, one core), then one join.
    fixed = shard_mean - per_target * targets / 4  # start-up and discovery one shard pays whatever its size
    projected_render = fixed * 5 + per_target * 5000  # discovery scales with the whole fleet (5x this one)
    projected_join = join * 5
    print(json.dumps({"targets": targets, "perTargetSeconds": round(per_target, 6), "shardMeanSeconds": round(shard_mean, 2),
                      "projection50kOn10Runners": {"renderPerRunnerSeconds": round(projected_render, 1),
                                                   "joinSeconds": round(projected_join, 1),
                                                   "wallSeconds": round(projected_render + projected_join, 1)}}, indent=1))


if __name__ == "__main__":
    main()
