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

Several writers may share a folder: every write (repair, batch, compaction)
holds the folder's lock file ``store.lock`` (:mod:`filelock`), and a batch
drops runs whose key another writer stored first, so no key is stored twice.
Reads deduplicate by key as well (the first stored row wins), so a folder
assembled by hand from several stores still counts each run once.

Part files are read through pyarrow datasets handed to DuckDB: no file name
ever becomes SQL text. Only files named like the store's own parts
(``part-<letters, digits, - and _>.parquet``) are read. A part that is not
readable Parquet, or a broken ``compact.json``, stops with a one-line
:class:`StoreError` naming the file.

:meth:`ResultStore.compact` merges the parts of each table into one file (a
journal makes it crash-safe). Any tool that reads Parquet (DuckDB, pandas,
Polars, R arrow) can read the folder directly, e.g.
``SELECT scenario, avg(survival_share) FROM 'DIR/runs/*.parquet' GROUP BY 1``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import filelock
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ecosim.experiments.worker import Outcome

FORMAT = "ecosim-results"
FORMAT_VERSION = 1
TABLES = ("runs", "monthly", "failures")
#: Names of the part files the store writes (and the only files it reads).
PART_NAME = re.compile(r"part-[A-Za-z0-9_-]+\.parquet")
#: Longest wait for another writer to release the folder's lock, seconds.
LOCK_TIMEOUT = 600.0
#: Empty views of a store with no part of a table yet.
EMPTY_VIEWS = {
    "runs": "SELECT NULL::VARCHAR AS key, NULL::VARCHAR AS scenario, NULL::BIGINT AS seed, "
            "NULL::BIGINT AS seed_index, NULL::BIGINT AS months, NULL::BIGINT AS firms, "
            "NULL::DOUBLE AS finished_at WHERE false",
    "monthly": "SELECT NULL::VARCHAR AS key, NULL::VARCHAR AS scenario, NULL::BIGINT AS seed, "
               "NULL::BIGINT AS month WHERE false",
    "failures": "SELECT NULL::VARCHAR AS key, NULL::VARCHAR AS scenario, NULL::BIGINT AS seed, "
                "NULL::VARCHAR AS error, NULL::VARCHAR AS traceback, NULL::DOUBLE AS finished_at WHERE false",
}
RUN_COLUMNS = ("key", "scenario", "seed", "seed_index", "months", "firms", "scenario_hash", "version", "git_commit",
               "params", "wall_seconds", "host", "finished_at")


class StoreError(ValueError):
    """A results folder that cannot be read or written: the message names the file and the problem."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


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
        self._lock: filelock.FileLock | None = None

    # ------------------------------------------------------------------ writing

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the folder's lock file while writing (other writers wait)."""
        if self._lock is None:
            self.path.mkdir(parents=True, exist_ok=True)
            self._lock = filelock.FileLock(self.path / "store.lock", timeout=LOCK_TIMEOUT)  # reentrant
        try:
            with self._lock:
                yield
        except filelock.Timeout:
            raise StoreError(f"results folder '{self.path}': another writer has held store.lock for over "
                             f"{LOCK_TIMEOUT:.0f} s") from None

    def _prepare(self) -> None:
        if self._repaired:
            return
        with self._locked():
            self._repair()
        self._repaired = True

    def _repair(self) -> None:
        """Create the layout, finish an interrupted compaction, drop leftovers of interrupted batches (lock held)."""
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
            keys = self._keys_of(part)
            if not keys & done:  # batch interrupted before its runs part landed
                part.unlink(missing_ok=True)

    def save_scenario(self, content_hash: str, toml_text: str) -> None:
        """Keep a resolved scenario's TOML (provenance) under its content hash.

        Sweeps started together save the same scenarios at once, so each writer writes a temporary
        file of its own and moves it into place: the last move wins, with the same content.
        """
        self._prepare()
        target = self.path / "scenarios" / f"{content_hash}.toml"
        if not target.exists():
            tmp = target.with_name(f"{target.name}.{uuid.uuid4().hex}.tmp")
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
        with self._locked():
            # another writer may have stored some of these keys meanwhile: its rows stay, ours are dropped
            done = self.completed_keys()
            ok = list({o.task.key: o for o in batch if o.ok and o.task.key not in done}.values())
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
        """The table's part files: only names the store itself writes (anything else in the folder is ignored)."""
        folder = self.path / table
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.glob("part-*.parquet") if PART_NAME.fullmatch(p.name) and p.is_file())

    def _corrupt(self, part: Path, exc: BaseException) -> StoreError:
        return StoreError(f"results folder '{self.path}': part file '{part.parent.name}/{part.name}' is not readable "
                          f"Parquet ({_first_line(exc)}); move it out of the folder to read the rest")

    def _keys_of(self, part: Path) -> set[str]:
        try:
            return set(pq.read_table(part, columns=["key"]).column("key").to_pylist())
        except (pa.ArrowException, OSError, KeyError) as exc:
            raise self._corrupt(part, exc) from None

    def completed_keys(self) -> set[str]:
        """Keys of every run the store holds."""
        keys: set[str] = set()
        for p in self._parts("runs"):
            keys.update(self._keys_of(p))
        return keys

    def _dataset(self, table: str) -> ds.Dataset | None:
        """The table's parts as one pyarrow dataset (columns united by name), or None without parts."""
        parts = self._parts(table)
        if not parts:
            return None
        schemas = []
        for p in parts:
            try:
                schemas.append(pq.read_schema(p))
            except (pa.ArrowException, OSError) as exc:
                raise self._corrupt(p, exc) from None
        try:
            schema = pa.unify_schemas(schemas, promote_options="permissive").remove_metadata()
        except (pa.ArrowException, TypeError) as exc:
            raise StoreError(f"results folder '{self.path}': the parts of '{table}' disagree on their columns "
                             f"({_first_line(exc)})") from None
        return ds.dataset([str(p) for p in parts], schema=schema, format="parquet")

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with views ``runs``, ``monthly`` and ``failures``.

        ``runs`` holds one row per key (the first stored); ``monthly`` one row per
        key and month, of completed runs only; ``failures`` only keys that have
        not completed since.
        """
        if (self.path / "compact.json").exists():
            with self._locked():
                self._finish_compaction()
        con = duckdb.connect()
        try:
            for table in TABLES:
                data = self._dataset(table)
                if data is None:
                    con.execute(f"CREATE VIEW {table}_parts AS {EMPTY_VIEWS[table]}")
                else:
                    con.register(f"{table}_parts", data)
            con.execute("CREATE VIEW runs AS SELECT * FROM runs_parts "
                        "QUALIFY row_number() OVER (PARTITION BY key ORDER BY finished_at) = 1")
            con.execute("CREATE VIEW monthly AS SELECT * FROM monthly_parts WHERE key IN (SELECT key FROM runs) "
                        "QUALIFY row_number() OVER (PARTITION BY key, month) = 1")
            con.execute("CREATE VIEW failures AS SELECT * FROM failures_parts "
                        "WHERE key NOT IN (SELECT key FROM runs)")
        except BaseException:
            con.close()
            raise
        return con

    def _execute(self, con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run SQL, turning a part that fails to read mid-query into a one-line :class:`StoreError`."""
        try:
            return con.execute(sql, params or []).df()
        except (duckdb.IOException, duckdb.InvalidInputException, pa.ArrowException) as exc:
            raise StoreError(f"results folder '{self.path}': a part file could not be read "
                             f"({_first_line(exc)})") from None

    def query(self, sql: str, params: list | None = None, *, sandbox: bool = False) -> pd.DataFrame:
        """Run SQL over the views ``runs``, ``monthly`` and ``failures``; returns a DataFrame.

        Args:
            sql: The query.
            params: Values for its ``?`` placeholders.
            sandbox: Switch DuckDB's file system access off (and lock the setting) for SQL from
                an untrusted source: the query reads the views and nothing else (no
                ``COPY ... TO``, no ``read_csv('/etc/...')``). ``ecosim results --sql`` uses it.
        """
        con = self.connect()
        try:
            if sandbox:
                con.execute("SET enable_external_access = false")
                con.execute("SET lock_configuration = true")
            return self._execute(con, sql, params)
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
                return self._execute(con, f"{sql} ORDER BY {order}")
            except duckdb.BinderException:
                return self._execute(con, sql)
        finally:
            con.close()

    def describe(self) -> dict:
        """Counts of what the store holds, for ``ecosim results``."""
        con = self.connect()
        try:
            by_scenario = self._execute(con, "SELECT scenario, count(*) AS runs, count(DISTINCT seed) AS seeds, "
                                        "min(months) AS months, min(firms) AS firms FROM runs GROUP BY 1 ORDER BY 1")
            n_monthly = int(self._execute(con, "SELECT count(*) AS n FROM monthly")["n"].iloc[0])
            n_fail = int(self._execute(con, "SELECT count(DISTINCT key) AS n FROM failures")["n"].iloc[0])
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
        with self._locked():
            return self._compact()

    def _compact(self) -> dict[str, int]:
        merged: dict[str, int] = {}
        con = self.connect()
        try:
            for table in ("monthly", "runs", "failures"):  # monthly first: runs parts vouch for it
                parts = self._parts(table)
                if len(parts) <= 1:
                    merged[table] = 0
                    continue
                # failures keep every attempt; runs and monthly are already one row per key (and month)
                frame = self._execute(con, f"SELECT * FROM {'failures_parts' if table == 'failures' else table}")
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
        info = self._read_journal(journal)
        folder = self.path / info["table"]
        if (folder / info["new"]).exists():
            for old in info["old"]:
                (folder / old).unlink(missing_ok=True)
        else:
            (folder / (info["new"] + ".tmp")).unlink(missing_ok=True)
        journal.unlink()

    def _read_journal(self, journal: Path) -> dict:
        """The compaction journal, checked: a known table and part names only (never a path)."""
        problem = None
        try:
            info = json.loads(journal.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            info, problem = None, _first_line(exc)
        if problem is None:
            names = [info.get("new"), *info.get("old", [])] if isinstance(info, dict) and isinstance(
                info.get("old"), list) else None
            if (not isinstance(info, dict) or info.get("table") not in TABLES or names is None
                    or not all(isinstance(n, str) and PART_NAME.fullmatch(n) for n in names)):
                problem = "expected {table: runs|monthly|failures, new: part name, old: [part names]}"
        if problem is not None:
            raise StoreError(f"results folder '{self.path}': compact.json is broken ({problem}); "
                             "remove it after checking the parts")
        return info
