"""The scale benchmark times the whole ``ecosim run`` command and splits it into phases and files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ecosim.outputs.files import OUTPUTS

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_scale.py"


def _block(out: str, title: str) -> list[list[str]]:
    """The rows (split into fields) of the table under the line starting with ``title``."""
    lines = next(b for b in out.split("\n\n") if b.startswith(title)).splitlines()
    return [line.split() for line in lines[2:]]


def test_bench_reports_the_command_its_phases_and_every_file() -> None:
    """One run gives the command's seconds and memory, shares of simulation, writing and the rest (start-up,
    imports) that add up to the whole, the import time, and the writing seconds of every output file."""
    out = subprocess.run([sys.executable, str(BENCH), "--sizes", "demo", "--months", "3", "--repeat", "1"],
                         check=True, capture_output=True, text=True).stdout
    (size, command, fastest, *cells, imports, memory), = _block(out, "the whole command")
    assert size == "demo" and float(command) == float(fastest) > 0 and float(memory) > 0 and float(imports) > 0
    seconds, shares = [float(x) for x in cells[0::2]], [float(x.rstrip("%")) for x in cells[1::2]]
    assert len(seconds) == 3 and all(x > 0 for x in seconds)  # simulation, writing, start-up and the rest
    assert abs(sum(seconds) - float(command)) < 0.02 and abs(sum(shares) - 100) <= 2
    header = next(b for b in out.split("\n\n") if b.startswith("writing")).splitlines()[1].split()
    assert header[1:-1] == list(OUTPUTS)
    (row,) = _block(out, "writing")
    assert row[0] == "demo" and all(float(x) >= 0 for x in row[1:]) and float(row[-1]) > 0


def test_bench_splits_the_rest_of_the_simulation_and_times_the_month_against_the_table() -> None:
    """'other' is split into the model's set-up, the monthly metrics and the rest, shares of the simulation
    below 100% together; the month's milliseconds come with the firm table's rows and the firms operating."""
    out = subprocess.run([sys.executable, str(BENCH), "--sizes", "demo", "--months", "3", "--repeat", "1",
                          "--no-command"], check=True, capture_output=True, text=True).stdout
    (size, *cells), = _block(out, "'other' in parts")
    seconds, shares = [float(x) for x in cells[0::2]], [float(x.rstrip("%")) for x in cells[1::2]]
    assert size == "demo" and len(seconds) == 3 and seconds[0] > 0 and min(seconds) >= 0
    assert 0 < sum(shares) < 100
    (size, months, ms, rows, operating), = _block(out, "the month as the firm table grows")
    assert size == "demo" and months == "1-3" and float(ms) > 0
    assert float(rows) >= float(operating) > 0


def test_bench_refuses_an_unknown_output_before_any_run() -> None:
    """A bad --outputs list is a usage error naming the allowed outputs."""
    res = subprocess.run([sys.executable, str(BENCH), "--sizes", "demo", "--outputs", "metrics,photos"],
                         capture_output=True, text=True)
    assert res.returncode == 2 and "unknown output 'photos'" in res.stderr


def test_bench_times_another_checkout_in_turn_with_a_row_of_its_own() -> None:
    """With --src every table has a row per size and checkout, this checkout's first; a folder without
    the package is refused before any run."""
    src = Path(__file__).resolve().parents[2] / "src"
    out = subprocess.run([sys.executable, str(BENCH), "--sizes", "demo", "--months", "2", "--repeat", "1",
                          "--no-command", "--src", str(src)], check=True, capture_output=True, text=True).stdout
    assert out.splitlines()[0] == f"src1 = {src}"
    rows = _block(out, "the month as the firm table grows")
    assert [row[:2] for row in rows] == [["demo", "this"], ["demo", "src1"]]
    assert all(float(row[3]) > 0 for row in rows)
    res = subprocess.run([sys.executable, str(BENCH), "--sizes", "demo", "--src", str(src.parent / "docs")],
                         capture_output=True, text=True)
    assert res.returncode == 2 and "no ecosim package in that folder" in res.stderr
