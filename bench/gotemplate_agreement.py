"""Agreement rate of sluice's Go template interpreter with real Go (Helm's engine).

    python bench/gotemplate_agreement.py [--batches N] [--seed S] [--show K] [--broken] [--dump FILE]

Draws N batches of 20 generated snippets (tests/gotemplate_oracle.py explains the
generator, the exclusions and how error messages are compared), renders each through Helm
and through sluice, and prints how many agree on the value (the same output, or both
fail), how many of the failures agree on the error message, and how many agree on both;
--show prints the first K disagreements; --broken draws snippets with a syntax error put in
(gotemplate_oracle.broken_cases) instead; --dump writes every disagreement (snippet, data,
both outcomes) to FILE as JSON.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from gotemplate_oracle import broken_cases, cases, render_helm, render_sluice  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=10)
    parser.add_argument("--broken", action="store_true")
    parser.add_argument("--dump")
    args = parser.parse_args()
    batches: list[list[tuple[str, object]]] = []

    @seed(args.seed)
    @settings(max_examples=args.batches, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(broken_cases if args.broken else cases, min_size=20, max_size=20))
    def collect(batch: list[tuple[str, object]]) -> None:
        batches.append(batch)

    random.seed(args.seed)
    collect()
    start = time.perf_counter()
    total = agree = values = both_failed = errors_agree = go_ok = crashes = 0
    shown = 0
    dumped: list[dict[str, object]] = []
    for batch in batches:
        for i, ((text, data), expected) in enumerate(zip(batch, render_helm(batch))):
            total += 1
            go_ok += expected.output is not None
            try:
                got = render_sluice(text, data, i)
            except Exception as exc:  # a crash is a disagreement, and worth showing
                crashes += 1
                got = None
                detail = f"crash {exc!r}"
            else:
                values += got.values_agree(expected)
                if got.output is None and expected.output is None:
                    both_failed += 1
                    errors_agree += got.error_key == expected.error_key
                if got.agrees(expected):
                    agree += 1
                    continue
                detail = f"sluice {got.output!r} {got.error[:300]}"
            dumped.append({"index": i, "text": text, "data": data, "go": [expected.output, expected.error],
                           "sluice": detail})
            if shown < args.show:
                shown += 1
                print(f"- {text!r}\n  data {data!r:.200}\n  Go {expected.output!r} {expected.error[:300]}\n  {detail}")

    if args.dump:
        Path(args.dump).write_text(json.dumps(dumped, ensure_ascii=False, indent=1), encoding="utf-8")

    def pct(n: int, d: int) -> str:
        return f"{n}/{d} ({100.0 * n / d if d else 100.0:.2f}%)"

    print(f"values agree {pct(values, total)}; errors agree {pct(errors_agree, both_failed)} of those both failed; "
          f"all agree {pct(agree, total)}; Go rendered {go_ok}, errored {total - go_ok}; "
          f"sluice crashes {crashes}; {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
