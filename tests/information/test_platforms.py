"""Data-credit platforms: accuracy, coverage, recognition by banks, district grades, and what ratings buy."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.firms.state import ACTIVE
from ecosim.information.platform import GRADES, get_platform, grade_line, grade_uplift, rating_precision
from ecosim.information.view import district_terms, platform_view, rated_by
from ecosim.model import EcosystemModel
from ecosim.runner import simulate
from ecosim.scenario import load_scenario

ONLY_MUNICIPAL = {"platforms.provincial": False, "platforms.district": False,
                  "platforms.coverage_start": 1.0, "platforms.onboarding_rate": 1.0}


def _model(overrides=None, firms=400, seed=3, months=12) -> EcosystemModel:
    return EcosystemModel(load_scenario("baseline", overrides or {}, months=months, firms=firms), rng=seed)


def test_perfect_platform_allocates_credit_better_than_a_useless_one() -> None:
    """Over shared seeds, lending decisions track latent quality better with an accurate rating than with noise."""
    diffs = []
    for seed in range(4):
        auc = {}
        for acc in (1.0, 0.0):
            sc = load_scenario("baseline", {**ONLY_MUNICIPAL, "platforms.accuracy": acc}, months=36, firms=500)
            auc[acc] = simulate(sc, seed).summary["mean_allocation_auc"]
        diffs.append(auc[1.0] - auc[0.0])
    assert sum(d > 0 for d in diffs) >= 3, diffs
    assert np.mean(diffs) > 0.02


@pytest.mark.parametrize("tier", ["provincial", "municipal", "district"])
def test_rating_correlates_with_quality_as_its_accuracy_says(tier: str) -> None:
    """Each platform's reading correlates with latent quality at (about) its stated accuracy."""
    over = {"platforms.coverage_start": 1.0, "platforms.provincial_coverage_start": 1.0,
            "platforms.district_coverage_start": 1.0, "platforms.district_share": 1.0,
            "platforms.provincial_max_age": 600}
    model = _model(over, firms=4000)
    model.step()
    platform = get_platform(model, tier)
    rows = np.flatnonzero(platform.covered[: len(model.firms)])
    assert len(rows) > 3000
    quality = model.firms.quality[rows].astype(float)
    r = np.corrcoef(platform.reading[rows], quality)[0, 1]
    # The stated accuracy is the correlation for quality of unit variance; operating firms are
    # selected on quality (weak ones fail more), so the correlation expected among them follows
    # from their quality's spread: reading = quality + noise of variance (1 - acc²) / acc².
    acc, sd = platform.accuracy, quality.std()
    expected = sd / np.sqrt(sd * sd + (1.0 - acc * acc) / (acc * acc))
    assert r == pytest.approx(expected, abs=0.04)


def test_district_accuracy_rises_with_more_indicators() -> None:
    """More (or less noisy) indicators make the innovation-capability score more accurate."""
    few = _model({"platforms.indicators": 10}).platforms
    many = _model({"platforms.indicators": 1000}).platforms
    acc = lambda ps: next(p for p in ps if p.tier == "district").accuracy  # noqa: E731
    assert acc(many) > acc(few)
    assert acc(many) < 0.95  # equal weights never match what drives quality exactly


def test_provincial_platform_rates_only_young_firms() -> None:
    """The provincial credit-enhancement rating covers firms no older than its age limit."""
    model = _model({"platforms.provincial_coverage_start": 1.0, "platforms.provincial_max_age": 24})
    model.step()
    f = model.firms
    covered = rated_by(model, "provincial")
    age = model.month - f.founded
    assert covered.any()
    assert (age[covered] <= 24).all()
    assert (covered[(age <= 24) & (f.status == ACTIVE)]).all()


def test_district_scores_only_firms_in_its_parks() -> None:
    """The district platform scores firms in its parks only; the share in parks is a lever."""
    model = _model({"platforms.district_coverage_start": 1.0, "platforms.district_share": 0.3}, firms=2000)
    model.step()
    share = rated_by(model, "district")[model.firms.status == ACTIVE].mean()
    assert share == pytest.approx(0.3, abs=0.05)


def test_coverage_grows_as_firms_onboard() -> None:
    """Coverage starts at its starting share and grows month by month as firms onboard."""
    model = _model({"platforms.coverage_start": 0.1, "platforms.onboarding_rate": 0.1}, months=12)
    model.step()
    first = model.current["coverage_municipal"]
    for _ in range(6):
        model.step()
    assert first == pytest.approx(0.1, abs=0.05)
    assert model.current["coverage_municipal"] > first + 0.2


def test_bank_sees_only_the_platforms_it_recognises() -> None:
    """A bank outside the provincial scheme does not see the provincial rating; one inside does."""
    over = {"platforms.municipal": False, "platforms.district": False, "platforms.provincial_coverage_start": 1.0,
            "platforms.provincial_bank_share": 0.5}
    model = _model(over)
    model.step()
    prov = get_platform(model, "provincial")
    rows = np.flatnonzero(prov.covered[: len(model.firms)])[:50]
    inside = int(np.flatnonzero(prov.recognised_by)[0])
    outside = int(np.flatnonzero(~prov.recognised_by)[0])
    seen_in = platform_view(model, rows, np.full(len(rows), inside))
    seen_out = platform_view(model, rows, np.full(len(rows), outside))
    assert seen_in.seen.all() and not seen_out.seen.any()
    assert np.allclose(seen_in.signal, prov.reading[rows])
    assert np.allclose(seen_in.precision, rating_precision(model.params.platforms.provincial_accuracy))
    assert np.isnan(seen_out.signal).all()


def test_ratings_from_several_platforms_combine_by_precision() -> None:
    """A firm rated by two recognised platforms is seen with the sum of their precisions."""
    over = {"platforms.district": False, "platforms.coverage_start": 1.0, "platforms.provincial_coverage_start": 1.0,
            "platforms.provincial_bank_share": 1.0}
    model = _model(over)
    model.step()
    prov, muni = get_platform(model, "provincial"), get_platform(model, "municipal")
    rows = np.flatnonzero(prov.covered[: len(model.firms)] & muni.covered[: len(model.firms)])[:20]
    v = platform_view(model, rows, np.zeros(len(rows), dtype=int))
    tp, tm = prov.precision, muni.precision
    assert np.allclose(v.precision, tp + tm)
    assert np.allclose(v.signal, (tp * prov.reading[rows] + tm * muni.reading[rows]) / (tp + tm))


def test_district_grades_map_to_pre_approved_lines_and_uplifts() -> None:
    """Grades E..A give no line, then 1, 4, 7, 10 m; uplifts rise to +25% for A; ungraded firms get neither."""
    grades = np.array([-1, 0, 1, 2, 3, 4])
    assert np.allclose(grade_line(grades, 1.0, 10.0), [0, 0, 1, 4, 7, 10])
    assert np.allclose(grade_uplift(grades, 0.25), [0, 0, 0.0625, 0.125, 0.1875, 0.25])
    assert len(GRADES) == 5


def test_only_co_building_banks_use_district_grades() -> None:
    """district_terms gives lines and uplifts for co-building banks only, by the firm's grade."""
    over = {"platforms.district_coverage_start": 1.0, "platforms.district_share": 1.0,
            "platforms.district_bank_share": 0.5}
    model = _model(over)
    model.step()
    d = get_platform(model, "district")
    rows = np.flatnonzero(d.covered[: len(model.firms)])[:200]
    co = int(np.flatnonzero(d.recognised_by)[0])
    other = int(np.flatnonzero(~d.recognised_by)[0])
    line, uplift = district_terms(model, rows, np.full(len(rows), co))
    p = model.params.platforms
    assert np.allclose(line, grade_line(d.grade[rows], p.line_min, p.line_max))
    assert np.allclose(uplift, grade_uplift(d.grade[rows], p.uplift_max))
    assert line.max() == pytest.approx(10.0)
    line_o, uplift_o = district_terms(model, rows, np.full(len(rows), other))
    assert not line_o.any() and not uplift_o.any()
    # Better grades go with better latent quality.
    q = model.firms.quality[rows]
    assert q[d.grade[rows] == 4].mean() > q[d.grade[rows] == 0].mean()


def test_platforms_switched_off_rate_nobody() -> None:
    """With the platforms off nobody is rated and lenders see no platform rating."""
    model = _model({"platforms.enabled": False})
    for _ in range(3):
        model.step()
    assert model.platforms == []
    assert np.isnan(model.firms.rating).all()
    v = platform_view(model, np.arange(10), np.zeros(10, dtype=int))
    assert not v.seen.any()


def test_platform_draws_do_not_depend_on_which_platforms_are_on() -> None:
    """Switching a platform off leaves the other platforms' ratings of the same firms unchanged (same seed)."""
    a = _model({"platforms.district": False})
    b = _model({})
    a.step()
    b.step()
    ma, mb = get_platform(a, "municipal"), get_platform(b, "municipal")
    n = len(a.firms)
    assert np.array_equal(ma.covered[:n], mb.covered[:n])
    assert np.allclose(ma.reading[:n][ma.covered[:n]], mb.reading[:n][mb.covered[:n]])
