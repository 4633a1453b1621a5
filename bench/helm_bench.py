"""Helm rendering: the in-process SDK against `helm template` subprocesses.

    python bench/helm_bench.py [--repeat N]

Renders each fixture chart N times with both backends of renderer.helm.engine (documents
parsed in both cases) and prints renders per second, side by side.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from renderer.helm.engine import HelmCLI, InProcessHelm, find_helm_binary  # noqa: E402

CHARTS = ["webapp", "operator", "umbrella"]


def _rate(fn, repeat: int) -> float:
    fn()  # warm up (shared library load, page cache)
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return repeat / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    inproc = InProcessHelm()
    helm = find_helm_binary()
    cli = HelmCLI(helm) if helm else None
    print(f"in-process: Helm SDK {inproc.version}; cli: {cli.version if cli else 'absent (tools/install_helm.py)'}")
    print(f"{'chart':<10} {'docs':>5} {'in-process/s':>13} {'helm CLI/s':>11} {'speed-up':>9}")
    for chart in CHARTS:
        path = ROOT / "fixtures" / "helm" / chart
        kw = dict(release_name="bench", namespace="bench", kube_version="1.30.0")
        docs = len(inproc.template(path, **kw))
        a = _rate(lambda: inproc.template(path, **kw), args.repeat)
        b = _rate(lambda: cli.template(path, **kw), max(5, args.repeat // 5)) if cli else float("nan")
        print(f"{chart:<10} {docs:>5} {a:>13.1f} {b:>11.1f} {a / b:>8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
