"""Benchmark `sluice report`: generation time and page weight, demo fleet and a generated one.

usage: python bench/report_bench.py [--services 100] [--clusters 10] [--make-fleet PATH]
The generated fleet comes from ../shared/bench/make_fleet.py (S services x C clusters, one
Application each). Rendering is timed apart from building the model and writing the site.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from renderer.report import build_model, write_site  # noqa: E402
from renderer.report.gather import render_fleet  # noqa: E402


def measure(label: str, repo: Path, out: Path) -> None:
    start = time.perf_counter()
    bundles = render_fleet(repo)
    rendered = time.perf_counter()
    model = build_model(bundles)
    modelled = time.perf_counter()
    stats = write_site(model, out)
    written = time.perf_counter()
    print(f"{label}: {len(bundles.apps)} Applications, {model['summary']['apps']} apps x {model['summary']['clusters']} clusters, "
          f"{model['summary']['resources']} resources")
    print(f"  render {rendered - start:.2f} s; report {written - rendered:.2f} s (model {modelled - rendered:.2f} s, "
          f"site {written - modelled:.2f} s)")
    print(f"  site: {stats.pages} pages, {stats.files} files, {stats.total_bytes / 1024:.0f} KiB in all; page weight "
          f"(HTML + CSS + JS) median {stats.median_page_bytes / 1024:.1f} KiB, largest {stats.largest_page} "
          f"{stats.largest_page_bytes / 1024:.1f} KiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--clusters", type=int, default=10)
    parser.add_argument("--make-fleet", default=str(ROOT.parent / "shared/bench/make_fleet.py"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sluice-report-bench-") as tmp:
        measure("demo fleet", ROOT, Path(tmp) / "demo-site")
        fleet = Path(tmp) / "fleet"
        subprocess.run([sys.executable, args.make_fleet, str(fleet), "--services", str(args.services),
                        "--clusters", str(args.clusters)], check=True)
        measure(f"generated fleet ({args.services} services x {args.clusters} clusters)", fleet, Path(tmp) / "fleet-site")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
