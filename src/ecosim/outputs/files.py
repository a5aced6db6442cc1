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
over rows) and each parquet file is written once; the graph is written by
:mod:`ecosim.outputs.graphml` straight from the relationship arrays.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import ecosim
from ecosim.credit import loans as L
from ecosim.firms import state as S
from ecosim.scenario import SECTORS, Scenario

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel
    from ecosim.runner import RunResult

EXIT_KINDS = {S.ACTIVE: "", S.FAILED: "failed", S.ACQUIRED: "acquired", S.LISTED: "listed"}

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


def _labels(codes: np.ndarray, names: dict[int, str], missing: str = "") -> np.ndarray:
    """The name of each code, as an object array of ``str`` (codes without a name get ``missing``)."""
    codes = np.asarray(codes, dtype=np.int64)
    low = min(0, int(codes.min())) if codes.size else 0
    high = max([*names, 0, int(codes.max()) if codes.size else 0])
    table = np.full(high - low + 1, missing, dtype=object)
    for code, name in names.items():
        table[code - low] = name
    return table[codes - low]


def banks_per_firm(model: EcosystemModel) -> np.ndarray:
    """How many different banks have ever lent to each firm row."""
    loans, n = model.loans, len(model.firms)
    if not len(loans):
        return np.zeros(n, dtype=np.int32)
    n_banks = int(loans.bank.max()) + 1
    pairs = np.unique(loans.firm.astype(np.int64) * n_banks + loans.bank)
    return np.bincount(pairs // n_banks, minlength=n).astype(np.int32)


def firms_frame(model: EcosystemModel) -> pd.DataFrame:
    """One row per firm that ever existed."""
    f = model.firms
    return pd.DataFrame(
        {
            "firm_id": f.agent_id.copy(),
            "sector": pd.Categorical.from_codes(f.sector.astype(int), categories=list(SECTORS)),
            "founded_month": f.founded.copy(),
            "exit_month": np.where(f.exit_month >= 0, f.exit_month, -1),
            "exit_kind": _labels(f.status, EXIT_KINDS),
            "stage": pd.Categorical.from_codes(f.stage.astype(int), categories=list(S.STAGES)),
            "quality": f.quality.astype(float),
            "employees": f.employees.astype(float),
            "revenue": f.revenue.copy(),
            "patents": f.patents.copy(),
            "total_debt_raised": f.debt_raised.copy(),
            "total_equity_raised": f.equity_raised.copy(),
            "grants": f.grants.copy(),
            "banks": banks_per_firm(model),
            "rated": ~np.isnan(f.rating),
            "visits": f.visits.copy(),
        }
    )


def events_frame(model: EcosystemModel) -> pd.DataFrame:
    """One row per event; ``product`` named (empty for events that are not loans)."""
    df = model.events.frame()
    df["product"] = _labels(df["product"].to_numpy(), dict(enumerate(L.PRODUCTS)))
    return df


@dataclass
class _Run:
    """What the writers read: the finished run and where its files go."""

    result: RunResult
    scenario: Scenario
    seed: int
    out_dir: Path
    seconds: dict[str, float]

    @property
    def model(self) -> EcosystemModel:
        return self.result.model


def _write_metrics(run: _Run, path: Path) -> None:
    run.result.metrics.to_csv(path, index=False, float_format="%.10g")


def _write_firms(run: _Run, path: Path) -> None:
    firms_frame(run.model).to_parquet(path, index=False)


def _write_panel(run: _Run, path: Path) -> None:
    run.model.panel.to_parquet(path, index=False)


def _write_events(run: _Run, path: Path) -> None:
    events_frame(run.model).to_parquet(path, index=False)


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
    from ecosim.outputs.dashboard import draw_dashboard

    draw_dashboard(run.result.metrics, path, title=f"{run.scenario.name} — seed {run.seed}")


def _write_provenance(run: _Run, path: Path) -> None:
    provenance = {
        "scenario": run.scenario.model_dump(mode="json"),
        "scenario_hash": run.scenario.content_hash(),
        "seed": int(run.seed),
        "version": ecosim.__version__,
        "git_commit": git_commit(),
        "wall_seconds": round(run.result.wall_seconds, 3),
        "write_seconds": {OUTPUTS[name]: round(s, 4) for name, s in run.seconds.items()},
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
) -> dict[str, float]:
    """Write the output files of a finished run (the result must keep its model).

    Args:
        result: The run, with its model (``simulate(..., keep_model=True)``).
        scenario: The scenario it ran.
        seed: Its seed.
        out_dir: An existing folder for the files.
        outputs: Which outputs to write (see :func:`parse_outputs`); all by default.

    Returns:
        Seconds each file took to write, by output name, in writing order (files the run
        has nothing for, such as ``banks.csv`` without the evaluation of banks, are left out).
    """
    names = parse_outputs(outputs)
    run = _Run(result, scenario, int(seed), Path(out_dir), {})
    for name in names:
        start = time.perf_counter()
        if WRITERS[name](run, run.out_dir / OUTPUTS[name]) is not False:
            run.seconds[name] = time.perf_counter() - start
    return dict(run.seconds)
