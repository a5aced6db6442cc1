"""The result store under attack and under load: hostile file names, several writers, a killed sweep.

- A part file whose name is SQL never runs as SQL, and a folder named with
  quotes and glob characters reads back.
- Two identical sweeps started together into one folder store each key once.
- ``kill -9`` of a process-executor sweep leaves no worker alive after 10 s,
  and the same command afterwards completes every run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ecosim.cli import app
from ecosim.experiments.store import ResultStore, StoreError
from ecosim.experiments.tasks import make_tasks
from ecosim.experiments.variants import resolve_all
from ecosim.experiments.worker import run_task

ECOSIM = str(Path(sys.executable).with_name("ecosim"))
HOSTILE = "part-zz*'], union_by_name=true); COPY (SELECT 42 AS pwned) TO 'PWNED_BY_FILENAME.csv'; --.parquet"


@pytest.fixture(scope="module")
def outcomes():
    variants = resolve_all(["baseline"], months=3, firms=40)
    return [run_task(t) for t in make_tasks(variants, [1, 2])]


def _stored_rows(folder: Path, table: str = "runs") -> int:
    """Rows in every part file of a table, duplicates included (what was written, not what reads show)."""
    return sum(pq.read_metadata(p).num_rows for p in (folder / table).glob("*.parquet"))


def test_a_part_file_named_like_sql_is_never_executed(tmp_path, outcomes, monkeypatch):
    store_dir = tmp_path / "store"
    with ResultStore(store_dir) as store:
        for o in outcomes:
            store.add(o)
    for table in ("runs", "monthly"):
        part = next((store_dir / table).glob("part-*.parquet"))
        shutil.copy(part, store_dir / table / HOSTILE)
    monkeypatch.chdir(tmp_path)
    for args in (["results", str(store_dir)], ["results", str(store_dir), "--compact"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.stderr
        assert "2 runs" in result.stdout
    assert not list(tmp_path.rglob("PWNED*")) and not Path("PWNED_BY_FILENAME.csv").exists()
    assert len(ResultStore(store_dir).runs()) == 2


def test_sql_given_to_results_reads_the_views_and_touches_no_file(tmp_path, outcomes, monkeypatch):
    with ResultStore(tmp_path / "store") as store:
        store.add(outcomes[0])
    monkeypatch.chdir(tmp_path)
    ok = CliRunner().invoke(app, ["results", str(tmp_path / "store"), "--sql", "SELECT count(*) AS n FROM runs"])
    assert ok.exit_code == 0 and "1" in ok.stdout
    for sql in ("COPY (SELECT 42 AS pwned) TO 'PWNED.csv'", "SELECT * FROM read_csv('/etc/hostname')",
                "SET enable_external_access = true"):
        result = CliRunner().invoke(app, ["results", str(tmp_path / "store"), "--sql", sql])
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not list(tmp_path.rglob("PWNED*"))


def test_a_results_folder_named_with_quotes_and_glob_characters_reads_back(tmp_path, outcomes):
    folder = tmp_path / "o'brien [1] *?"
    with ResultStore(folder, batch_size=1) as store:
        for o in outcomes:
            store.add(o)
    assert sorted(store.runs()["key"]) == sorted(o.task.key for o in outcomes)
    assert len(store.monthly()) == 6
    store.compact()
    assert len(ResultStore(folder).runs()) == 2


def test_an_empty_store_reads_as_empty(tmp_path):
    store = ResultStore(tmp_path / "empty")
    store._prepare()  # the state after a kill -9 before the first batch landed
    assert len(store.runs()) == 0 and len(store.monthly()) == 0 and len(store.failures()) == 0
    result = CliRunner().invoke(app, ["results", str(tmp_path / "empty")])
    assert result.exit_code == 0, result.stderr
    assert "0 runs" in result.stdout


def test_a_corrupt_part_is_named_in_one_line(tmp_path, outcomes):
    with ResultStore(tmp_path) as store:
        store.add(outcomes[0])
    (tmp_path / "runs" / "part-broken.parquet").write_bytes(b"PAR1 but not really")
    with pytest.raises(StoreError, match=r"runs/part-broken\.parquet.*not readable Parquet"):
        store.runs()


def test_the_same_run_added_by_two_writers_is_stored_once(tmp_path, outcomes):
    first, second = ResultStore(tmp_path), ResultStore(tmp_path)
    first.add(outcomes[0])
    second.add(outcomes[0])
    second.add(outcomes[1])
    first.flush()
    second.flush()
    assert _stored_rows(tmp_path) == 2 and len(ResultStore(tmp_path).runs()) == 2


def _sweep(out: Path, *extra: str) -> list[str]:
    return [ECOSIM, "sweep", "baseline", "--param", "exemption.max_loan=2:20:3", "--seeds", "2", "--out", str(out),
            "--quiet", *extra]


def test_two_identical_sweeps_started_together_store_each_key_once(tmp_path):
    out = tmp_path / "shared"
    cmd = _sweep(out, "--months", "3", "--firms", "30", "--executor", "serial")
    procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    runs = ResultStore(out).runs()
    assert len(runs) == 6 and runs["key"].is_unique
    assert _stored_rows(out) == 6  # not merely deduplicated on read: written once
    assert _stored_rows(out, "monthly") == 6 * 3


def _children(pid: int) -> set[int]:
    """Pids of every live descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {c for c, p in parents.items() if p in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_killed_process_sweep_leaves_no_worker_and_resumes_completely(tmp_path):
    out = tmp_path / "killed"
    cmd = _sweep(out, "--months", "36", "--firms", "150", "--executor", "processes", "--workers", "2")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    workers: set[int] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(workers) < 3:  # two workers and the resource tracker
        workers |= _children(proc.pid)
        time.sleep(0.2)
    assert workers, "the sweep started no worker processes"
    time.sleep(1.0)
    assert proc.poll() is None, "the sweep ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.2)
    orphans = [w for w in workers if _alive(w)]
    for w in orphans:  # clean up before failing: only the pids this test started
        os.kill(w, signal.SIGKILL)
    assert not orphans, f"{len(orphans)} worker(s) outlived the killed sweep by 10 s"
    stored_before = _stored_rows(out) if (out / "runs").is_dir() else 0
    assert stored_before < 6, "the sweep was killed after it had finished"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    runs = ResultStore(out).runs()
    assert len(runs) == 6 and runs["key"].is_unique
    assert _stored_rows(out) == 6
