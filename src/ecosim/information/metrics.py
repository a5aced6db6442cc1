"""Information and coordination figures: monthly metrics and end-of-run summary.

:data:`INFO_METRICS` names the monthly metrics this package adds to
``ecosim.outputs.metrics.METRICS``; :func:`information_metrics` computes them and
:func:`information_summary` adds end-of-run figures (unfunded top-quality firms,
applications per firm, each platform's AUC against later failure,
spin-offs, bank scores) to the run summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ecosim.firms.state import ACTIVE, FAILED
from ecosim.information.platform import TIERS, get_platform

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

INFO_METRICS: dict[str, str] = {
    "unfunded_top_quality": "share of operating firms in the top quartile of latent quality never financed (no loan, no equity)",
    "applications_per_firm": "loan applications made to date per operating firm",
    "coverage_provincial": "share of operating firms rated by the provincial platform",
    "coverage_municipal": "share of operating firms on the municipal platform and marketplace",
    "coverage_district": "share of operating firms scored by the district platform",
    "visits_team": "financial-partner team visits this month",
    "visits_station": "service-station visits this month",
    "visits_adviser": "tech-adviser visits this month",
    "brokerage_projects": "research results the tech brokerage turned into projects this month",
    "brokerage_patents": "patents filed on tech-brokerage projects this month",
    "spinoffs": "startups spun off by the tech brokerage this month",
    "licences": "tech-brokerage projects licensed to existing firms this month",
    "bank_score_mean": "mean score (0-100) of banks at the latest yearly evaluation",
    "banks_accredited": "banks whose tech branch is accredited (top of the ladder)",
}


def information_metrics(model: EcosystemModel, alive: np.ndarray | None = None) -> dict[str, float]:
    """This month's information and coordination metrics.

    Args:
        model: The model.
        alive: Rows of the operating firms, ascending (found from the firms when not given).
    """
    f = model.firms
    t = model.tally
    if alive is None:
        alive = np.flatnonzero(f.status == ACTIVE)
    q = f.quality[alive]
    if len(q):
        top = q >= np.quantile(q, 0.75)
        financed = (f.debt_raised[alive] > 0) | (f.equity_raised[alive] > 0)
        unfunded = np.count_nonzero(top & ~financed) / max(np.count_nonzero(top), 1)
    else:
        unfunded = 0.0
    out = {
        "unfunded_top_quality": unfunded,
        "applications_per_firm": float(f.applications[alive].mean()) if len(alive) else 0.0,
        "visits_team": int(t["visits_team"]),
        "visits_station": int(t["visits_station"]),
        "visits_adviser": int(t["visits_adviser"]),
        "brokerage_projects": int(t["brokerage_projects"]),
        "brokerage_patents": int(t["brokerage_patents"]),
        "spinoffs": int(t["spinoffs"]),
        "licences": int(t["licences"]),
    }
    for tier in TIERS:
        platform = get_platform(model, tier)
        out[f"coverage_{tier}"] = platform.coverage(alive) if platform is not None else 0.0
    ev = model.evaluator
    out["bank_score_mean"] = ev.score_mean if ev is not None else float("nan")
    out["banks_accredited"] = int(sum(b.accreditation == 3 for b in model.banks))
    return out


def rating_auc(model: EcosystemModel, tier: str | None = None) -> float:
    """AUC of a platform's rating against later failure, over the firms it rated.

    A higher rating should mean a lower chance of failing; the AUC is the chance
    that a firm that did not fail was rated above one that did. ``tier=None``
    uses the combined rating every firm shows investors.
    """
    from ecosim.outputs.metrics import auc

    f = model.firms
    if tier is None:
        rated = ~np.isnan(f.rating)
        score = f.rating[rated].astype(float)
    else:
        platform = get_platform(model, tier)
        if platform is None:
            return float("nan")
        platform.sync()
        rated = platform.covered[: len(f)]
        score = platform.reading[: len(f)][rated]
    return auc(score, f.status[rated] != FAILED)


def information_summary(model: EcosystemModel, metrics: pd.DataFrame) -> dict[str, float]:
    """End-of-run information figures for the run summary.

    Args:
        model: The finished model.
        metrics: Its monthly metrics.
    """
    out = {
        "mean_unfunded_top_quality": float(metrics["unfunded_top_quality"].mean()),
        "applications_per_firm": float(metrics["applications_per_firm"].iloc[-1]),
    }
    out.update({f"rating_auc_{tier}": rating_auc(model, tier) for tier in TIERS})
    out["rating_auc"] = rating_auc(model)
    br = model.brokerage
    out["total_spinoffs"] = float(br.spinoffs if br is not None else 0)
    out["total_brokerage_projects"] = float(br.projects if br is not None else 0)
    out["total_brokerage_patents"] = float(br.patents if br is not None else 0)
    ev = model.evaluator
    out["bank_score_mean"] = ev.score_mean if ev is not None else float("nan")
    out["banks_accredited"] = float(sum(b.accreditation == 3 for b in model.banks))
    return out
