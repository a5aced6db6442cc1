"""Refit the bank scorecard of ``ecosim.credit.officer`` on simulated firms or loans.

The scorecard gives the log-odds of default for a firm of known quality (the bank
integrates over what it does not know, see ``ecosim.credit.officer.scorecard_pd``).
This script runs the baseline for a few seeds and records, at each loan's disbursal
(the default) or for every operating firm at each year end (``--population``), the
firm's latent quality and the hard data the bank reads (the runway
of the firm's own cash after debt service, revenue over costs, age), and whether the
firm failed or the loan defaulted within twelve months. It fits a logistic regression
(maximum likelihood, scipy) and prints the weights in the scorecard's sign convention,
to be copied into ``ecosim/credit/officer.py``. ``--on view`` fits on the bank's view
of quality instead of latent quality (the reduced form a bank would fit without ever
learning what its borrowers were).

Run::

    .venv/bin/python scripts/fit_scorecard.py --seeds 4 --iterate 5
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


def snapshot(model: EcosystemModel, on: str = "quality") -> dict[str, np.ndarray]:
    """What a bank sees of every operating firm now, with its latent quality (or the bank's view, ``on="view"``)."""
    f = model.firms
    rows = model.alive
    cash = model.ledger.balance[f.acct_cash[rows]]
    view = lender_view(f.rating[rows].astype(float), f.rating_precision[rows].astype(float),
                       f.soft_signal[rows].astype(float), f.soft_precision[rows].astype(float))
    runway = runway_after(cash, f.burn[rows], f.revenue[rows], existing_service(model)[rows])
    return {"rows": rows, "runway": np.log1p(np.minimum(runway, RUNWAY_CAP)),
            "coverage": np.minimum(f.revenue[rows] / np.maximum(f.burn[rows], 1e-9), 1.5),
            "view": view.mean if on == "view" else f.quality[rows].astype(float), "age": np.minimum(model.month - f.founded[rows], 60) / 60.0,
            "month": np.full(len(rows), model.month)}


def collect(seed: int, months: int = 120, firms: int = 2000, scenario: str = "baseline",
            overrides: dict | None = None, on: str = "quality") -> tuple[np.ndarray, np.ndarray]:
    """Features and 12-month failure outcomes from one run of ``scenario``."""
    model = EcosystemModel(load_scenario(scenario, months=months, firms=firms, overrides=overrides), rng=seed)
    snaps = []
    for _ in range(months):
        model.step()
        if model.month % 12 == 0 and model.month <= months - 12:
            snaps.append(snapshot(model, on))
    f = model.firms
    X, y = [], []
    for s in snaps:
        rows = s["rows"]
        failed = (f.status[rows] == S.FAILED) & (f.exit_month[rows] <= s["month"] + 12)
        X.append(np.column_stack([np.ones(len(rows)), s["runway"], s["coverage"], s["view"], s["age"]]))
        y.append(failed)
    return np.vstack(X), np.concatenate(y)


def collect_loans(seed: int, months: int = 120, firms: int = 2000, scenario: str = "baseline",
                  overrides: dict | None = None, on: str = "quality") -> tuple[np.ndarray, np.ndarray]:
    """Features at disbursal and 12-month default outcomes of every loan of one run of ``scenario``."""
    import ecosim.credit.lending as lending

    model = EcosystemModel(load_scenario(scenario, months=months, firms=firms, overrides=overrides), rng=seed)
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
                                         view.mean if on == "view" else f.quality[rows].astype(float),
                                         np.minimum(m.month - f.founded[rows], 60) / 60.0,
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


WEIGHTS = ("SCORE_INTERCEPT", "SCORE_RUNWAY", "SCORE_COVERAGE", "SCORE_QUALITY", "SCORE_AGE")


def fit_weights(seeds: int, population: bool, on: str, scenario: str, overrides: dict) -> tuple[np.ndarray, int, float]:
    """One fit at the scorecard now in ``ecosim.credit.officer``: (weights in its sign convention, n, outcome rate)."""
    parts = [(collect if population else collect_loans)(s, scenario=scenario, overrides=overrides, on=on)
             for s in range(1, seeds + 1)]
    X = np.vstack([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    b = fit(X, y)
    return np.array([b[0], -b[1], -b[2], -b[3], -b[4]]), len(y), float(y.mean())


def main(
    seeds: Annotated[int, typer.Option(help="Baseline seeds.")] = 4,
    population: Annotated[bool, typer.Option("--population/--loans",
                                             help="Fit on all firms' failures, or on loans' defaults.")] = False,
    on: Annotated[str, typer.Option(help="Quality regressor: latent 'quality' or the bank's 'view'.")] = "quality",
    scenario: Annotated[str, typer.Option(help="Scenario name or .toml path.")] = "baseline",
    set_: Annotated[list[str] | None, typer.Option("--set", help="KEY=VALUE overrides (numbers).")] = None,
    iterate: Annotated[int, typer.Option(help="Damped refits: each uses the mean of the weights in use and the "
                                              "last fit; prints the mean of the fits.", min=1)] = 1,
) -> None:
    """Fit and print the scorecard weights.

    The bank's rules decide which firms borrow, so a fit on loans depends on the weights in use;
    ``--iterate N`` looks for the fixed point: it refits N times, each time at the mean of the
    weights in use and the last fit, and prints the mean of the N fits.
    """
    import ecosim.credit.officer as officer

    overrides = {k: float(v) for k, v in (item.split("=", 1) for item in (set_ or []))}
    fits = []
    for k in range(iterate):
        w, n, rate = fit_weights(seeds, population, on, scenario, overrides)
        fits.append(w)
        in_use = np.array([getattr(officer, name) for name in WEIGHTS])
        print(f"fit {k + 1}: {n} observations, {rate:.3f} fail or default within 12 months; at "
              f"{' '.join(f'{x:.2f}' for x in in_use)} -> {' '.join(f'{x:.2f}' for x in w)}")
        for name, x in zip(WEIGHTS, 0.5 * (in_use + w), strict=True):
            setattr(officer, name, float(x))
    for name, x in zip(WEIGHTS, np.mean(fits, axis=0), strict=True):
        print(f"{name} = {x:.2f}")


if __name__ == "__main__":
    typer.run(main)
