"""Life-cycle statistics of a finished run: survival by age, yearly hazard, shrinking firm-years.

Used by the life-cycle report (``benchmarks/bench_lifecycle.py``) and the
firm tests. Survival counts failures only (acquired and listed firms have not
died), by the estimator of :mod:`ecosim.validation.survival`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecosim.firms import state as S
from ecosim.validation.survival import share_not_failed


def firm_table(model) -> pd.DataFrame:
    """One row per firm ever: ``founded``, ``exit_month``, ``status``, ``exit_cause``, ``quality``."""
    f = model.firms
    return pd.DataFrame({"founded": f.founded.astype(np.int64), "exit_month": f.exit_month.astype(np.int64),
                         "status": f.status.astype(np.int8), "exit_cause": f.exit_cause.astype(np.int8),
                         "quality": f.quality.astype(float), "first_sale": f.first_sale.astype(np.int64)})


def survival_by_age(firms: pd.DataFrame, last_month: int, ages_years, entrants: bool = True) -> dict[int, float]:
    """Share not failed by each age in years, for entrants (founded after month 0) or the initial population."""
    g = firms[firms["founded"] >= 1] if entrants else firms[firms["founded"] <= 0]
    failed = g["status"].to_numpy() == S.FAILED
    values = share_not_failed(g["founded"].to_numpy(), g["exit_month"].to_numpy(), failed, last_month,
                              [12 * a for a in ages_years])
    return {int(a): float(v) for a, v in zip(ages_years, values, strict=True)}


def yearly_hazard(firms: pd.DataFrame, last_month: int, years: int = 10) -> list[float]:
    """Entrants' probability of failing in each year of age 1..``years``, given not failed before."""
    s = survival_by_age(firms, last_month, range(0, years + 1))
    return [float(1.0 - s[k] / s[k - 1]) if s[k - 1] > 0 else float("nan") for k in range(1, years + 1)]


def shrinking_shares(panel: pd.DataFrame) -> tuple[float, float]:
    """Shares of firm-years with falling revenue (among those with revenue in both years) and with
    falling staff (among those with staff in both years), from the year-end panel."""
    p = panel[["firm_id", "year", "revenue", "employees"]].sort_values(["firm_id", "year"])
    prev = p.groupby("firm_id")[["year", "revenue", "employees"]].shift(1)
    consecutive = prev["year"] == p["year"] - 1
    rev = consecutive & (prev["revenue"] > 0) & (p["revenue"] > 0)
    staff = consecutive & (prev["employees"] > 0) & (p["employees"] > 0)
    falling_rev = rev & (p["revenue"] < prev["revenue"] * (1 - 1e-9))
    falling_staff = staff & (p["employees"] < prev["employees"] - 1e-6)
    return float(falling_rev.sum() / max(int(rev.sum()), 1)), float(falling_staff.sum() / max(int(staff.sum()), 1))


def failure_causes(firms: pd.DataFrame) -> dict[str, float]:
    """Share of failed firms by cause (``ecosim.firms.state.CAUSES``)."""
    failed = firms[firms["status"] == S.FAILED]
    if failed.empty:
        return {}
    counts = failed["exit_cause"].value_counts(normalize=True)
    return {S.CAUSES[int(k)]: float(v) for k, v in counts.items()}
