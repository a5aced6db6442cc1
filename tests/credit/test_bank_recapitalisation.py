"""A branch whose losses used up its equity is recapitalised by its head office, and the books keep their signs."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.credit.bank import recapitalise_banks
from ecosim.model import EcosystemModel


def _model() -> EcosystemModel:
    return EcosystemModel(scenario="baseline", rng=3, firms=200, months=12)


def _equity(model: EcosystemModel) -> np.ndarray:
    bal, ba = model.ledger.balance, model.bank_accounts
    return -(bal[ba["capital"]] + bal[ba["retained"]])


def test_a_branch_with_negative_equity_gets_its_allotted_capital_back():
    model = _model()
    bank = model.banks[0]
    led = model.ledger
    # A loss larger than the branch's equity, booked as a written-off loan: loans fall, retained earnings go negative.
    loss = float(_equity(model)[0]) + 5.0
    led.post("test_loan", np.array([bank.accounts["loans"]]), np.array([bank.accounts["deposits"]]), np.array([50.0]))
    led.post("test_loss", np.array([bank.accounts["retained"]]), np.array([bank.accounts["loans"]]), np.array([loss]))
    assert _equity(model)[0] < 0
    others = _equity(model)[1:].copy()
    recapitalise_banks(model)
    assert _equity(model)[0] == pytest.approx(bank.allotted_capital)
    np.testing.assert_array_equal(_equity(model)[1:], others)  # solvent branches are left alone
    assert model.tally["bank_recapitalisations"] == pytest.approx(bank.allotted_capital + 5.0)
    led.check(model.month)


def test_solvent_branches_are_not_recapitalised():
    model = _model()
    before = _equity(model).copy()
    recapitalise_banks(model)
    np.testing.assert_array_equal(_equity(model), before)
    assert model.tally["bank_recapitalisations"] == 0.0
