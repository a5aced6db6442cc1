"""The sweep benchmark runs end to end at a tiny size: the host's scaling is measured, three executors agree,
the store is timed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_sweep.py"


def test_sweep_benchmark_reports_every_executor_and_the_store() -> None:
    out = subprocess.run([sys.executable, str(BENCH), "--points", "3", "--seeds", "2", "--firms", "30", "--months",
                          "3", "--workers", "2", "--store-runs", "8", "--batch", "4", "--store-months", "12"],
                         check=True, capture_output=True, text=True, timeout=600).stdout
    assert "3 points × 2 seeds = 6 runs" in out
    host = next(ln for ln in out.splitlines() if ln.startswith("Host: 2 copies of a fixed workload"))
    assert 0.0 < float(host.split(" give ")[1].split("×")[0]) <= 2.5  # the host's own bound on a speed-up
    for executor in ("serial", "processes", "dask"):
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(executor) and "runs/s" in ln)
        assert "speed-up" in line
        assert f"{executor}: identical to serial: True" in out
    assert "store: 8 runs" in out and "compaction in" in out and "grouped run means" in out
