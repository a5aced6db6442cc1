"""Experiment-engine benchmark: executor overhead; a sweep serially, on processes and on Dask; store speed.

Part 1 first measures the host: a fixed workload (numpy gathers and a Python
loop) run alone and ``--workers`` copies at once in plain processes; the ratio
of throughputs is the most any executor can gain on this host (a shared or
virtual machine often gives less than the number of cores). It then times the
executors themselves (``--overhead-tasks``, skip with ``--skip-overhead``),
for ``processes`` and ``dask`` on 1 and ``--workers`` workers: the start-up
(pool or LocalCluster opened and a first empty task back) and the shut-down;
the cost of one submission, from empty tasks sent one by one (wall ms per
task, per worker) and with short-run chunking on; and the
overhead of a 1 s CPU-bound task (it spins for 1 s of wall time, so its length
does not move with the machine's load): wall time beyond the ideal, and the CPU
that executor, scheduler and workers burn beside the tasks, in ms per task and
as a share of the 1 s. The CPU figure is the one that holds on a busy machine.

Part 2 runs one Latin-hypercube sweep of the baseline (``--points`` design
points over two levers and two uncertainties, ``--seeds`` seeds each: 100 × 2
= 200 runs by default, ``--firms`` startups, ``--months`` months) into fresh
stores, interleaved with a serial baseline: serial, processes, serial, dask,
serial (``--repeat`` rounds). Each parallel sweep (start-up included) is
compared with the mean of the serial sweeps either side of it, so a change in
the neighbours' load between runs moves both. It prints runs per second, the
mean wall time of one run, the speed-up, the load average around each sweep,
and checks that every store holds the numbers of the serial one. Target on 2
cores: ≥ 1.8× on 2 workers for runs of ≥ 1 s, with both executors.

Part 3 writes ``--store-runs`` synthetic runs (a real run's monthly table,
perturbed per run) through :class:`ResultStore` in batches of ``--batch``
runs, then times a grouped mean over the monthly rows and over the runs,
before and after compaction.

    python benchmarks/bench_sweep.py [--points 100] [--seeds 2] [--firms small] [--months 120] [--workers 2]
                                     [--repeat 1] [--overhead-tasks 200]
                                     [--store-runs 10000] [--batch 100] [--store-months 120]
                                     [--skip-overhead] [--skip-runs] [--skip-store]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from reference_workload import inputs, timed  # beside this script

#: The sweep's design: two policy levers and two uncertainties.
LEVERS = ["pool.share=0.2:0.8", "exemption.max_loan=0:2"]
UNCERTAINTIES = ["firms.entry_rate=0.005:0.02", "platforms.accuracy=0.5:0.9"]
#: Length of the fixed-length task, seconds.
BUSY_SECONDS = 1.0


def load() -> str:
    """The 1-minute load average and the cores, as text."""
    try:
        return f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    except OSError:  # pragma: no cover - not Unix
        return "load unknown"


def empty(x):
    """A task that does nothing."""
    return x


def busy(x):
    """A CPU-bound task of :data:`BUSY_SECONDS` wall time; returns its CPU seconds."""
    end = time.perf_counter() + BUSY_SECONDS
    c0 = time.thread_time()
    while time.perf_counter() < end:
        pass
    return time.thread_time() - c0


def tree_cpu() -> float:
    """CPU seconds used so far by this process and every process it started (0 without psutil)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with distributed
        return 0.0
    me = psutil.Process()
    total = 0.0
    for proc in [me, *me.children(recursive=True)]:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def fixed_work(_=None) -> float:
    """A fixed workload of numpy gathers and arithmetic plus a Python loop (the model's mix); its seconds."""
    x, idx = inputs(400_000, 120_000)
    return timed(x, idx, rounds=200, loop=2_000_000)


def host_scaling(workers: int, rounds: int = 3) -> float:
    """Throughput of ``workers`` copies of :func:`fixed_work` run at once over that of one copy alone.

    Plain worker processes, none of ecosim's executors: the bound the host itself sets on any executor's
    speed-up (shared caches, memory bandwidth, a virtual machine's neighbours). Median over ``rounds``.
    """
    from concurrent.futures import ProcessPoolExecutor

    ratios = []
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(fixed_work, range(workers)))  # warm the workers
        for _ in range(rounds):
            alone = float(np.mean([pool.submit(fixed_work).result() for _ in range(workers)]))
            together = float(np.mean(list(pool.map(fixed_work, range(workers)))))
            ratios.append(workers * alone / together)
    return float(np.median(ratios))


def bench_overhead(workers: int, n_empty: int) -> None:
    from ecosim.experiments.executors import open_pool

    scaling = host_scaling(workers)
    print(f"Host: {workers} copies of a fixed workload run at once give {scaling:.2f}× the throughput of one "
          f"alone (median of 3; the bound on any executor's speed-up on this host) [{load()}]")
    print(f"Executor overhead ({load()}); per-task wall figures are per worker")
    for executor in ("processes", "dask"):
        for w in sorted({1, workers}):
            t0 = time.perf_counter()
            with open_pool(executor, workers=w) as pool:
                list(pool.imap_unordered(empty, range(w), max_chunk=1))  # workers up and importable
                ready = time.perf_counter() - t0
                t1 = time.perf_counter()
                list(pool.imap_unordered(empty, range(n_empty), max_chunk=1))
                one_by_one = (time.perf_counter() - t1) * w / n_empty * 1000
                t1 = time.perf_counter()
                list(pool.imap_unordered(empty, range(n_empty)))
                chunked = (time.perf_counter() - t1) * w / n_empty * 1000
                n_busy = 4 * w
                c0, t1 = tree_cpu(), time.perf_counter()
                task_cpu = sum(pool.imap_unordered(busy, range(n_busy)))
                wall, cpu = time.perf_counter() - t1, tree_cpu() - c0
                t2 = time.perf_counter()
            closing = time.perf_counter() - t2
            per_busy = (wall - n_busy * BUSY_SECONDS / w) / (n_busy / w) * 1000
            side_cpu = (cpu - task_cpu) / n_busy * 1000
            print(f"  {executor:<10} {w} worker{'s' if w > 1 else ' '}  start-up {ready:5.2f} s  shut-down "
                  f"{closing:4.2f} s  empty task {one_by_one:6.2f} ms one by one, {chunked:5.2f} ms chunked  "
                  f"1 s task: +{per_busy:5.1f} ms wall, {side_cpu:5.1f} ms CPU beside it "
                  f"({side_cpu / (BUSY_SECONDS * 10):.1f}%)  [{load()}]")


def bench_executors(points: int, seeds: int, firms: str, months: int, workers: int, repeat: int = 1) -> None:
    from ecosim.experiments.sweeps import sweep

    runs = points * seeds
    print(f"Latin-hypercube sweep of baseline: {points} points × {seeds} seeds = {runs} runs, {firms} startups, "
          f"{months} months, {workers} workers, {repeat} round(s) interleaved with serial")

    def one(executor: str):
        out = Path(tempfile.mkdtemp(prefix=f"bench-{executor}-"))
        before = os.getloadavg()[0]
        start = time.perf_counter()
        res = sweep("baseline", LEVERS, uncertainties=UNCERTAINTIES, design="lhs", samples=points, seeds=seeds,
                    months=months, firms=firms, executor=executor, workers=workers, out=out, progress=False)
        wall = time.perf_counter() - start
        assert res.report.completed == runs, res.report
        per_run = float(res.runs["wall_seconds"].mean())
        frame = res.runs.drop(columns=["wall_seconds", "host", "finished_at"])
        shutil.rmtree(out)
        return wall, res.report.seconds, per_run, frame, (before, os.getloadavg()[0])

    order = ["serial"]
    for _ in range(repeat):
        order += ["processes", "serial", "dask", "serial"]
    done = [(ex, *one(ex)) for ex in order]
    serial = [d for d in done if d[0] == "serial"]
    ref = done[0][4].sort_values("key").reset_index(drop=True)
    lines, same = [], {}
    print("  sweep: whole call (design, runs, store, tables, figure); runs: the batch inside it (workers started, "
          "runs done and stored, workers stopped)")
    for i, (executor, wall, batch, per_run, frame, (l0, l1)) in enumerate(done):
        if executor == "serial":
            base, base_batch = float(np.mean([d[1] for d in serial])), float(np.mean([d[2] for d in serial]))
            base_text = "vs mean of all serial"
        else:
            base, base_batch = (done[i - 1][1] + done[i + 1][1]) / 2, (done[i - 1][2] + done[i + 1][2]) / 2
            base_text = f"vs serial either side, {done[i - 1][1]:.1f}/{done[i + 1][1]:.1f} s"
        lines.append(f"  {executor:<10} {wall:7.1f} s  {runs / wall:6.2f} runs/s  one run {per_run:5.2f} s  "
                     f"speed-up {base / wall:4.2f}× sweep, {base_batch / batch:4.2f}× runs ({batch:.1f} s)  "
                     f"({base_text}; load {l0:.2f}→{l1:.2f})")
        frame = frame.sort_values("key").reset_index(drop=True)
        differ = [c for c in ref.columns if not frame[c].equals(ref[c])]
        same.setdefault(executor, []).extend(differ)
    print("\n".join(lines))
    for executor, differ in same.items():
        print(f"  {executor}: identical to serial: {not differ}" + (f" (differs in {sorted(set(differ))[:5]})"
                                                                    if differ else ""))


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
    ap.add_argument("--repeat", type=int, default=1, help="Rounds of processes and dask sweeps between serial ones.")
    ap.add_argument("--overhead-tasks", type=int, default=200, help="Empty tasks per executor overhead measurement.")
    ap.add_argument("--skip-overhead", action="store_true")
    ap.add_argument("--skip-runs", action="store_true")
    ap.add_argument("--skip-store", action="store_true")
    args = ap.parse_args()
    firms = int(args.firms) if args.firms.isdigit() else args.firms
    pd.set_option("display.width", 160)
    if not args.skip_overhead:
        bench_overhead(args.workers, args.overhead_tasks)
    if not args.skip_runs:
        bench_executors(args.points, args.seeds, firms, args.months, args.workers, args.repeat)
    if not args.skip_store:
        bench_store(args.store_runs, args.batch, args.store_months)


if __name__ == "__main__":
    main()
