"""Instruction benchmark: the simulation's cost counted in machine instructions, which a busy host does not change.

Wall-clock time on a shared machine varies with what its neighbours do: the
same run of 2,000 firms can take anywhere between 1.8 and 2.3 seconds, so a
change that saves less than about a tenth cannot be told apart from noise by
:mod:`bench_scale`. The number of instructions the processor executes for the
same run does not depend on the host's load. This benchmark runs ``simulate()``
under valgrind's callgrind tool, with counting switched on only around the
call (the interpreter's start-up, the imports and loading the scenario are not
counted), and reports the instructions it executed.

Instructions are not seconds: a memory-bound step costs more time per
instruction than arithmetic does, so a change that trades instructions for
memory traffic can look better here than it is. Use this benchmark to compare
two versions of the code on the same workload (``--src`` points at another
checkout's ``src``; the versions are run in alternation), and
:mod:`bench_scale` for what a user waits.

Counting slows a run about forty-fold: 2,000 firms for 24 months take about a
minute per run. ``PYTHONHASHSEED`` is fixed so that repeated runs execute the
same code paths; two such runs agreed to within 0.01%.

``--by-library`` also splits this checkout's count by the library the
instructions ran in (from ``callgrind_annotate``): the Python interpreter (the
cost of the calls themselves), numpy's array code, numpy's random generators
and the C library (``exp``, copies, allocation). It tells a month's fixed cost
of calls from its array work without a timer. ``--by-phase`` instead splits
it by phase of the month (``ecosim.model.MONTH``; 'other' is the set-up, the
monthly metrics and Mesa's data collector), with a dump of the counts before
and after every phase; what the dump calls themselves cost is measured before
the run and taken off each phase, and the count reported for that run is the
sum of the corrected phases (within 0.1% of an uninterrupted run's count at
Jinan's size).

Requires valgrind (``apt install valgrind``), whose ``callgrind_control``
switches the counting on and off from inside the run.

    python benchmarks/bench_instructions.py [--firms 2000] [--months 24] [--seed 1] [--repeat 2]
        [--src OTHER/src ...] [--by-library | --by-phase]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Runs in the process valgrind watches: everything before ``simulate()`` is left uncounted.
CHILD = r"""
import functools, os, subprocess, sys
from ecosim.runner import model_class, simulate
from ecosim.scenario import load_scenario

firms, months, seed, phases = (int(a) for a in sys.argv[1:5])
scenario = load_scenario("baseline")
model_class()  # the model's imports, outside the count


def control(*args):
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True, capture_output=True)


if phases:
    # Each phase's instructions in a dump of its own, named after it; what runs between phases
    # (the set-up, the monthly metrics, Mesa's data collector) is dumped as 'other'.
    import ecosim.model

    def counted(phase):
        @functools.wraps(phase)
        def run(model):
            control("--dump=phase other")
            phase(model)
            control(f"--dump=phase {phase.__name__}")
        return run

    ecosim.model.MONTH = tuple(counted(p) for p in ecosim.model.MONTH)  # read when the model is made

control("--instr=on")
if phases:
    # What one dump between two segments costs the run (the Python side of a control call): the
    # segments between consecutive empty dumps, the first of which also holds the switch-on.
    for _ in range(6):
        control("--dump=calibrate")
result = simulate(scenario, seed, firms=firms, months=months)
control("--dump=simulate")
control("--instr=off")
print(len(result.metrics))
"""

#: Libraries by the file name callgrind_annotate gives their code, first match wins.
LIBRARIES = (
    ("numpy random generators", re.compile(r"numpy/random/")),
    ("numpy arrays and ufuncs", re.compile(r"numpy/")),
    ("Python interpreter", re.compile(r"libpython|Python-3|/Python/|/Objects/")),
    ("C library (libc, libm, loader)", re.compile(r"libc\.so|libm\.so|ld-linux|sysdeps|/math/|/malloc/|/string/")),
)
#: A function's line of callgrind_annotate's table: its count and where it is.
_FUNCTION_LINE = re.compile(r"^\s*([\d,]+)\s+\([ \d.]+%\)\s+(.*)$")
#: The line of a callgrind profile that holds its total instruction count.
_TOTALS = re.compile(r"^totals:\s+(\d+)", re.MULTILINE)


def instructions_in(profile: str) -> int:
    """The total instruction count of one callgrind profile (the text of its ``totals:`` line)."""
    match = _TOTALS.search(profile)
    if match is None:
        raise ValueError("not a callgrind profile: it has no 'totals:' line")
    return int(match.group(1))


def simulate_dump(folder: Path) -> Path:
    """The profile dumped at the end of ``simulate()`` among the files callgrind wrote into ``folder``."""
    for path in sorted(folder.glob("callgrind.out*")):
        if "Trigger: dump simulate" in path.read_text(errors="replace")[:2000]:
            return path
    raise FileNotFoundError(f"no profile of simulate() in {folder}")


def by_library(annotated: str) -> dict[str, int]:
    """Instructions per library (:data:`LIBRARIES`, the rest as "other") from ``callgrind_annotate`` output."""
    out = {name: 0 for name, _ in LIBRARIES} | {"other": 0}
    for line in annotated.splitlines():
        match = _FUNCTION_LINE.match(line)
        if match is None or "PROGRAM TOTALS" in line:
            continue
        where = match.group(2)
        name = next((name for name, pattern in LIBRARIES if pattern.search(where)), "other")
        out[name] += int(match.group(1).replace(",", ""))
    return out


def by_phase(folder: Path) -> dict[str, int]:
    """Instructions per phase of the month (and 'other': the set-up, the monthly metrics, the data
    collector) from the dumps in ``folder``, less what the dumps themselves cost.

    The run dumps its counts before and after every phase (``phase other``, ``phase NAME``) and at
    its end (``simulate``, which closes an 'other' segment). Each segment also holds part of the
    Python side of the dump calls around it; that cost is the median of the segments between
    consecutive empty dumps (``calibrate``) made before the run, and is taken off every segment.
    """
    sums: dict[str, int] = {}
    segments: dict[str, int] = {}
    calibration: list[tuple[int, int]] = []
    for path in folder.glob("callgrind.out*"):
        text = path.read_text(errors="replace")
        match = re.search(r"^desc: Trigger: dump (phase (\w+)|simulate|calibrate)$", text[:2000], re.MULTILINE)
        if match is None:
            continue
        if match.group(1) == "calibrate":
            calibration.append((int(path.suffix[1:]), instructions_in(text)))  # dumps are numbered in order
            continue
        name = match.group(2) or "other"
        sums[name] = sums.get(name, 0) + instructions_in(text)
        segments[name] = segments.get(name, 0) + 1
    cost = statistics.median(n for _, n in sorted(calibration)[1:]) if len(calibration) > 1 else 0
    return {name: max(total - round(cost * segments[name]), 0) for name, total in sums.items()}


def count(src: Path, firms: int, months: int, seed: int, libraries: bool = False,
          phases: bool = False) -> tuple[int, dict[str, int], dict[str, int]]:
    """Instructions executed by ``simulate()`` for the baseline with the code under ``src``,
    (``libraries``) their split by library and (``phases``) by phase of the month."""
    with tempfile.TemporaryDirectory(prefix="ecosim-instr-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(src)}
        subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no",
             f"--callgrind-out-file={folder / 'callgrind.out'}",
             sys.executable, "-c", CHILD, str(firms), str(months), str(seed), str(int(phases))],
            check=True, env=env, capture_output=True, text=True)
        profile = simulate_dump(folder)
        split = {}
        if libraries:
            annotated = subprocess.run(["callgrind_annotate", "--threshold=100", str(profile)],
                                       check=True, capture_output=True, text=True).stdout
            split = by_library(annotated)
        phase_split = by_phase(folder) if phases else {}
        if phase_split:
            return sum(phase_split.values()), split, phase_split
        return instructions_in(profile.read_text(errors="replace")), split, phase_split


def main(argv: list[str] | None = None) -> None:
    """Count each version's instructions ``--repeat`` times, in alternation, and print them."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--firms", type=int, default=2000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--src", type=Path, nargs="*", default=[],
                    help="other checkouts' src folders to count beside this one's (e.g. a worktree of main)")
    split_by = ap.add_mutually_exclusive_group()
    split_by.add_argument("--by-library", action="store_true",
                          help="split this checkout's count by library (interpreter, numpy, random, C library)")
    split_by.add_argument("--by-phase", action="store_true",
                          help="split this checkout's count by phase of the month (slower: a dump per phase and month)")
    args = ap.parse_args(argv)
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            ap.error(f"{tool} is not installed (apt install valgrind)")
    versions = [ROOT / "src", *args.src]
    counts: list[list[int]] = [[] for _ in versions]  # by position: the same folder may be given twice
    split: dict[str, int] = {}
    phase_split: dict[str, int] = {}
    for repeat in range(args.repeat):
        for k, (runs, src) in enumerate(zip(counts, versions)):
            first_run = repeat == 0 and k == 0
            total, libraries, phases = count(src, args.firms, args.months, args.seed,
                                             libraries=args.by_library and first_run,
                                             phases=args.by_phase and first_run)
            runs.append(total)
            split = split or libraries
            phase_split = phase_split or phases
    firm_months = args.firms * args.months
    print(f"baseline, seed {args.seed}, {args.firms} firms, {args.months} months: instructions executed by simulate()")
    print(f"{'version':>40} {'millions':>14} {'spread':>8} {'per firm-month':>15}")
    first = statistics.median(counts[0])
    for k, (src, runs) in enumerate(zip(versions, counts)):
        median = statistics.median(runs)
        spread = (max(runs) - min(runs)) / median
        ratio = f"  {median / first:.4f} of this checkout's" if k else ""
        print(f"{str(src)[-40:]:>40} {median / 1e6:14,.1f} {spread:8.2%} {median / firm_months:15,.0f}{ratio}")
    if split:
        total = sum(split.values())
        print()
        print("this checkout's instructions by library (first run):")
        for name, n in split.items():
            print(f"{name:>40} {n / 1e6:14,.1f} {n / total:8.1%}")
    if phase_split:
        total = sum(phase_split.values())
        print()
        print("this checkout's instructions by phase of the month (first run; 'other': set-up, monthly metrics, "
              "data collector):")
        for name, n in sorted(phase_split.items(), key=lambda item: -item[1]):
            print(f"{name:>40} {n / 1e6:14,.1f} {n / total:8.1%}")


if __name__ == "__main__":
    main()
