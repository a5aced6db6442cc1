"""Writing a run's files: metrics, firms, panel, events, funds, banks, network, dashboard and provenance.

Each file is one named output (:data:`OUTPUTS`); a run writes all of them
unless asked for fewer (``ecosim run --outputs metrics,firms``; sweeps and the
demo need only some):

* ``metrics`` → ``metrics.csv`` — one row per month (``ecosim.outputs.metrics.METRICS``), money in million yuan.
* ``firms`` → ``firms.parquet`` — one row per firm that ever existed.
* ``panel`` → ``panel.parquet`` — one row per operating firm per year end.
* ``events`` → ``events.parquet`` — one row per event, with the loss split of each default.
* ``funds`` → ``funds.csv`` — one row per equity investor, with TVPI, DPI and IRR at the end of the run.
* ``banks`` → ``banks.csv`` — each bank's yearly evaluation: ten indicators, points, score, incentives,
  accreditation (only when the evaluation of banks is switched on).
* ``network`` → ``network.graphml`` — the relationship graph at the end.
* ``dashboard`` → ``dashboard.png`` — a one-page overview.
* ``run`` → ``run.json`` — the resolved scenario, seed, package version, git commit, wall time and the
  seconds each file took to write.

Tables are built from the state columns with array operations (no Python loop
over rows, no copy of numeric columns) as pyarrow tables and each parquet file
is written once, with the schema pandas would write; the graph is written by
:mod:`ecosim.outputs.graphml` straight from the relationship arrays.

pandas, pyarrow and the model's state modules are imported by the writers that
use them, so importing this module (``ecosim run`` does, to check
``--outputs`` before the run) stays cheap.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

import ecosim
from ecosim.scenario import SECTORS, Scenario

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from ecosim.model import EcosystemModel
    from ecosim.outputs.painter import DashboardPainter
    from ecosim.runner import RunResult

#: Every output of a run: its name (for ``--outputs``) and the file it writes, in writing order.
OUTPUTS: dict[str, str] = {
    "metrics": "metrics.csv",
    "firms": "firms.parquet",
    "panel": "panel.parquet",
    "events": "events.parquet",
    "funds": "funds.csv",
    "banks": "banks.csv",
    "network": "network.graphml",
    "dashboard": "dashboard.png",
    "run": "run.json",
}


class OutputsError(ValueError):
    """An output list names something a run does not write (the message is one line)."""


def parse_outputs(spec: str | Iterable[str] | None) -> tuple[str, ...]:
    """The outputs asked for, in writing order.

    Args:
        spec: ``None`` or ``"all"`` for every output, or names from :data:`OUTPUTS`,
            as one comma-separated string or an iterable of names.

    Raises:
        OutputsError: An unknown or empty list, with one line naming what is allowed.
    """
    if spec is None:
        return tuple(OUTPUTS)
    text = spec if isinstance(spec, str) else ",".join(spec)
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    allowed = f"allowed: 'all' or a comma-separated list of {', '.join(OUTPUTS)}"
    if names == ["all"]:
        return tuple(OUTPUTS)
    unknown = [name for name in names if name not in OUTPUTS]
    if unknown or not names:
        what = f"unknown output {unknown[0]!r}" if unknown else "no output named"
        raise OutputsError(f"outputs = {text!r}: {what}; {allowed}")
    return tuple(name for name in OUTPUTS if name in names)


def git_commit() -> str:
    """The source tree's git commit, or an empty string outside a checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).parent)
        return out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


@dataclass(frozen=True)
class Coded:
    """A column of integer codes and the name of each code.

    Written as a dictionary column (pandas reads it as a ``Categorical``) when
    ``categorical``, else as plain strings; codes without a name (such as -1,
    "none") become ``missing``.
    """

    codes: np.ndarray
    names: tuple[str, ...]
    categorical: bool = False
    missing: str = ""

    def arrow(self) -> pa.Array:
        """The column as pyarrow writes it (indices of the narrowest integer type, as in pandas)."""
        import pyarrow as pa

        codes = np.asarray(self.codes)
        if self.categorical:
            width = next(t for t in (np.int8, np.int16, np.int32, np.int64) if len(self.names) < np.iinfo(t).max)
            return pa.DictionaryArray.from_arrays(pa.array(codes.astype(width, copy=False)),
                                                  pa.array(self.names, type=pa.large_string()))
        labels = pa.array([*self.names, self.missing], type=pa.large_string())
        known = (codes >= 0) & (codes < len(self.names))
        return labels.take(pa.array(np.where(known, codes, len(self.names)).astype(np.int64)))

    def empty(self) -> pd.Categorical | pd.Series:
        """No rows of the column, as pandas holds it."""
        import pandas as pd

        if self.categorical:
            return pd.Categorical.from_codes(np.zeros(0, dtype=np.int64), categories=list(self.names))
        return pd.Series(np.zeros(0, dtype=object), dtype="str")


def arrow_table(columns: dict[str, np.ndarray | Coded]) -> pa.Table:
    """A pyarrow table of the columns: the table pandas would write for the same columns (NaN as null,
    named codes as dictionaries or strings, pandas' schema metadata), built without pandas.

    Raises:
        TypeError: A column pandas would store with another type.
    """
    import pandas as pd
    import pyarrow as pa

    table = pa.table({name: col.arrow() if isinstance(col, Coded) else pa.array(col, from_pandas=True)  # NaN: null
                      for name, col in columns.items()})
    empty = pd.DataFrame({name: col.empty() if isinstance(col, Coded) else np.asarray(col)[:0]
                          for name, col in columns.items()})
    as_pandas = pa.Table.from_pandas(empty, preserve_index=False).schema
    if not as_pandas.remove_metadata().equals(table.schema):
        raise TypeError(f"columns do not round-trip through pandas: {table.schema} vs {as_pandas}")
    return table.replace_schema_metadata(as_pandas.metadata)


def banks_per_firm(model: EcosystemModel) -> np.ndarray:
    """How many different banks have ever lent to each firm row."""
    loans, n = model.loans, len(model.firms)
    if not len(loans):
        return np.zeros(n, dtype=np.int32)
    n_banks = int(loans.bank.max()) + 1
    pairs = np.unique(loans.firm.astype(np.int64) * n_banks + loans.bank)
    return np.bincount(pairs // n_banks, minlength=n).astype(np.int32)


def firms_table(model: EcosystemModel) -> pa.Table:
    """One row per firm that ever existed (``firms.parquet``)."""
    from ecosim.firms import state as S

    exit_kinds = {S.ACTIVE: "", S.FAILED: "failed", S.ACQUIRED: "acquired", S.LISTED: "listed"}
    f = model.firms
    status_names = tuple(exit_kinds[code] for code in range(len(exit_kinds)))
    return arrow_table(
        {
            "firm_id": f.agent_id,
            "sector": Coded(f.sector, tuple(SECTORS), categorical=True),
            "founded_month": f.founded,
            "exit_month": np.where(f.exit_month >= 0, f.exit_month, -1),
            "exit_kind": Coded(f.status, status_names),
            "stage": Coded(f.stage, tuple(S.STAGES), categorical=True),
            "quality": f.quality.astype(float),
            "employees": f.employees.astype(float),
            "revenue": f.revenue,
            "patents": f.patents,
            "total_debt_raised": f.debt_raised,
            "total_equity_raised": f.equity_raised,
            "grants": f.grants,
            "banks": banks_per_firm(model),
            "rated": ~np.isnan(f.rating),
            "visits": f.visits,
        }
    )


def firms_frame(model: EcosystemModel) -> pd.DataFrame:
    """One row per firm that ever existed, as a pandas frame."""
    return firms_table(model).to_pandas()


def events_table(model: EcosystemModel) -> pa.Table:
    """One row per event (``events.parquet``); ``kind`` and the loan ``product`` named (empty when not a loan)."""
    from ecosim.credit import loans as L
    from ecosim.events import EVENT_KINDS

    t = model.events.table
    columns: dict[str, np.ndarray | Coded] = {name: getattr(t, name) for name in t.columns}
    columns["kind"] = Coded(t.kind, tuple(EVENT_KINDS), categorical=True)
    columns["product"] = Coded(t.product, tuple(L.PRODUCTS))
    return arrow_table(columns)


def events_frame(model: EcosystemModel) -> pd.DataFrame:
    """One row per event, as a pandas frame."""
    return events_table(model).to_pandas()


@dataclass
class _Run:
    """What the writers read: the finished run and where its files go."""

    result: RunResult
    scenario: Scenario
    seed: int
    out_dir: Path
    seconds: dict[str, float]
    painter: DashboardPainter | None = None
    started: float = field(default_factory=time.perf_counter)  # when writing began

    @property
    def model(self) -> EcosystemModel:
        return self.result.model


def _write_metrics(run: _Run, path: Path) -> None:
    run.result.metrics.to_csv(path, index=False, float_format="%.10g")


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write a table as one parquet file (snappy), dictionary-encoding only the columns that are not floats.

    Codes, ids, months and labels repeat and shrink in a dictionary; float columns
    (money, quality) rarely repeat, and trying a dictionary on them costs most of
    the writing time.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    coded = [f.name for f in table.schema if not pa.types.is_floating(f.type)]
    pq.write_table(table, path, use_dictionary=coded)


def _write_firms(run: _Run, path: Path) -> None:
    write_parquet(firms_table(run.model), path)


def _write_panel(run: _Run, path: Path) -> None:
    import pyarrow as pa

    write_parquet(pa.Table.from_pandas(run.model.panel, preserve_index=False), path)


def _write_events(run: _Run, path: Path) -> None:
    write_parquet(events_table(run.model), path)


def _write_funds(run: _Run, path: Path) -> None:
    from ecosim.equity.returns import funds_frame

    funds_frame(run.model).to_csv(path, index=False, float_format="%.10g")


def _write_banks(run: _Run, path: Path) -> bool:
    if run.model.evaluator is None:
        return False  # the evaluation of banks is off: no file
    run.model.evaluator.frame().to_csv(path, index=False, float_format="%.10g")
    return True


def _write_network(run: _Run, path: Path) -> None:
    run.model.graph.write_graphml(path)


def _write_dashboard(run: _Run, path: Path) -> None:
    title = f"{run.scenario.name} — seed {run.seed}"
    if run.painter is not None and run.painter.draw(run.result.metrics, path, title):
        return  # drawn by the helper process (ecosim.outputs.painter)
    from ecosim.outputs.dashboard import draw_dashboard

    draw_dashboard(run.result.metrics, path, title=title)


def _write_provenance(run: _Run, path: Path) -> None:
    provenance = {
        "scenario": run.scenario.model_dump(mode="json"),
        "scenario_hash": run.scenario.content_hash(),
        "seed": int(run.seed),
        "version": ecosim.__version__,
        "git_commit": git_commit(),
        "wall_seconds": round(run.result.wall_seconds, 3),
        "write_seconds": {file: round(run.seconds[name], 4) for name, file in OUTPUTS.items() if name in run.seconds},
        # the files above, start to finish: less than their sum, since the dashboard is drawn beside the tables
        "write_wall_seconds": round(time.perf_counter() - run.started, 4),
        "summary": run.result.summary,
    }
    path.write_text(json.dumps(provenance, indent=2, default=float))


#: How each output is written; a writer returns False when the run has nothing for that file.
WRITERS: dict[str, Callable[[_Run, Path], bool | None]] = {
    "metrics": _write_metrics,
    "firms": _write_firms,
    "panel": _write_panel,
    "events": _write_events,
    "funds": _write_funds,
    "banks": _write_banks,
    "network": _write_network,
    "dashboard": _write_dashboard,
    "run": _write_provenance,
}


def write_run(
    result: RunResult, scenario: Scenario, seed: int, out_dir: Path, outputs: str | Iterable[str] | None = None,
    painter: DashboardPainter | None = None,
) -> dict[str, float]:
    """Write the output files of a finished run (the result must keep its model).

    Args:
        result: The run, with its model (``simulate(..., keep_model=True)``).
        scenario: The scenario it ran.
        seed: Its seed.
        out_dir: An existing folder for the files.
        outputs: Which outputs to write (see :func:`parse_outputs`); all by default.
        painter: A helper process started with the run that draws the dashboard
            (:class:`ecosim.outputs.painter.DashboardPainter`); without one, or when it
            fails, the dashboard is drawn in this process.

    Returns:
        Seconds each file took to write, by output name, in writing order (files the run
        has nothing for, such as ``banks.csv`` without the evaluation of banks, are left out).
    """
    names = parse_outputs(outputs)
    run = _Run(result, scenario, int(seed), Path(out_dir), {}, painter=painter)
    if "dashboard" not in names or len(names) == 1:
        for name in names:
            _write_one(run, name)
        return dict(run.seconds)
    # The dashboard is drawn on a thread of its own while the tables are written: pyarrow and zlib
    # release the interpreter while they encode, so on a machine with a free core the two overlap;
    # with a painter the thread only waits for the helper process, which draws on the other core.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecosim-dashboard") as pool:
        drawing = pool.submit(_write_one, run, "dashboard")
        for name in names:
            if name == "run":
                drawing.result()  # the provenance records the dashboard's seconds too
            if name not in ("dashboard", "run"):
                _write_one(run, name)
        drawing.result()  # raises what the drawing raised
        if "run" in names:
            _write_one(run, "run")
    return {name: run.seconds[name] for name in names if name in run.seconds}


def _write_one(run: _Run, name: str) -> None:
    """Write output ``name`` of ``run`` and record the seconds it took (unless the run has nothing for it)."""
    start = time.perf_counter()
    if WRITERS[name](run, run.out_dir / OUTPUTS[name]) is not False:
        run.seconds[name] = time.perf_counter() - start
