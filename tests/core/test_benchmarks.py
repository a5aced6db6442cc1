"""The scale benchmark runs end to end (tiny size) and reports what it promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_scale.py"


def _summary_row(out: str, size: str) -> list[str]:
    """The row of the closing summary table for ``size`` (the table after the blank line)."""
    summary = out.split("\n\n", 1)[1]
    return next(line.split() for line in summary.splitlines() if line.split()[:1] == [size])


def test_scale_benchmark_reports_runs_and_host_speed() -> None:
    """Each run prints a line with its reference time; the summary gives fastest ≤ median, the host factor
    range starting at 1.00 (the fastest reference of the benchmark) and a wall time at the host's best."""
    out = subprocess.run([sys.executable, str(BENCH), "--sizes", "demo", "--months", "3", "--repeat", "2"],
                         check=True, capture_output=True, text=True).stdout
    runs = [line.split() for line in out.split("\n\n", 1)[0].splitlines()[1:]]
    assert len(runs) == 2 and all(r[0] == "demo" and float(r[-1]) > 0 for r in runs)
    size, fastest, median, host, adjusted, rate, peak = _summary_row(out, "demo")
    assert float(fastest) <= float(median)
    low, high = (float(x) for x in host.split("-"))
    assert low == 1.0 and high >= 1.0
    assert float(adjusted) > 0 and float(rate.replace(",", "")) > 0 and float(peak) > 0


def test_scale_benchmark_rejects_a_bad_reference_time() -> None:
    """A non-positive --reference-ms stops with a usage error before any run."""
    res = subprocess.run([sys.executable, str(BENCH), "--sizes", "demo", "--reference-ms", "0"],
                         capture_output=True, text=True)
    assert res.returncode == 2 and "--reference-ms must be positive" in res.stderr
