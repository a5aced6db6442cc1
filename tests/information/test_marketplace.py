"""The municipal marketplace widens the banks and products a firm reaches, and matches it to a bank."""

from __future__ import annotations

import numpy as np

from ecosim.information.market import banks_reached, choose_bank, on_marketplace, products_reached
from ecosim.information.platform import get_platform
from ecosim.model import EcosystemModel
from ecosim.scenario import load_scenario


def _model(overrides) -> EcosystemModel:
    model = EcosystemModel(load_scenario("baseline", overrides, months=12, firms=400), rng=5)
    model.step()
    return model


def test_firm_on_the_marketplace_reaches_more_products_than_one_off_it() -> None:
    """On the marketplace a firm sees every listed bank's products; off it, only one bank's."""
    model = _model({"platforms.coverage_start": 0.5, "banks.count": 12})
    rows = np.arange(len(model.firms))
    on = on_marketplace(model, rows)
    assert on.any() and (~on).any()
    found = np.zeros(len(rows), dtype=int)
    products = products_reached(model, rows, found)
    per_bank = model.params.platforms.products_per_bank
    assert (products[~on] == per_bank).all()
    assert (products[on] == 12 * per_bank).all()
    assert products[on].min() > products[~on].max()
    reach = banks_reached(model, rows, found)
    assert (reach[~on].sum(axis=1) == 1).all()


def test_without_the_municipal_platform_nobody_reaches_beyond_one_bank() -> None:
    """Switching the marketplace off leaves every firm with the one bank it knows or finds."""
    model = _model({"platforms.municipal": False, "banks.count": 8})
    rows = np.arange(len(model.firms))
    assert (banks_reached(model, rows).sum(axis=1) == 1).all()
    assert get_platform(model, "municipal") is None


def test_marketplace_matches_a_firm_to_the_bank_that_sees_most_about_it() -> None:
    """A marketplace firm is matched to a bank that recognises its district grade; an off-market firm is not."""
    over = {"platforms.coverage_start": 1.0, "platforms.district_coverage_start": 1.0,
            "platforms.district_share": 1.0, "platforms.district_bank_share": 0.3, "platforms.provincial": False,
            "banks.count": 10}
    model = _model(over)
    f = model.firms
    district = get_platform(model, "district")
    rows = np.flatnonzero((f.rel_bank < 0) & district.covered[: len(f)])[:50]
    assert len(rows) > 0
    found = np.flatnonzero(~district.recognised_by)[np.zeros(len(rows), dtype=int)]
    chosen = choose_bank(model, rows, found)
    assert district.recognised_by[chosen].all()
    muni = get_platform(model, "municipal")
    muni.covered[rows] = False
    assert np.array_equal(choose_bank(model, rows, found), found)


def test_marketplace_firm_keeps_its_own_bank_when_that_bank_knows_it_best() -> None:
    """Soft information held by the firm's own bank weighs in the match; with it the firm stays."""
    over = {"platforms.coverage_start": 1.0, "platforms.provincial": False, "platforms.district": False,
            "banks.count": 6}
    model = _model(over)
    f = model.firms
    rows = np.arange(20)
    f.rel_bank[rows] = 3
    f.soft_precision[rows] = 2.0
    chosen = choose_bank(model, rows, np.zeros(len(rows), dtype=int))
    assert (chosen == 3).all()
