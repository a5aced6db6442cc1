"""The yearly bank evaluation: indicators and points by definition, the ladder, and incentives banks act on."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.credit.loans import REPAID
from ecosim.information.evaluation import INDICATORS, bank_indicators, incentive_terms, score_banks
from ecosim.model import EcosystemModel
from ecosim.scenario import load_scenario


def _hand_built() -> EcosystemModel:
    """Three banks and four loans written by hand (see the expected figures in the tests)."""
    model = EcosystemModel(load_scenario("baseline", {"banks.count": 3}, months=12, firms=50), rng=0)
    assert len(model.loans) == 0
    model.month = 12
    f = model.firms
    a, b, c = 0, 1, 2
    f.founded[[a, b, c]] = [-50, 0, -10]
    model.loans.add(
        4,
        firm=[a, b, c, a], bank=[0, 0, 1, 1], start=[3, 6, 5, 8],
        principal=[4.0, 2.0, 6.0, 1.0], outstanding=[3.0, 2.0, 6.0, 0.0], rate=[0.05, 0.04, 0.06, 0.05],
        tenor=[24, 12, 36, 24], collateral=[0.0, 1.0, 0.0, 0.0], guaranteed=[False, False, True, False],
    )
    model.loans.set_status([3], REPAID)
    model.loans.overdue_months[2] = 3  # bank 1: its only loan on the books 90 days overdue, NPL ratio 1
    return model


def test_indicators_follow_their_definitions_on_a_hand_built_case() -> None:
    """Balance, growth, borrowers, first-time borrowers, shares, rate and NPL of each bank, computed by hand."""
    model = _hand_built()
    ind = bank_indicators(model, since=0, previous_balance=np.array([2.5, 0.0, 0.0]))
    assert list(ind.columns) == list(INDICATORS)
    assert np.allclose(ind["tech_loan_balance"], [5.0, 6.0, 0.0])
    assert np.allclose(ind["balance_growth"], [1.0, 1.0, 0.0])
    assert np.allclose(ind["tech_borrowers"], [2, 1, 0])
    assert np.allclose(ind["first_time_borrowers"], [2, 1, 0])
    assert np.allclose(ind["credit_loan_share"], [4 / 6, 1 / 7, 0.0])
    assert np.allclose(ind["medium_long_share"], [4 / 6, 1.0, 0.0])
    assert ind["mean_rate"][0] == pytest.approx(0.28 / 6)
    assert ind["mean_rate"][1] == pytest.approx(0.41 / 7)
    assert np.isnan(ind["mean_rate"][2])
    assert np.allclose(ind["npl_ratio"], [0.0, 1.0, 0.0])
    assert np.allclose(ind["young_firm_share"], [2 / 6, 6 / 7, 0.0])
    capacity = np.array([bk.equity for bk in model.banks]) / model.params.banks.capital_ratio
    assert np.allclose(ind["tech_loan_share"], [5.0, 6.0, 0.0] / capacity)


def test_points_scale_each_bank_between_worst_and_best() -> None:
    """0–10 points per class by min–max (lower is better for rates and NPL), missing = 0, score = sum."""
    model = _hand_built()
    ind = bank_indicators(model, since=0, previous_balance=np.array([2.5, 0.0, 0.0]))
    pts = score_banks(ind)
    assert np.allclose(pts["points_tech_loan_balance"], [10 * 5 / 6, 10.0, 0.0])
    assert np.allclose(pts["points_balance_growth"], [10.0, 10.0, 0.0])
    assert np.allclose(pts["points_mean_rate"], [10.0, 0.0, 0.0])
    assert np.allclose(pts["points_npl_ratio"], [10.0, 0.0, 10.0])
    assert np.allclose(pts["score"], pts[[f"points_{k}" for k in INDICATORS]].sum(axis=1))
    equal = ind.copy()
    equal["tech_borrowers"] = 3.0
    assert np.allclose(score_banks(equal)["points_tech_borrowers"], 5.0)


def test_scores_set_quotas_rediscount_and_move_banks_up_the_ladder() -> None:
    """High scores earn full quotas, rediscount and a step up; low scores lose quota and step down."""
    model = _hand_built()
    ev = model.evaluator
    p = model.params.evaluation
    banks = model.banks
    banks[2].accreditation = 2
    ev.apply_incentives(np.array([100.0, 50.0, 10.0]))
    assert banks[0].relending_quota == pytest.approx(1.0)
    assert banks[2].relending_quota == pytest.approx(p.quota_floor + (1 - p.quota_floor) * 0.1)
    assert banks[0].funding_discount == p.rediscount_benefit and banks[1].funding_discount == 0.0
    assert [bk.accreditation for bk in banks] == [1, 0, 1]
    assert banks[0].appetite == pytest.approx(p.appetite_step)
    assert banks[0].delegated_multiplier == pytest.approx(1 + p.authority_step)
    for _ in range(5):
        ev.apply_incentives(np.array([100.0, 50.0, 10.0]))
    assert [bk.accreditation for bk in banks] == [3, 0, 0]


def test_incentive_terms_match_the_scenario_until_banks_are_evaluated() -> None:
    """Default bank attributes give every bank the scenario's uniform terms; evaluated banks get their own."""
    model = _hand_built()
    p = model.params
    inc = p.incentives
    idx = np.array([0, 1, 2])
    t = incentive_terms(model, idx)
    uniform = (1 - inc.relending_share) * p.banks.funding_rate + inc.relending_share * inc.relending_rate - inc.ftp_rebate
    assert np.allclose(t["funding_cost"], uniform)
    assert np.allclose(t["relending_share"], inc.relending_share)
    assert np.allclose(t["rate_cap"], p.banks.rate_cap)
    assert np.allclose(t["delegated_limit"], inc.delegated_limit)
    model.evaluator.apply_incentives(np.array([100.0, 0.0, 60.0]))
    t = incentive_terms(model, idx)
    assert t["relending_share"][0] > t["relending_share"][1]
    assert t["funding_cost"][0] < t["funding_cost"][1]
    assert t["rate_cap"][0] > p.banks.rate_cap and t["rate_cap"][1] == p.banks.rate_cap
    assert t["delegated_limit"][0] > inc.delegated_limit


def test_yearly_evaluation_runs_in_the_model_and_is_recorded() -> None:
    """Each twelfth month every bank is scored once; the record has the ten indicators and the score."""
    model = EcosystemModel(load_scenario("baseline", {"banks.count": 4}, months=24, firms=300), rng=1)
    for _ in range(24):
        model.step()
    df = model.evaluator.frame()
    assert len(df) == 2 * 4
    assert sorted(df["year"].unique()) == [1, 2]
    assert df["score"].between(0, 100).all()
    assert set(INDICATORS) <= set(df.columns)
    assert model.current["bank_score_mean"] == pytest.approx(df[df["year"] == 2]["score"].mean())


def test_evaluation_switched_off_leaves_banks_alone() -> None:
    """Without the evaluation no bank is scored and incentives stay at their neutral defaults."""
    model = EcosystemModel(load_scenario("baseline", {"evaluation.enabled": False}, months=12, firms=200), rng=1)
    for _ in range(12):
        model.step()
    assert model.evaluator is None
    assert all(bk.relending_quota == 1.0 and bk.accreditation == 0 for bk in model.banks)
