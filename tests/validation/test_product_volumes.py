"""Product volumes per year at Jinan scale: how they are measured, and that each follows its uptake lever."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.credit import loans as L
from ecosim.credit.products import ACQUISITION, NEED, OFFERS, RD_PROJECT, WORKING_CAPITAL, Applicants
from ecosim.runner import simulate
from ecosim.scenario import load_scenario
from ecosim.validation.quantities import QUANTITIES, RAMP_UP_MONTHS, NotAvailable, RunData

FIRMS, MONTHS = 800, 60


def _run(overrides: dict, seed: int) -> RunData:
    result = simulate(load_scenario("baseline", overrides, months=MONTHS, firms=FIRMS), seed=seed, keep_model=True)
    return RunData.from_model(result.model, result.metrics, result.summary)


def _volume(name: str, overrides: dict) -> float:
    """The quantity summed over two seeds (the same seeds for every setting: common random numbers)."""
    return sum(QUANTITIES[name](_run(overrides, seed)) for seed in (1, 2))


@pytest.fixture(scope="module")
def baseline_run() -> RunData:
    return _run({}, 4)


def test_yearly_volume_is_principal_after_the_ramp_up_scaled_to_jinan(baseline_run):
    """Loans from month 12 on, × 20,000 / run.firms, per year of the remaining months."""
    run = baseline_run
    per_year = 20_000 / FIRMS * 12 / (MONTHS - RAMP_UP_MONTHS)
    for product, name in (("guaranteed", "guaranteed"), ("rd", "rd"), ("ma", "ma")):
        sel = run.loans[(run.loans["product"] == product) & (run.loans["start"] >= RAMP_UP_MONTHS)]
        assert QUANTITIES[f"{name}_principal_per_year"](run) == pytest.approx(sel["principal"].sum() / 1e3 * per_year)
    g = run.loans[(run.loans["product"] == "guaranteed") & (run.loans["start"] >= RAMP_UP_MONTHS)]
    assert len(g) > 0
    assert QUANTITIES["guaranteed_loans_per_year"](run) == pytest.approx(len(g) * per_year)
    assert QUANTITIES["guaranteed_borrowers_per_year"](run) == pytest.approx(g["firm"].nunique() * per_year)
    early = run.loans[(run.loans["product"] == "guaranteed") & (run.loans["start"] < RAMP_UP_MONTHS)]
    assert len(early) > 0  # the ramp-up year has loans that the yearly figure leaves out


def test_yearly_volume_needs_a_year_after_the_ramp_up(baseline_run):
    run = baseline_run
    short = RunData(run.summary, run.metrics, RAMP_UP_MONTHS + 6, run.firms, run.loans, run.defaults, run.deals,
                    run.initial_firms)
    with pytest.raises(NotAvailable):
        QUANTITIES["rd_principal_per_year"](short)
    unsized = RunData(run.summary, run.metrics, run.months, run.firms, run.loans, run.defaults, run.deals)
    with pytest.raises(NotAvailable):
        QUANTITIES["rd_principal_per_year"](unsized)


@pytest.mark.parametrize(
    ("quantity", "lever", "low", "high"),
    [
        ("guaranteed_principal_per_year", "guarantee.municipal_capital", 10.0, 160.0),
        ("ma_loans_per_year", "products.ma_apply", 0.001, 0.03),
        ("rd_principal_per_year", "products.rd_apply", 0.05, 1.0),
    ],
)
def test_product_volume_rises_with_its_uptake_lever(quantity, lever, low, high):
    """More guarantor capital, more acquisition demand, more R&D projects: more of each product."""
    assert _volume(quantity, {lever: high}) > 1.5 * _volume(quantity, {lever: low})


def _applicants(purposes: list[int]) -> Applicants:
    n = len(purposes)
    one = np.ones(n)
    return Applicants(
        rows=np.arange(n), purpose=np.array(purposes, dtype=np.int8), sought=5 * one, age=48 * one,
        stage=np.full(n, 3, dtype=np.int8), cash=2 * one, revenue=5 * one, burn=one, debt=0 * one, service=0 * one,
        collateral=10 * one, patents=5 * one, ip_value=5 * one, employees=20 * one, valuation=50 * one,
        equity_raised=10 * one, view_mean=one, rated=np.ones(n, dtype=bool),
    )


def test_a_loan_is_offered_only_for_the_purposes_it_may_fund():
    """An R&D project gets only the R&D loan, an acquisition only the M&A loan; general products serve needs.

    The applicants are mature firms with patents, a rating, sales above the M&A loan's threshold,
    collateral and equity, so every product's rule would lend to them; the R&D loan is open to mature firms.
    """
    p = load_scenario("baseline")
    a = _applicants([NEED, WORKING_CAPITAL, ACQUISITION, RD_PROJECT])
    lines = {code: OFFERS[code](a, p).line for code in OFFERS}
    for code, line in lines.items():
        offered = line > 0
        if code == L.RD:
            assert offered.tolist() == [True, False, False, True]
        elif code == L.MA:
            assert offered.tolist() == [False, False, True, False]
        else:
            assert offered.tolist() == [True, True, False, False]
