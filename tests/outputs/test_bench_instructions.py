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
def test_two_counts_of_the_same_code_agree_and_are_compared() -> None:
    """This checkout counted twice (once as 'another' version) gives counts within 0.5% of each other."""
    src = BENCH.parents[1] / "src"
    out = subprocess.run([sys.executable, str(BENCH), "--firms", "100", "--months", "2", "--repeat", "1",
                          "--src", str(src)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in out.splitlines()[2:]]
    assert len(rows) == 2
    counts = [float(row[1].replace(",", "")) for row in rows]
    assert min(counts) > 0 and abs(counts[0] - counts[1]) <= 0.005 * counts[0]
    ratio, *words = rows[1][-4:]
    assert words == ["of", "this", "checkout's"] and abs(float(ratio) - 1.0) <= 0.005


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
