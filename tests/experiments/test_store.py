"""The result store: every column round-trips, compaction keeps each key once, crashes leave no half batches."""

from __future__ import annotations

import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest

from ecosim.experiments.store import ResultStore
from ecosim.experiments.tasks import make_tasks
from ecosim.experiments.variants import resolve_all
from ecosim.experiments.worker import Outcome, run_task


@pytest.fixture(scope="module")
def outcomes():
    variants = resolve_all(["baseline", "no_policy"], months=12, firms=150)
    return [run_task(t) for t in make_tasks(variants, [5, 6])]


def test_every_monthly_and_summary_column_round_trips(tmp_path, outcomes):
    store = ResultStore(tmp_path, batch_size=3)
    for o in outcomes:
        store.add(o)
    store.flush()
    monthly = store.monthly()
    runs = store.runs()
    assert len(runs) == 4 and len(monthly) == 4 * 12
    for o in outcomes:
        got = monthly[monthly.key == o.task.key].drop(columns=["key", "scenario", "seed"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(got[o.metrics.columns], o.metrics.reset_index(drop=True), check_dtype=True)
        row = runs[runs.key == o.task.key].iloc[0]
        for k, v in o.summary.items():
            assert row[k] == pytest.approx(v, nan_ok=True)
        assert row["seed"] == o.task.seed and row["scenario"] == o.task.scenario
        assert row["scenario_hash"] == o.task.scenario_hash and row["version"] == o.task.version


def test_parts_are_plain_parquet_readable_without_ecosim(tmp_path, outcomes):
    with ResultStore(tmp_path) as store:
        for o in outcomes:
            store.add(o)
    parts = sorted((tmp_path / "runs").glob("*.parquet"))
    assert parts and pq.read_table(parts[0]).num_rows == 4
    df = store.query("SELECT scenario, avg(survival_share) AS s FROM runs GROUP BY 1 ORDER BY 1")
    assert list(df["scenario"]) == ["baseline", "no_policy"]


def test_compaction_merges_parts_and_keeps_each_key_once(tmp_path, outcomes):
    store = ResultStore(tmp_path, batch_size=1)
    for o in outcomes:
        store.add(o)
    store.add(outcomes[0])  # the same run again: the store already holds its key and drops it
    store.flush()
    assert len(list((tmp_path / "runs").glob("*.parquet"))) == 4
    # a folder assembled by hand from two stores holds one run twice
    first = sorted((tmp_path / "runs").glob("*.parquet"))[0]
    shutil.copy(first, first.with_name("part-copied.parquet"))
    shutil.copy(tmp_path / "monthly" / first.name, tmp_path / "monthly" / "part-copied.parquet")
    assert len(store.runs()) == 4 and len(store.monthly()) == 48  # reads count it once
    merged = store.compact()
    assert merged["runs"] == 5
    assert len(list((tmp_path / "runs").glob("*.parquet"))) == 1
    assert len(list((tmp_path / "monthly").glob("*.parquet"))) == 1
    runs, monthly = store.runs(), store.monthly()
    assert len(runs) == 4 and runs["key"].is_unique
    assert len(monthly) == 48 and not monthly.duplicated(["key", "month"]).any()
    assert ResultStore(tmp_path).completed_keys() == {o.task.key for o in outcomes}


def test_a_batch_cut_off_before_its_runs_part_is_neither_read_nor_kept(tmp_path, outcomes):
    store = ResultStore(tmp_path, batch_size=10)
    store.add(outcomes[0])
    store.flush()
    # simulate a crash between the monthly part and the runs part of the next batch
    frame = ResultStore._monthly_frame(outcomes[1])
    frame.to_parquet(tmp_path / "monthly" / "part-crashed.parquet", index=False)
    (tmp_path / "runs" / "part-x.parquet.tmp").write_bytes(b"half")
    assert set(store.monthly()["key"]) == {outcomes[0].task.key}
    fresh = ResultStore(tmp_path)
    fresh.add(outcomes[1])
    fresh.flush()
    assert not (tmp_path / "monthly" / "part-crashed.parquet").exists()
    assert not (tmp_path / "runs" / "part-x.parquet.tmp").exists()
    assert len(fresh.monthly()) == 24 and not fresh.monthly().duplicated(["key", "month"]).any()


def test_failures_are_kept_with_traceback_until_the_run_succeeds(tmp_path, outcomes):
    ok = outcomes[0]
    bad = Outcome(task=ok.task, ok=False, error="RuntimeError: boom", traceback="Traceback...\nRuntimeError: boom")
    store = ResultStore(tmp_path)
    store.add(bad)
    store.flush()
    f = store.failures()
    assert len(f) == 1 and f.iloc[0]["error"] == "RuntimeError: boom" and "Traceback" in f.iloc[0]["traceback"]
    assert store.completed_keys() == set()
    store.add(ok)
    store.flush()
    assert len(store.failures()) == 0 and store.completed_keys() == {ok.task.key}
    info = store.describe()
    assert info["runs"] == 1 and info["failures"] == 0


def test_two_writers_saving_the_same_scenario_at_once_both_succeed(tmp_path, monkeypatch) -> None:
    """A second writer that saves the same scenario between the first one's write and its move does not
    take the first one's temporary file from under it: both succeed, and no temporary file is left."""
    import os

    first, second = ResultStore(tmp_path / "store"), ResultStore(tmp_path / "store")
    first.save_scenario("warm", "a = 1\n")  # both stores ready before the race
    second.save_scenario("warm", "a = 1\n")
    real_replace = os.replace
    raced = []

    def replace_after_the_other_writer(src, dst):
        if not raced:
            raced.append(True)
            second.save_scenario("same", "x = 1\n")  # the other writer saves the same scenario first
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_after_the_other_writer)
    first.save_scenario("same", "x = 1\n")
    folder = tmp_path / "store" / "scenarios"
    assert raced and (folder / "same.toml").read_text(encoding="utf-8") == "x = 1\n"
    assert not list(folder.glob("*.tmp"))
