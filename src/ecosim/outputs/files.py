"""Writing a run's files: metrics, firms, panel, events, network, dashboard and provenance.

* ``metrics.csv`` — one row per month (``ecosim.outputs.metrics.METRICS``), money in million yuan.
* ``firms.parquet`` — one row per firm that ever existed.
* ``panel.parquet`` — one row per operating firm per year end.
* ``events.parquet`` — one row per event, with the loss split of each default.
* ``funds.csv`` — one row per equity investor, with TVPI, DPI and IRR at the end of the run.
* ``network.graphml`` — the relationship graph at the end.
* ``dashboard.png`` — a one-page overview.
* ``banks.csv`` — each bank's yearly evaluation: ten indicators, points, score, incentives, accreditation.
* ``run.json`` — the resolved scenario, seed, package version, git commit and wall time.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
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


def git_commit() -> str:
    """The source tree's git commit, or an empty string outside a checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).parent)
        return out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def firms_frame(model: EcosystemModel) -> pd.DataFrame:
    """One row per firm that ever existed."""
    f = model.firms
    loans = model.loans
    pairs = np.unique(np.stack([loans.firm, loans.bank]), axis=1) if len(loans) else np.zeros((2, 0), int)
    banks = np.bincount(pairs[0], minlength=len(f)) if pairs.size else np.zeros(len(f), int)
    return pd.DataFrame(
        {
            "firm_id": f.agent_id.copy(),
            "sector": pd.Categorical.from_codes(f.sector.astype(int), categories=list(SECTORS)),
            "founded_month": f.founded.copy(),
            "exit_month": np.where(f.exit_month >= 0, f.exit_month, -1),
            "exit_kind": [EXIT_KINDS[int(s)] for s in f.status],
            "stage": pd.Categorical.from_codes(f.stage.astype(int), categories=list(S.STAGES)),
            "quality": f.quality.astype(float),
            "employees": f.employees.astype(float),
            "revenue": f.revenue.copy(),
            "patents": f.patents.copy(),
            "total_debt_raised": f.debt_raised.copy(),
            "total_equity_raised": f.equity_raised.copy(),
            "grants": f.grants.copy(),
            "banks": banks.astype(np.int32),
            "rated": ~np.isnan(f.rating),
            "visits": f.visits.copy(),
        }
    )


def events_frame(model: EcosystemModel) -> pd.DataFrame:
    df = model.events.frame()
    df["product"] = df["product"].map(lambda c: L.PRODUCTS[c] if c >= 0 else "")
    return df


def write_run(result: RunResult, scenario: Scenario, seed: int, out_dir: Path) -> None:
    """Write every output file of a finished run (the result must keep its model)."""
    from ecosim.equity.returns import funds_frame
    from ecosim.outputs.dashboard import draw_dashboard

    model = result.model
    out_dir = Path(out_dir)
    result.metrics.to_csv(out_dir / "metrics.csv", index=False, float_format="%.10g")
    firms_frame(model).to_parquet(out_dir / "firms.parquet", index=False)
    model.panel.to_parquet(out_dir / "panel.parquet", index=False)
    events_frame(model).to_parquet(out_dir / "events.parquet", index=False)
    funds_frame(model).to_csv(out_dir / "funds.csv", index=False, float_format="%.10g")
    nx.write_graphml(model.graph.G, out_dir / "network.graphml")
    if model.evaluator is not None:
        model.evaluator.frame().to_csv(out_dir / "banks.csv", index=False, float_format="%.10g")
    draw_dashboard(result.metrics, out_dir / "dashboard.png", title=f"{scenario.name} — seed {seed}")
    provenance = {
        "scenario": scenario.model_dump(mode="json"),
        "scenario_hash": scenario.content_hash(),
        "seed": int(seed),
        "version": ecosim.__version__,
        "git_commit": git_commit(),
        "wall_seconds": round(result.wall_seconds, 3),
        "summary": result.summary,
    }
    (out_dir / "run.json").write_text(json.dumps(provenance, indent=2, default=float))
