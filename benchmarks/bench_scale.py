"""Scale benchmark: the baseline at Jinan's size and at 100,000 startups.

Prints wall seconds, firm-months per second and peak memory for each size,
each run in a fresh process so peak memory is the run's own. Targets on a
2-core machine: Jinan size (20,000 startups, 120 months) within 5 s (aim 2 s)
and 1 GB; time about linear in firms.

On a shared or virtual machine the same run can take noticeably longer when
neighbours are busy, so each size is run ``--repeat`` times and the fastest
and the median run are reported; compare versions by the fastest run, measured
in alternation.

    python benchmarks/bench_scale.py [--sizes jinan large] [--months 120] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
from ecosim.runner import simulate
from ecosim.scenario import load_scenario
size, months = sys.argv[1], int(sys.argv[2])
sc = load_scenario("baseline", months=months, firms=size)
start = time.perf_counter()
res = simulate(sc, 1, keep_model=True)
wall = time.perf_counter() - start
firm_months = float(res.metrics["firms_alive"].sum())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"size": size, "firms": sc.run.firms, "months": months, "wall_s": wall,
                  "firm_months": firm_months, "firm_months_per_s": firm_months / wall, "peak_mb": peak,
                  "firms_ever": res.summary["firms_ever"]}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["jinan", "large"])
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--repeat", type=int, default=3, help="runs per size (the fastest and the median are reported)")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    print(f"{'size':>8} {'firms':>8} {'months':>6} {'wall s':>8} {'firm-months/s':>14} {'peak MB':>8}")
    summary = []
    for size in args.sizes:
        walls, peaks, rate = [], [], 0.0
        for _ in range(args.repeat):
            out = subprocess.run([sys.executable, "-c", CHILD, size, str(args.months)], check=True,
                                 capture_output=True, text=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(f"{r['size']:>8} {r['firms']:>8} {r['months']:>6} {r['wall_s']:>8.2f} "
                  f"{r['firm_months_per_s']:>14,.0f} {r['peak_mb']:>8.0f}")
            walls.append(r["wall_s"])
            peaks.append(r["peak_mb"])
            rate = max(rate, r["firm_months_per_s"])
        summary.append((size, min(walls), statistics.median(walls), rate, max(peaks)))
    print()
    print(f"{'size':>8} {'fastest s':>10} {'median s':>9} {'firm-months/s':>14} {'peak MB':>8}")
    for size, fastest, median, rate, peak in summary:
        print(f"{size:>8} {fastest:>10.2f} {median:>9.2f} {rate:>14,.0f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
