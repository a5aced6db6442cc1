"""Scale benchmark: the baseline at Jinan's size and at 100,000 startups, as a user waits for it.

Each repetition of each size runs two fresh processes, one after the other:

1. a *phase* process that imports ecosim (``import`` column: what ``ecosim run``
   imports before it starts), runs the baseline for seed 1 (``sim``) and writes
   every output file of the run into a temporary folder (``write``, start to
   finish; the seconds of each file are listed at the end), with the dashboard
   drawn by a helper process started with the run as ``ecosim run`` does
   (``ecosim.outputs.painter``), and reports its peak memory;
2. the *command* itself, ``ecosim run baseline --firms SIZE --quiet --out TMP``,
   timed from outside as a user waits for it (``command``: interpreter start-up,
   imports, simulation, files, the summary table), with its own peak memory. Its
   ``run.json`` gives the simulation and writing seconds inside the command (the
   writing from start to finish, ``write_wall_seconds``); the
   rest is start-up, imports, loading the scenario and printing, and the shares
   of the whole command are computed from these (the import time of the phase
   process is shown beside them).

The phase process also times each phase of the month (``ecosim.model.MONTH``)
over the run and prints its share of the simulation, so a change to one phase
shows where it saved or cost time. What is not a phase is split into the model's
set-up (the initial population and its pre-history), the monthly metrics and the
rest; and the month's milliseconds in the second and the last year of the run are
printed beside the firm table's rows (firms that have left keep theirs) and the
firms operating, which separates what a month costs per firm from what it costs
as the table grows.

Targets on a 2-core machine: Jinan size (20,000 startups, 120 months) within 3 s
for the whole command (simulation within 2 s) and 1 GB; 100,000 startups within
15 s; time about linear in firms.

On a shared or virtual machine the same run can take noticeably longer when
neighbours are busy, so each size is run ``--repeat`` times and the fastest and
the median run are reported; compare versions by the fastest run, measured in
alternation. To show how busy the host was, the phase process also times a fixed
reference workload (numpy gathers and arithmetic plus a Python loop, the mix the
model spends its time on) every third month of the run, outside the run's own
wall time: the ``host`` column is the run's median reference time over the
fastest such median in the whole benchmark (1.00 = the host at its fastest;
1.40 = everything took 40% longer), and ``at host's best`` divides each run's
simulation time by it. ``--reference-ms`` measures the host factor against a
fixed reference time instead (the value the reference takes when the host is
quiet), so that benchmarks run at different times or on different machines
compare.

``--src OTHER/src ...`` times other checkouts too (their package folders, for
example of a worktree of ``main``, put first on ``PYTHONPATH``): every
repetition runs this checkout and then each other one, so that a change is
compared with its base in alternation, and every table has a row per size and
checkout (``jinan this``, ``jinan src1``, ...).

    python benchmarks/bench_scale.py [--sizes jinan large] [--months 120] [--repeat 3] [--reference-ms 5]
        [--outputs all] [--no-command] [--src OTHER/src ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, tempfile, time
start = time.perf_counter()
import ecosim.cli, ecosim.runner, ecosim.outputs.files  # what `ecosim run` imports before it runs
import_s = time.perf_counter() - start
import numpy as np
from ecosim.outputs.files import parse_outputs, write_run
from ecosim.firms.state import ACTIVE
from ecosim.runner import simulate
from ecosim.scenario import load_scenario
try:  # the dashboard drawn by a helper process started with the run, as `ecosim run` does
    from ecosim.outputs.painter import DashboardPainter
except ImportError:  # a checkout from before the helper: drawn in process
    DashboardPainter = None

sys.path.insert(0, sys.argv[4])  # the benchmarks folder
import reference_workload

X, IDX = reference_workload.inputs(40_000, 12_000)

def reference() -> float:
    # A fixed workload of gathers, arithmetic and a Python loop (the mix the model spends its time on).
    return reference_workload.timed(X, IDX, rounds=30, loop=30_000)

samples = []
month_log = []  # per month of the run: seconds (without the host samples), rows of the firm table, firms operating
clock = [0.0]

def sample_host(model) -> None:
    # Every third month, time the reference workload: how fast the host is running during the run.
    now = time.perf_counter()
    month_log.append((now - clock[0], len(model.firms), int(np.count_nonzero(model.firms.status == ACTIVE))))
    if model.month % 3 == 0:
        samples.append(reference())
    clock[0] = time.perf_counter()

import functools
import ecosim.model

setup_s, metrics_s = [0.0], [0.0]
_init = ecosim.model.EcosystemModel.__init__

@functools.wraps(_init)
def timed_init(self, *args, **kwargs):
    # The model's set-up (the initial population and its pre-history, the institutions), timed.
    t = time.perf_counter()
    _init(self, *args, **kwargs)
    clock[0] = time.perf_counter()
    setup_s[0] += clock[0] - t

ecosim.model.EcosystemModel.__init__ = timed_init
_metrics = ecosim.model.monthly_metrics

def timed_metrics(model):
    # The month's metrics (read by step() from the module), timed.
    t = time.perf_counter()
    out = _metrics(model)
    metrics_s[0] += time.perf_counter() - t
    return out

ecosim.model.monthly_metrics = timed_metrics

phase_s = {}

def timed(phase):
    # The phase as it runs in the month, with the seconds it takes added to phase_s.
    @functools.wraps(phase)
    def run(model):
        t = time.perf_counter()
        phase(model)
        phase_s[phase.__name__] = phase_s.get(phase.__name__, 0.0) + time.perf_counter() - t
    return run

ecosim.model.MONTH = tuple(timed(p) for p in ecosim.model.MONTH)  # read when the model is made

size, months, outputs = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sc = load_scenario("baseline", months=months, firms=size)
painter = DashboardPainter() if DashboardPainter is not None and "dashboard" in parse_outputs(outputs) else None
start = time.perf_counter()
res = simulate(sc, 1, keep_model=True, on_month=sample_host)
wall = time.perf_counter() - start - sum(samples)
with tempfile.TemporaryDirectory() as out:
    start = time.perf_counter()
    files = write_run(res, sc, 1, out, outputs, **({"painter": painter} if painter is not None else {}))
    write_s = time.perf_counter() - start
if painter is not None:
    painter.close()
firm_months = float(res.metrics["firms_alive"].sum())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"size": size, "firms": sc.run.firms, "months": months, "import_s": import_s, "wall_s": wall,
                  "write_s": write_s, "files": files, "firm_months": firm_months,
                  "firm_months_per_s": firm_months / wall, "peak_mb": peak, "firms_ever": res.summary["firms_ever"],
                  "phase_s": phase_s, "setup_s": setup_s[0], "metrics_s": metrics_s[0], "month_log": month_log,
                  "reference_s": sorted(samples)[len(samples) // 2] if samples else reference()}))
"""


def ecosim_command() -> list[str]:
    """The ``ecosim`` console script of this interpreter's environment (or ``python -m ecosim.cli``)."""
    script = Path(sys.executable).with_name("ecosim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ecosim.cli"]


def checkout_env(src: str | None) -> dict[str, str] | None:
    """The environment for runs of the checkout whose package folder is ``src`` (None: this one, as installed)."""
    if src is None:
        return None
    return {**os.environ, "PYTHONPATH": str(Path(src).resolve())}


def run_phases(size: str, months: int, outputs: str, env: dict[str, str] | None = None) -> dict:
    """One phase process: import, simulation (with host samples) and writing, timed inside it."""
    out = subprocess.run([sys.executable, "-c", CHILD, size, str(months), outputs, str(Path(__file__).parent)],
                         check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_command(size: str, months: int, outputs: str, env: dict[str, str] | None = None) -> dict:
    """``ecosim run`` as a user runs it: wall seconds from outside, its peak memory, its own run.json."""
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "stderr", "w+b") as err:
        out = Path(tmp) / "run"
        cmd = [*ecosim_command(), "run", "baseline", "--firms", size, "--months", str(months), "--seed", "1",
               "--quiet", "--outputs", outputs, "--out", str(out)]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.read().decode()[-2000:]}")
        provenance = Path(out) / "run.json"
        inside = json.loads(provenance.read_text()) if provenance.exists() else {}
    # The files' writing from start to finish (the dashboard is drawn beside the tables, so the files'
    # own seconds add up to more); the sum for a checkout whose run.json does not record it.
    write_s = inside.get("write_wall_seconds", sum(inside.get("write_seconds", {}).values()))
    return {"command_s": wall, "command_mb": usage.ru_maxrss / 1024, "command_sim_s": inside.get("wall_seconds"),
            "command_write_s": write_s if inside else None}


def _median(values: list[float | None]) -> float:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["jinan", "large"])
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--repeat", type=int, default=3, help="runs per size (the fastest and the median are reported)")
    ap.add_argument("--reference-ms", type=float, default=None,
                    help="express the runs at this reference time (the host's usual quiet-spell value) "
                         "instead of the fastest one seen in this benchmark")
    ap.add_argument("--outputs", default="all", help="files to write, as for `ecosim run --outputs`")
    ap.add_argument("--no-command", action="store_true", help="skip timing the whole `ecosim run` command")
    ap.add_argument("--src", nargs="+", default=[], metavar="OTHER/src",
                    help="also time these checkouts' package folders (for example a worktree of main), each "
                         "repetition running every checkout in turn; each table then has a row per size and checkout")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if args.reference_ms is not None and args.reference_ms <= 0:
        ap.error("--reference-ms must be positive")
    from ecosim.outputs.files import OutputsError, parse_outputs

    try:
        parse_outputs(args.outputs)
    except OutputsError as exc:
        ap.error(str(exc))
    for src in args.src:
        if not (Path(src) / "ecosim" / "__init__.py").exists():
            ap.error(f"--src {src}: no ecosim package in that folder")
    # (label, package folder): this checkout first, then the others, run in turn in every repetition
    checkouts = [("this", None)] + [(f"src{k}", src) for k, src in enumerate(args.src, 1)]
    for label, src in checkouts[1:]:
        print(f"{label} = {src}")
    w = 8 if not args.src else max(8, max(len(f"{size} {label}") for size in args.sizes for label, _ in checkouts))

    print(f"{'size':>{w}} {'firms':>8} {'months':>6} {'import s':>8} {'sim s':>7} {'write s':>7} {'command s':>9} "
          f"{'peak MB':>8} {'cmd MB':>7} {'firm-months/s':>14} {'ref ms':>7}")
    runs: dict[str, list[dict]] = {}
    for size in args.sizes:
        for _ in range(args.repeat):
            for label, src in checkouts:
                key = size if not args.src else f"{size} {label}"
                env = checkout_env(src)
                r = run_phases(size, args.months, args.outputs, env)
                r.update(run_command(size, args.months, args.outputs, env) if not args.no_command else
                         {"command_s": None, "command_mb": None, "command_sim_s": None, "command_write_s": None})
                cmd = "-" if r["command_s"] is None else f"{r['command_s']:.2f}"
                cmd_mb = "-" if r["command_mb"] is None else f"{r['command_mb']:.0f}"
                print(f"{key:>{w}} {r['firms']:>8} {r['months']:>6} {r['import_s']:>8.2f} {r['wall_s']:>7.2f} "
                      f"{r['write_s']:>7.2f} {cmd:>9} {r['peak_mb']:>8.0f} {cmd_mb:>7} "
                      f"{r['firm_months_per_s']:>14,.0f} {1000 * r['reference_s']:>7.2f}", flush=True)
                runs.setdefault(key, []).append(r)
    if args.reference_ms is None:
        base, label = min(r["reference_s"] for rs in runs.values() for r in rs), "s at host best"
    else:
        base, label = args.reference_ms / 1000, f"s at {args.reference_ms:g} ms ref"

    print()
    print("simulation (phase process):")
    print(f"{'size':>{w}} {'fastest s':>10} {'median s':>9} {'host':>10} {label:>15} "
          f"{'firm-months/s':>14} {'peak MB':>8}")
    for size, rs in runs.items():
        walls = [r["wall_s"] for r in rs]
        host = [r["reference_s"] / base for r in rs]
        adjusted = [w / h for w, h in zip(walls, host, strict=True)]
        rate = max(r["firm_months_per_s"] for r in rs)
        print(f"{size:>{w}} {min(walls):>10.2f} {statistics.median(walls):>9.2f} "
              f"{min(host):>4.2f}-{max(host):<5.2f} {statistics.median(adjusted):>15.2f} "
              f"{rate:>14,.0f} {max(r['peak_mb'] for r in rs):>8.0f}")

    if not args.no_command:
        print()
        print("the whole command (`ecosim run`), median seconds and share; simulation and writing timed inside it, "
              "the rest is start-up, imports, scenario and summary; imports alone as timed in the phase process:")
        print(f"{'size':>{w}} {'command s':>9} {'fastest':>8} {'simulation':>13} {'writing':>13} {'start-up+rest':>13} "
              f"{'import':>7} {'cmd MB':>7}")
        for size, rs in runs.items():
            command = _median([r["command_s"] for r in rs])
            parts = {"simulation": _median([r["command_sim_s"] for r in rs]),
                     "writing": _median([r["command_write_s"] for r in rs])}
            parts["rest"] = command - sum(parts.values())
            cells = " ".join(f"{v:>6.2f} {100 * v / command:>4.0f}% " for v in parts.values())
            print(f"{size:>{w}} {command:>9.2f} {min(r['command_s'] for r in rs):>8.2f} {cells} "
                  f"{_median([r['import_s'] for r in rs]):>7.2f} {max(r['command_mb'] for r in rs):>7.0f}")

    print()
    print("the month's phases (ecosim.model.MONTH), median seconds over the run and share of the simulation; "
          "'other' is the rest of simulate(): the initial population and its pre-history, the monthly metrics "
          "and the summary (split below):")
    names = list(next(iter(runs.values()))[0]["phase_s"])
    print(f"{'phase':>20} " + " ".join(f"{size:>15}" for size in runs))
    for name in [*names, "other"]:
        cells = []
        for rs in runs.values():
            if name == "other":
                secs = _median([r["wall_s"] - sum(r["phase_s"].values()) for r in rs])
            else:
                secs = _median([r["phase_s"].get(name) for r in rs])
            cells.append(f"{secs:>7.2f} {100 * secs / _median([r['wall_s'] for r in rs]):>5.1f}% ")
        print(f"{name:>20} " + " ".join(cells))

    print()
    print("'other' in parts, median seconds: the model's set-up (the initial population and its pre-history, the "
          "institutions), the monthly metrics, and the rest (Mesa's data collector, the metrics table, the summary):")
    print(f"{'size':>{w}} {'set-up':>14} {'metrics':>14} {'rest':>14}")
    for size, rs in runs.items():
        wall = _median([r["wall_s"] for r in rs])
        other = _median([r["wall_s"] - sum(r["phase_s"].values()) for r in rs])
        setup, metrics = _median([r["setup_s"] for r in rs]), _median([r["metrics_s"] for r in rs])
        cells = [setup, metrics, other - setup - metrics]
        print(f"{size:>{w}} " + " ".join(f"{v:>7.3f} {100 * v / wall:>5.1f}%" for v in cells))

    print()
    print("the month as the firm table grows (exited firms keep their rows), median over the runs: milliseconds per "
          "month, rows of the table and firms operating, in the second year and the last year of the run:")
    print(f"{'size':>{w}} {'months':>9} {'ms/month':>9} {'rows':>8} {'operating':>10}")
    for size, rs in runs.items():
        n = min(len(r["month_log"]) for r in rs)
        spans = [(12, min(24, n)), (max(n - 12, 0), n)] if n > 24 else [(0, n)]
        for a, b in spans:
            per = [[statistics.mean(c) for c in zip(*r["month_log"][a:b], strict=True)] for r in rs]
            ms, rows, operating = (_median([p[k] for p in per]) for k in range(3))
            print(f"{size:>{w}} {f'{a + 1}-{b}':>9} {1000 * ms:>9.1f} {rows:>8.0f} {operating:>10.0f}")

    print()
    print("writing, median seconds by file (phase process):")
    names = list(next(iter(runs.values()))[0]["files"])
    print(f"{'size':>{w}} " + " ".join(f"{n:>9}" for n in names) + f" {'all':>6}")
    for size, rs in runs.items():
        cells = " ".join(f"{_median([r['files'].get(n) for r in rs]):>9.3f}" for n in names)
        print(f"{size:>{w}} {cells} {_median([r['write_s'] for r in rs]):>6.2f}")


if __name__ == "__main__":
    main()
