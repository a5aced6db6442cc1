"""A failing run is recorded and the rest complete; a sweep killed with SIGKILL resumes with each key once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ecosim.runner
from ecosim.cli import app
from ecosim.experiments import ResultStore, compare
from ecosim.experiments.seeds import derive_seeds

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def failing_second_seed(monkeypatch):
    """Make the model raise for the second seed of the default seed list."""
    bad = derive_seeds(3)[1]
    real = ecosim.runner.simulate

    def simulate(scenario, seed, **kw):
        if seed == bad:
            raise RuntimeError(f"model blew up on seed {seed}")
        return real(scenario, seed, **kw)

    monkeypatch.setattr(ecosim.runner, "simulate", simulate)
    return bad


def test_a_failing_run_is_recorded_with_its_traceback_and_the_others_complete(tmp_path, failing_second_seed):
    res = compare(["baseline", "no_policy"], seeds=3, months=6, firms=100, out=tmp_path, progress=False,
                  metrics=["survival_share"])
    assert len(res.runs) == 4
    assert sorted(res.failures["scenario"]) == ["baseline", "no_policy"]
    assert set(res.failures["seed"]) == {failing_second_seed}
    stored = ResultStore(tmp_path).failures()
    assert len(stored) == 2 and stored["traceback"].str.contains("RuntimeError: model blew up").all()
    assert (res.table["n"] == 2).all()


def test_the_command_exits_non_zero_and_lists_the_failures(tmp_path, failing_second_seed):
    result = CliRunner().invoke(app, ["compare", "baseline", "--seeds", "3", "--months", "6", "--firms", "100",
                                      "--executor", "serial", "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 1
    assert "1 run(s) failed" in result.output
    assert str(failing_second_seed) in result.output.replace("\n", "") and "model blew up" in result.output


def test_a_sweep_killed_part_way_resumes_and_stores_each_key_exactly_once(tmp_path):
    script = textwrap.dedent(f"""
        from ecosim.experiments import sweep
        sweep("baseline", ["pool.share=0.2:0.8:6"], seeds=4, months=18, firms=200, out={str(tmp_path)!r},
              executor="serial", progress=False, metrics=["survival_share"], batch_size=2)
    """)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env)
    runs_dir = tmp_path / "runs"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (runs_dir.exists() and any(runs_dir.glob("*.parquet"))):
        time.sleep(0.1)
    time.sleep(0.3)
    killed_midway = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert killed_midway, "the sweep finished before it could be killed"
    before = ResultStore(tmp_path).completed_keys()
    assert 0 < len(before) < 24

    from ecosim.experiments import sweep

    res = sweep("baseline", ["pool.share=0.2:0.8:6"], seeds=4, months=18, firms=200, out=tmp_path, progress=False,
                metrics=["survival_share"])
    assert res.report.skipped == len(before) and res.report.completed == 24 - len(before)
    store = ResultStore(tmp_path)
    runs, monthly = store.runs(), store.monthly()
    assert len(runs) == 24 and runs["key"].is_unique
    assert len(monthly) == 24 * 18 and not monthly.duplicated(["key", "month"]).any()
    # raw parts too: no key appears in two runs parts
    import pyarrow.dataset as ds

    raw = ds.dataset(sorted(str(p) for p in (tmp_path / "runs").glob("*.parquet")), format="parquet")
    keys = raw.to_table(columns=["key"]).column("key").to_pylist()
    assert len(keys) == 24 and len(set(keys)) == 24
