"""Experiment-engine benchmark: a Latin-hypercube sweep serially, on processes and on Dask; store speed.

Part 1 runs one Latin-hypercube sweep of the baseline (``--points`` design
points over two levers and two uncertainties, ``--seeds`` seeds each: 100 × 2
= 200 runs by default, ``--firms`` startups, ``--months`` months) three times
into fresh stores: serial, ``processes`` with ``--workers`` workers and a Dask
LocalCluster with ``--workers`` single-threaded workers (cluster start-up
included). It prints runs per second, the mean wall time of one run and the
speed-up over serial, and checks that the three stores hold identical
numbers. Target on 2 cores: ≥ 1.8× on 2 processes for runs of ≥ 1 s.

Part 2 writes ``--store-runs`` synthetic runs (a real run's monthly table,
perturbed per run) through :class:`ResultStore` in batches of ``--batch``
runs, then times a grouped mean over the monthly rows and over the runs,
before and after compaction.

On a shared machine the figures move with the neighbours' load: compare
executors within one invocation, and repeat.

    python benchmarks/bench_sweep.py [--points 100] [--seeds 2] [--firms small] [--months 120] [--workers 2]
                                     [--store-runs 10000] [--batch 100] [--store-months 120]
                                     [--skip-runs] [--skip-store]
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

#: The sweep's design: two policy levers and two uncertainties.
LEVERS = ["pool.share=0.2:0.8", "exemption.max_loan=0:2"]
UNCERTAINTIES = ["firms.entry_rate=0.005:0.02", "platforms.accuracy=0.5:0.9"]


def bench_executors(points: int, seeds: int, firms: str, months: int, workers: int) -> None:
    from ecosim.experiments.sweeps import sweep

    runs = points * seeds
    results = {}
    print(f"Latin-hypercube sweep of baseline: {points} points × {seeds} seeds = {runs} runs, {firms} startups, "
          f"{months} months, {workers} workers")
    for executor in ("serial", "processes", "dask"):
        out = Path(tempfile.mkdtemp(prefix=f"bench-{executor}-"))
        start = time.perf_counter()
        res = sweep("baseline", LEVERS, uncertainties=UNCERTAINTIES, design="lhs", samples=points, seeds=seeds,
                    months=months, firms=firms, executor=executor, workers=workers, out=out, progress=False)
        wall = time.perf_counter() - start
        assert res.report.completed == runs, res.report
        per_run = float(res.runs["wall_seconds"].mean())
        results[executor] = (wall, per_run, res.runs.drop(columns=["wall_seconds", "host", "finished_at"]))
        shutil.rmtree(out)
    base = results["serial"][0]
    for executor, (wall, per_run, _) in results.items():
        print(f"  {executor:<10} {wall:7.1f} s  {runs / wall:6.2f} runs/s  one run {per_run:5.2f} s  "
              f"speed-up {base / wall:4.2f}×")
    ref = results["serial"][2].sort_values("key").reset_index(drop=True)
    for executor, (_, _, frame) in results.items():
        frame = frame.sort_values("key").reset_index(drop=True)
        differ = [c for c in ref.columns if not frame[c].equals(ref[c])]
        print(f"  {executor}: identical to serial: {not differ}" + (f" (differs in {differ[:5]})" if differ else ""))


def bench_store(n_runs: int, batch: int, months: int = 120) -> None:
    from ecosim.experiments.store import ResultStore
    from ecosim.experiments.tasks import make_tasks
    from ecosim.experiments.variants import resolve_all
    from ecosim.experiments.worker import run_task

    variants = resolve_all(["baseline", "no_policy"], months=months, firms=300)
    template = run_task(make_tasks(variants[:1], [1])[0])
    rng = np.random.default_rng(0)
    numeric = template.metrics.select_dtypes("number").columns.drop("month")
    out = Path(tempfile.mkdtemp(prefix="bench-store-"))
    store = ResultStore(out, batch_size=batch, flush_seconds=1e9)
    tasks = make_tasks(variants, list(range(n_runs // 2)))
    # prepare outcomes first so only the store is timed
    outcomes = []
    for t in tasks:
        m = template.metrics.copy()
        m[numeric] = m[numeric] * rng.uniform(0.9, 1.1)
        o = dataclasses.replace(template, task=t, metrics=m, arrow=None)
        o.metrics_table()  # workers hand results over as Arrow tables
        outcomes.append(o)
    cols = template.metrics.shape[1]
    start = time.perf_counter()
    for o in outcomes:
        store.add(o)
    store.flush()
    write = time.perf_counter() - start
    rows = len(outcomes) * len(template.metrics)
    print(f"store: {len(outcomes):,} runs × {len(template.metrics)} months × {cols} metric columns "
          f"({rows:,} monthly rows) written in {write:.2f} s in batches of {batch} "
          f"({len(list((out / 'runs').glob('*.parquet')))} parts, "
          f"{sum(p.stat().st_size for p in out.rglob('*.parquet')) / 1e6:.0f} MB)")

    def timed(label: str) -> None:
        con = store.connect()
        for sql, what in [("SELECT scenario, month, avg(firms_alive), avg(npl_ratio) FROM monthly GROUP BY 1, 2",
                           "grouped monthly means"),
                          ("SELECT scenario, avg(survival_share), avg(total_new_loans) FROM runs GROUP BY 1",
                           "grouped run means")]:
            con.execute(sql).df()  # warm
            t0 = time.perf_counter()
            reps = 5
            for _ in range(reps):
                con.execute(sql).df()
            print(f"  {label}: {what} in {(time.perf_counter() - t0) / reps * 1000:.0f} ms")
        con.close()
        t0 = time.perf_counter()
        keys = store.completed_keys()
        print(f"  {label}: completed-key scan ({len(keys):,} keys) in {(time.perf_counter() - t0) * 1000:.0f} ms")

    timed(f"{len(list((out / 'runs').glob('*.parquet')))} parts")
    t0 = time.perf_counter()
    store.compact()
    print(f"  compaction in {time.perf_counter() - t0:.2f} s")
    timed("compacted")
    t0 = time.perf_counter()
    df = store.monthly()
    print(f"  full monthly table to pandas ({len(df):,} rows) in {time.perf_counter() - t0:.2f} s")
    shutil.rmtree(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=100)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--firms", default="small")
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--store-runs", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--store-months", type=int, default=120, help="Months of each synthetic stored run.")
    ap.add_argument("--skip-runs", action="store_true")
    ap.add_argument("--skip-store", action="store_true")
    args = ap.parse_args()
    firms = int(args.firms) if args.firms.isdigit() else args.firms
    pd.set_option("display.width", 160)
    if not args.skip_runs:
        bench_executors(args.points, args.seeds, firms, args.months, args.workers)
    if not args.skip_store:
        bench_store(args.store_runs, args.batch, args.store_months)


if __name__ == "__main__":
    main()
