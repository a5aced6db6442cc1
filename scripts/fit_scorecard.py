"""Refit the bank scorecard of ``ecosim.credit.officer`` on the simulated loan book.

A bank fits its scorecard on its own loans. This script runs the baseline for a
few seeds and, at each loan's disbursal, records what the bank saw of the borrower
(its view of quality from the platform rating and soft information, the runway of
the firm's own cash after debt service including the new loan, revenue over costs,
age), and whether the loan defaulted within twelve months. It fits a logistic
regression (maximum likelihood, scipy) and prints the weights in the scorecard's
sign convention, to be copied into ``ecosim/credit/officer.py``. (``--population``
fits on all operating firms' 12-month failure at year ends instead.)

Run::

    .venv/bin/python scripts/fit_scorecard.py --seeds 4
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
import typer
from scipy.optimize import minimize
from scipy.special import expit

from ecosim.credit.lending import existing_service
from ecosim.credit.officer import RUNWAY_CAP, lender_view, runway_after
from ecosim.firms import state as S
from ecosim.model import EcosystemModel
from ecosim.scenario import load_scenario


def snapshot(model: EcosystemModel) -> dict[str, np.ndarray]:
    """What a bank sees of every operating firm now."""
    f = model.firms
    rows = model.alive
    cash = model.ledger.balance[f.acct_cash[rows]]
    view = lender_view(f.rating[rows].astype(float), f.rating_precision[rows].astype(float),
                       f.soft_signal[rows].astype(float), f.soft_precision[rows].astype(float))
    runway = runway_after(cash, f.burn[rows], f.revenue[rows], existing_service(model)[rows])
    return {"rows": rows, "runway": np.log1p(np.minimum(runway, RUNWAY_CAP)),
            "coverage": np.minimum(f.revenue[rows] / np.maximum(f.burn[rows], 1e-9), 1.5),
            "view": view.mean, "age": np.minimum(model.month - f.founded[rows], 60) / 60.0,
            "month": np.full(len(rows), model.month)}


def collect(seed: int, months: int = 120, firms: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Features and 12-month failure outcomes from one baseline run."""
    model = EcosystemModel(load_scenario("baseline", months=months, firms=firms), rng=seed)
    snaps = []
    for _ in range(months):
        model.step()
        if model.month % 12 == 0 and model.month <= months - 12:
            snaps.append(snapshot(model))
    f = model.firms
    X, y = [], []
    for s in snaps:
        rows = s["rows"]
        failed = (f.status[rows] == S.FAILED) & (f.exit_month[rows] <= s["month"] + 12)
        X.append(np.column_stack([np.ones(len(rows)), s["runway"], s["coverage"], s["view"], s["age"]]))
        y.append(failed)
    return np.vstack(X), np.concatenate(y)


def collect_loans(seed: int, months: int = 120, firms: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Features at disbursal and 12-month default outcomes of every loan of one baseline run."""
    import ecosim.credit.lending as lending

    model = EcosystemModel(load_scenario("baseline", months=months, firms=firms), rng=seed)
    seen: list[np.ndarray] = []
    original = lending.disburse

    def recording(m, terms):
        rows = terms["firm"]
        f = m.firms
        if len(rows):
            cash = m.ledger.balance[f.acct_cash[rows]]
            view = lender_view(f.rating[rows].astype(float), f.rating_precision[rows].astype(float),
                               f.soft_signal[rows].astype(float), f.soft_precision[rows].astype(float))
            service = existing_service(m)[rows] + terms["principal"] / np.maximum(terms["tenor"], 1)
            runway = runway_after(cash, f.burn[rows], f.revenue[rows], service)
            seen.append(np.column_stack([np.ones(len(rows)), np.log1p(np.minimum(runway, RUNWAY_CAP)),
                                         np.minimum(f.revenue[rows] / np.maximum(f.burn[rows], 1e-9), 1.5),
                                         view.mean, np.minimum(m.month - f.founded[rows], 60) / 60.0,
                                         np.full(len(rows), m.month)]))
        original(m, terms)

    lending.disburse = recording
    try:
        for _ in range(months):
            model.step()
    finally:
        lending.disburse = original
    X = np.vstack(seen)
    loans = model.loans
    n = len(loans)
    defaulted = (loans.default_month[:n] >= 0) & (loans.default_month[:n] <= loans.start[:n] + 12)
    keep = X[:, -1] <= months - 12
    return X[keep, :-1], defaulted[: len(X)][keep]


def fit(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Logistic regression coefficients by maximum likelihood."""

    def nll(b):
        z = X @ b
        return float(np.sum(np.logaddexp(0.0, z) - y * z))

    def grad(b):
        return X.T @ (expit(X @ b) - y)

    return minimize(nll, np.zeros(X.shape[1]), jac=grad, method="BFGS").x


def main(
    seeds: Annotated[int, typer.Option(help="Baseline seeds.")] = 4,
    population: Annotated[bool, typer.Option(help="Fit on all firms' failures instead of loans' defaults.")] = False,
) -> None:
    """Fit and print the scorecard weights."""
    parts = [(collect if population else collect_loans)(s) for s in range(1, seeds + 1)]
    X = np.vstack([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    b = fit(X, y)
    print(f"{len(y)} observations, {y.mean():.3f} fail or default within 12 months")
    print(f"SCORE_INTERCEPT = {b[0]:.2f}")
    print(f"SCORE_RUNWAY = {-b[1]:.2f}")
    print(f"SCORE_COVERAGE = {-b[2]:.2f}")
    print(f"SCORE_QUALITY = {-b[3]:.2f}")
    print(f"SCORE_AGE = {-b[4]:.2f}")


if __name__ == "__main__":
    typer.run(main)
