"""Validation targets as data: every target is complete, sourced and computable."""

from __future__ import annotations

import pytest

from ecosim.scenario import ScenarioError
from ecosim.validation.quantities import QUANTITIES
from ecosim.validation.validate import load_targets

ISSUE_TARGETS = {
    "loan_size_provincial_platform", "loan_size_data_credit", "loan_size_guaranteed", "guarantee_fee",
    "bank_share_guaranteed_loss", "regional_upgrade_rate", "credit_access", "npl_tech_loans", "survival_1y",
    "survival_3y", "survival_5y", "survival_10y", "deals_losing_money", "deals_over_5x",
}


def test_every_published_target_is_declared_with_source_scaling_and_a_quantity():
    targets = load_targets()
    assert ISSUE_TARGETS <= {t.id for t in targets}
    for t in targets:
        assert t.source.strip() and t.scaling.strip() and t.unit.strip()
        assert t.quantity in QUANTITIES
        assert t.low <= t.high
        lo, hi = t.band
        assert lo <= t.low and hi >= t.high


def test_figures_match_the_domain_brief():
    t = {x.id: x for x in load_targets()}
    assert t["guarantee_fee"].low == pytest.approx(0.0076)
    assert t["bank_share_guaranteed_loss"].low == pytest.approx(0.2)
    assert (t["credit_access"].low, t["credit_access"].high) == pytest.approx((0.469, 0.502))
    # Survival bands of the corrected brief (US BDS and China's SAIC 2013 survival report).
    bands = {k: (t[k].low, t[k].high) for k in ("survival_1y", "survival_3y", "survival_5y", "survival_10y")}
    assert bands == {"survival_1y": pytest.approx((0.75, 0.92)), "survival_3y": pytest.approx((0.55, 0.78)),
                     "survival_5y": pytest.approx((0.40, 0.65)), "survival_10y": pytest.approx((0.15, 0.40))}
    assert "SAIC" in t["survival_5y"].source and "Business Dynamics Statistics" in t["survival_5y"].source


def test_bad_target_file_gives_one_line_error(tmp_path):
    bad = tmp_path / "t.toml"
    bad.write_text('[[target]]\nid="x"\nname="x"\nquantity="npl_ratio"\nlow=0.3\nhigh=0.1\ntolerance=0.1\n'
                   'unit="u"\nsource="s"\nscaling="s"\n')
    with pytest.raises(ScenarioError) as err:
        load_targets(bad)
    assert "\n" not in str(err.value) and "'x'" in str(err.value)
    bad.write_text('[[target]]\nid="y"\nname="y"\nquantity="no_such"\nlow=0\nhigh=1\ntolerance=0\n'
                   'unit="u"\nsource="s"\nscaling="s"\n')
    with pytest.raises(ScenarioError, match="unknown quantity 'no_such'"):
        load_targets(bad)
