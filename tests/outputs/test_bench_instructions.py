"""The instruction benchmark counts what ``simulate()`` executes, the same on every run of the same code."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_instructions.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_instructions", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_count_is_read_from_the_profile_totals_and_a_file_without_them_is_refused() -> None:
    """The total comes from the profile's ``totals:`` line, not from its first cost line."""
    bench = _bench()
    profile = "version: 1\ndesc: Trigger: dump simulate\nevents: Ir\nsummary: 123\nfn=(1) f\n5 77\ntotals: 4567\n"
    assert bench.instructions_in(profile) == 4567
    with pytest.raises(ValueError, match="totals"):
        bench.instructions_in("events: Ir\nfn=(1) f\n5 77\n")


@pytest.mark.skipif(shutil.which("callgrind_control") is None, reason="valgrind is not installed")
def test_the_same_code_counts_the_same_and_its_phases_account_for_the_whole() -> None:
    """This checkout counted twice (once as 'another' version, the first time split by phase) gives counts
    within 0.5% of each other, and the split names every phase of the month and 'other'."""
    from ecosim.model import MONTH

    src = BENCH.parents[1] / "src"
    out = subprocess.run([sys.executable, str(BENCH), "--firms", "100", "--months", "2", "--repeat", "1",
                          "--src", str(src), "--by-phase"], check=True, capture_output=True, text=True).stdout
    versions, phases = out.split("\n\n")
    rows = [line.split() for line in versions.splitlines()[2:]]
    assert len(rows) == 2
    counts = [float(row[1].replace(",", "")) for row in rows]
    assert min(counts) > 0 and abs(counts[0] - counts[1]) <= 0.005 * counts[0]
    ratio, *words = rows[1][-4:]
    assert words == ["of", "this", "checkout's"] and abs(float(ratio) - 1.0) <= 0.005
    split = {name: float(n.replace(",", "")) for name, n, _ in (line.split() for line in phases.splitlines()[1:])}
    assert set(split) == {p.__name__ for p in MONTH} | {"other"} and min(split.values()) >= 0
    assert abs(sum(split.values()) - counts[0]) <= 0.005 * counts[0]  # the split is of the first count


def test_the_split_by_library_adds_up_to_the_functions_and_leaves_out_the_total() -> None:
    """Each function's count goes to the first library its file matches; the PROGRAM TOTALS line is not a
    function, and code in no known library is 'other'."""
    bench = _bench()
    annotated = "\n".join([
        "1,000 (100.0%)  PROGRAM TOTALS",
        "  400 (40.00%)  ???:mapiter_trivial_get [/x/site-packages/numpy/_core/_multiarray_umath.so]",
        "  300 (30.00%)  ???:random_standard_normal [/x/site-packages/numpy/random/_generator.so]",
        "  200 (20.00%)  /b/Python-3.12.1/Python/bytecodes.c:_PyEval_EvalFrameDefault [/p/libpython3.12.so.1.0]",
        "   60  (6.00%)  ./math/../sysdeps/ieee754/dbl-64/e_exp.c:__ieee754_exp_fma",
        "   40  (4.00%)  ???:something [/y/libfoo.so]",
    ])
    split = bench.by_library(annotated)
    assert split == {"numpy random generators": 300, "numpy arrays and ufuncs": 400, "Python interpreter": 200,
                     "C library (libc, libm, loader)": 60, "other": 40}


def _dump(folder: Path, number: int, trigger: str, total: int) -> None:
    (folder / f"callgrind.out.{number}").write_text(
        f"version: 1\ncreator: callgrind-3.19.0\ndesc: Trigger: dump {trigger}\nevents: Ir\ntotals: {total}\n")


def test_each_phase_gets_its_segments_less_what_the_dumps_cost(tmp_path: Path) -> None:
    """A phase's count is the sum of its segments, each less the median cost of a dump measured between
    empty dumps (the first of which, holding the switch-on, is left out); the set-up and the end of the
    run go to 'other'; files of other triggers are ignored."""
    bench = _bench()
    for number, total in enumerate([9_000, 100, 120, 100, 80, 100], start=1):  # calibration: median 100
        _dump(tmp_path, number, "calibrate", total)
    segments = [("phase other", 5_000), ("phase lend", 1_100), ("phase other", 300), ("phase invest", 600),
                ("phase other", 150), ("phase lend", 1_300), ("phase other", 200), ("phase invest", 700),
                ("simulate", 400)]
    for number, (trigger, total) in enumerate(segments, start=7):
        _dump(tmp_path, number, trigger, total)
    (tmp_path / "callgrind.out").write_text("desc: Trigger: Program termination\ntotals: 77\n")
    split = bench.by_phase(tmp_path)
    assert split == {"other": 5_000 + 300 + 150 + 200 + 400 - 5 * 100, "lend": 2_400 - 200, "invest": 1_300 - 200}
