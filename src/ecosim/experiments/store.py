"""The result store: append-only Parquet parts in one folder, queried with DuckDB.

Layout of a results folder::

    DIR/
      store.json                      format marker and version
      runs/part-<batch>.parquet       one row per finished run: key, scenario, seed,
                                      months, firms, scenario_hash, version, git_commit,
                                      params (JSON), wall_seconds, host, finished_at,
                                      then every summary figure
      monthly/part-<batch>.parquet    one row per run and month: key, scenario, seed,
                                      month, then every monthly metric
      failures/part-<batch>.parquet   one row per failed attempt: key, scenario, seed,
                                      error, traceback, finished_at
      scenarios/<hash>.toml           every resolved scenario, by content hash

Runs are written in small batches as they finish. Each part is written to a
temporary name and renamed into place (atomic on POSIX), and a batch's
``monthly`` part is renamed before its ``runs`` part: the ``runs`` parts are
the manifest of completed keys. A crash can leave at most a ``monthly`` part
with no matching ``runs`` part; it is removed when the store is next opened
for writing and never read. Reruns skip keys already in ``runs``, so a
killed sweep loses only runs in flight and no key appears twice.

:meth:`ResultStore.compact` merges the parts of each table into one file (a
journal makes it crash-safe). Any tool that reads Parquet (DuckDB, pandas,
Polars, R arrow) can read the folder directly, e.g.
``SELECT scenario, avg(survival_share) FROM 'DIR/runs/*.parquet' GROUP BY 1``.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ecosim.experiments.worker import Outcome

FORMAT = "ecosim-results"
FORMAT_VERSION = 1
TABLES = ("runs", "monthly", "failures")
RUN_COLUMNS = ("key", "scenario", "seed", "seed_index", "months", "firms", "scenario_hash", "version", "git_commit",
               "params", "wall_seconds", "host", "finished_at")


def git_commit() -> str:
    """The commit of the code checkout, or an empty string outside git."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


class ResultStore:
    """One results folder: write outcomes in batches, read them back as DataFrames.

    Args:
        path: The folder (created when missing).
        batch_size: Runs buffered before a batch is written.
        flush_seconds: A batch is also written when this long has passed.
    """

    def __init__(self, path: str | Path, *, batch_size: int = 16, flush_seconds: float = 5.0) -> None:
        self.path = Path(path)
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self._buffer: list[Outcome] = []
        self._last_flush = time.monotonic()
        self._commit: str | None = None
        self._repaired = False

    # ------------------------------------------------------------------ writing

    def _prepare(self) -> None:
        if self._repaired:
            return
        for table in (*TABLES, "scenarios"):
            (self.path / table).mkdir(parents=True, exist_ok=True)
        marker = self.path / "store.json"
        if not marker.exists():
            marker.write_text(json.dumps({"format": FORMAT, "version": FORMAT_VERSION}) + "\n")
        self._finish_compaction()
        runs = {p.name for p in (self.path / "runs").glob("part-*.parquet")}
        for table in ("monthly", "failures"):
            for tmp in (self.path / table).glob("*.tmp"):
                tmp.unlink(missing_ok=True)
        for tmp in (self.path / "runs").glob("*.tmp"):
            tmp.unlink(missing_ok=True)
        done: set[str] | None = None
        for part in (self.path / "monthly").glob("part-*.parquet"):
            if part.name in runs:
                continue
            if done is None:
                done = self.completed_keys()
            keys = set(pq.read_table(part, columns=["key"]).column("key").to_pylist())
            if not keys & done:  # batch interrupted before its runs part landed
                part.unlink(missing_ok=True)
        self._repaired = True

    def save_scenario(self, content_hash: str, toml_text: str) -> None:
        """Keep a resolved scenario's TOML (provenance) under its content hash."""
        self._prepare()
        target = self.path / "scenarios" / f"{content_hash}.toml"
        if not target.exists():
            tmp = target.with_suffix(".toml.tmp")
            tmp.write_text(toml_text, encoding="utf-8")
            os.replace(tmp, target)

    def add(self, outcome: Outcome) -> None:
        """Buffer one outcome; writes a batch when the buffer is full or old."""
        self._buffer.append(outcome)
        if len(self._buffer) >= self.batch_size or time.monotonic() - self._last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Write buffered outcomes as one batch of parts."""
        self._last_flush = time.monotonic()
        if not self._buffer:
            return
        self._prepare()
        if self._commit is None:
            self._commit = git_commit()
        batch, self._buffer = self._buffer, []
        name = f"part-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:10]}.parquet"
        ok = [o for o in batch if o.ok]
        failed = [o for o in batch if not o.ok]
        if failed:
            self._write(pd.DataFrame([self._failure_row(o) for o in failed]), "failures", name)
        if ok:
            self._write(self._monthly_table(ok), "monthly", name)
            self._write(pd.DataFrame([self._run_row(o) for o in ok]), "runs", name)

    def _write(self, frame: pd.DataFrame | pa.Table, table: str, name: str) -> None:
        target = self.path / table / name
        tmp = target.with_name(target.name + ".tmp")
        data = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(data, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)

    def _run_row(self, o: Outcome) -> dict:
        t = o.task
        row = {"key": t.key, "scenario": t.scenario, "seed": t.seed, "seed_index": t.seed_index, "months": t.months,
               "firms": t.firms, "scenario_hash": t.scenario_hash, "version": t.version,
               "git_commit": self._commit or "", "params": t.params_json, "wall_seconds": o.wall_seconds,
               "host": o.host, "finished_at": o.finished_at}
        row.update({k: float(v) for k, v in o.summary.items()})
        return row

    @staticmethod
    def _monthly_frame(o: Outcome) -> pd.DataFrame:
        """One run's monthly rows with its key, scenario and seed in front."""
        return ResultStore._monthly_table([o]).to_pandas()

    @staticmethod
    def _monthly_table(outcomes: list[Outcome]) -> pa.Table:
        """The monthly rows of several runs as one Arrow table, with key, scenario and seed in front."""
        lengths = [len(o.metrics) for o in outcomes]
        tables = [o.metrics_table() for o in outcomes]
        body = pa.concat_tables(tables, promote_options="default")  # zero-copy; aligns columns by name
        front = {
            "key": pa.array(np.repeat([o.task.key for o in outcomes], lengths)),
            "scenario": pa.array(np.repeat([o.task.scenario for o in outcomes], lengths)),
            "seed": pa.array(np.repeat(np.array([o.task.seed for o in outcomes], dtype=np.int64), lengths)),
        }
        return pa.table({**front, **{name: body.column(name) for name in body.column_names}})

    @staticmethod
    def _failure_row(o: Outcome) -> dict:
        t = o.task
        return {"key": t.key, "scenario": t.scenario, "seed": t.seed, "seed_index": t.seed_index,
                "params": t.params_json, "error": o.error, "traceback": o.traceback, "host": o.host,
                "finished_at": o.finished_at}

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc) -> None:
        self.flush()

    # ------------------------------------------------------------------ reading

    def _parts(self, table: str) -> list[Path]:
        return sorted((self.path / table).glob("part-*.parquet"))

    def completed_keys(self) -> set[str]:
        """Keys of every run the store holds."""
        parts = self._parts("runs")
        if not parts:
            return set()
        keys: set[str] = set()
        for p in parts:
            keys.update(pq.read_table(p, columns=["key"]).column("key").to_pylist())
        return keys

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with views ``runs``, ``monthly`` and ``failures``.

        ``monthly`` holds only rows of completed runs; ``failures`` only keys that
        have not completed since.
        """
        if (self.path / "compact.json").exists():
            self._finish_compaction()
        con = duckdb.connect()
        for table in TABLES:
            parts = self._parts(table)
            if parts:
                files = ", ".join(f"'{p.as_posix()}'" for p in parts)
                src = f"read_parquet([{files}], union_by_name = true)"
            else:
                src = None
            if table == "runs":
                con.execute(f"CREATE VIEW runs AS SELECT * FROM {src}" if src else
                            "CREATE VIEW runs AS SELECT NULL::VARCHAR AS key, NULL::VARCHAR AS scenario, "
                            "NULL::BIGINT AS seed WHERE false")
            elif table == "monthly":
                con.execute(f"CREATE VIEW monthly AS SELECT * FROM {src} WHERE key IN (SELECT key FROM runs)" if src
                            else "CREATE VIEW monthly AS SELECT NULL::VARCHAR AS key, NULL::VARCHAR AS scenario, "
                                 "NULL::BIGINT AS seed, NULL::BIGINT AS month WHERE false")
            else:
                con.execute(f"CREATE VIEW failures AS SELECT * FROM {src} WHERE key NOT IN (SELECT key FROM runs)"
                            if src else "CREATE VIEW failures AS SELECT NULL::VARCHAR AS key, NULL::VARCHAR AS "
                            "scenario, NULL::BIGINT AS seed, NULL::VARCHAR AS error, NULL::VARCHAR AS traceback "
                            "WHERE false")
        return con

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run SQL over the views ``runs``, ``monthly`` and ``failures``; returns a DataFrame."""
        con = self.connect()
        try:
            return con.execute(sql, params or []).df()
        finally:
            con.close()

    def runs(self, keys: Iterable[str] | None = None) -> pd.DataFrame:
        """One row per completed run (optionally only the given keys)."""
        return self._select("runs", keys, order="scenario, seed_index")

    def monthly(self, keys: Iterable[str] | None = None, columns: list[str] | None = None) -> pd.DataFrame:
        """Monthly metrics of completed runs (optionally only some keys and metric columns)."""
        cols = "*" if not columns else ", ".join(["key", "scenario", "seed", "month", *[c for c in columns if c not in
                                                                                         ("key", "scenario", "seed", "month")]])
        return self._select("monthly", keys, order="scenario, seed, month", cols=cols)

    def failures(self, keys: Iterable[str] | None = None) -> pd.DataFrame:
        """Failed attempts of runs that have not completed since (latest attempt per key)."""
        df = self._select("failures", keys, order="finished_at")
        return df.drop_duplicates("key", keep="last").reset_index(drop=True) if len(df) else df

    def _select(self, view: str, keys: Iterable[str] | None, *, order: str, cols: str = "*") -> pd.DataFrame:
        con = self.connect()
        try:
            if keys is not None:
                con.register("wanted", pd.DataFrame({"key": pd.Series(list(keys), dtype="string")}))
                sql = f"SELECT {cols} FROM {view} WHERE key IN (SELECT key FROM wanted)"
            else:
                sql = f"SELECT {cols} FROM {view}"
            try:
                return con.execute(f"{sql} ORDER BY {order}").df()
            except duckdb.BinderException:
                return con.execute(sql).df()
        finally:
            con.close()

    def describe(self) -> dict:
        """Counts of what the store holds, for ``ecosim results``."""
        con = self.connect()
        try:
            by_scenario = con.execute("SELECT scenario, count(*) AS runs, count(DISTINCT seed) AS seeds, "
                                      "min(months) AS months, min(firms) AS firms FROM runs GROUP BY 1 ORDER BY 1").df()
            n_monthly = con.execute("SELECT count(*) FROM monthly").fetchone()[0]
            n_fail = con.execute("SELECT count(DISTINCT key) FROM failures").fetchone()[0]
        finally:
            con.close()
        return {"path": str(self.path), "runs": int(by_scenario["runs"].sum()) if len(by_scenario) else 0,
                "monthly_rows": int(n_monthly), "failures": int(n_fail), "by_scenario": by_scenario,
                "parts": {t: len(self._parts(t)) for t in TABLES}}

    # ------------------------------------------------------------------ compaction

    def compact(self) -> dict[str, int]:
        """Merge each table's parts into one file, dropping repeated keys; returns parts merged per table.

        A journal (``compact.json``) lists the old parts until they are deleted,
        so a crash mid-way is finished (or undone) on the next open.
        """
        self.flush()
        self._prepare()
        merged: dict[str, int] = {}
        con = self.connect()
        try:
            for table in ("monthly", "runs", "failures"):  # monthly first: runs parts vouch for it
                parts = self._parts(table)
                if len(parts) <= 1:
                    merged[table] = 0
                    continue
                if table == "failures":
                    frame = con.execute(f"SELECT * FROM read_parquet([{', '.join(repr(p.as_posix()) for p in parts)}],"
                                        " union_by_name = true)").df()
                else:
                    frame = con.execute(f"SELECT * FROM {table}").df()
                    if table == "runs":
                        frame = frame.drop_duplicates("key", keep="first")
                    else:
                        frame = frame.drop_duplicates(["key", "month"], keep="first")
                name = f"part-{time.strftime('%Y%m%dT%H%M%S')}-compact-{uuid.uuid4().hex[:10]}.parquet"
                journal = self.path / "compact.json"
                journal.write_text(json.dumps({"table": table, "new": name, "old": [p.name for p in parts]}))
                self._write(frame, table, name)
                for p in parts:
                    p.unlink(missing_ok=True)
                journal.unlink()
                merged[table] = len(parts)
        finally:
            con.close()
        return merged

    def _finish_compaction(self) -> None:
        journal = self.path / "compact.json"
        if not journal.exists():
            return
        info = json.loads(journal.read_text())
        folder = self.path / info["table"]
        if (folder / info["new"]).exists():
            for old in info["old"]:
                (folder / old).unlink(missing_ok=True)
        else:
            (folder / (info["new"] + ".tmp")).unlink(missing_ok=True)
        journal.unlink()
