"""The lending phase's counts of applications and approvals, and the banks' capital limit."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

import numpy as np

from ecosim.credit import lending
from ecosim.credit.lending import AGE_BANDS, tally_approvals


def test_applications_and_approvals_are_counted_by_age() -> None:
    """Young/old and age-band counts equal the counts of the masks they stand for."""
    rng = np.random.default_rng(2)
    age = rng.integers(0, 80, 500)
    approve = rng.random(500) < 0.3
    model = SimpleNamespace(tally=defaultdict(float))
    tally_approvals(model, age, approve)
    t = model.tally
    assert t["applications_young"] == (age < 36).sum() and t["approvals_young"] == (approve & (age < 36)).sum()
    assert t["applications_old"] == (age >= 36).sum() and t["approvals_old"] == (approve & (age >= 36)).sum()
    for band, lo, hi in AGE_BANDS:
        inside = (age >= lo) & (age < hi)
        assert t[f"applications_age_{band}"] == inside.sum()
        assert t[f"approvals_age_{band}"] == (approve & inside).sum()
    assert t["approvals"] == approve.sum()


def test_a_bank_at_its_capital_limit_refuses_what_no_longer_fits(monkeypatch) -> None:
    """Approvals are withdrawn in application order once a bank's room is used up; smaller later ones still fit."""
    monkeypatch.setattr(lending, "lending_rooms", lambda model: np.array([10.0, 100.0]))
    bank = np.array([0, 0, 1, 0, 0, 0])
    amount = np.array([4.0, 5.0, 50.0, 3.0, 1.0, 1.0])
    approve = np.array([True, True, True, True, False, True])
    lending.within_capital(None, bank, amount, approve)
    np.testing.assert_array_equal(approve, [True, True, True, False, False, True])
