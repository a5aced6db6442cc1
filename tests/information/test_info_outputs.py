"""Information outputs: banks.csv, the new monthly metrics and summary figures, and the new levers' validation."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ecosim.information.evaluation import INDICATORS
from ecosim.information.metrics import INFO_METRICS
from ecosim.outputs.metrics import METRIC_NAMES
from ecosim.runner import run_to_dir, simulate
from ecosim.scenario import ScenarioError, load_scenario


def test_run_writes_banks_csv_with_yearly_scores_and_accreditation(tmp_path) -> None:
    """``banks.csv`` has one row per bank per year with the ten indicators, points, score and ladder step."""
    sc = load_scenario("baseline", {"banks.count": 5}, months=24, firms=300)
    run_to_dir(sc, 2, tmp_path, progress=False)
    df = pd.read_csv(tmp_path / "banks.csv")
    assert len(df) == 10
    assert set(INDICATORS) <= set(df.columns)
    assert {"score", "accreditation", "relending_quota", "rediscount"} <= set(df.columns)
    assert set(df["accreditation"]) <= {"none", "reserve", "upgrading", "accredited"}
    metrics = pd.read_csv(tmp_path / "metrics.csv")
    assert set(INFO_METRICS) <= set(metrics.columns)


def test_new_metrics_are_listed_and_summarised() -> None:
    """Coverage by tier, unfunded top-quality firms, visits by kind and platform AUCs come out of a run."""
    assert set(INFO_METRICS) <= set(METRIC_NAMES)
    r = simulate(load_scenario("baseline", months=36, firms=500), 1)
    m, s = r.metrics, r.summary
    for tier in ("provincial", "municipal", "district"):
        assert m[f"coverage_{tier}"].iloc[-1] > 0
        assert 0.0 < s[f"rating_auc_{tier}"] < 1.0
    assert s["rating_auc"] > 0.5  # a better rating goes with a lower chance of failing later
    assert 0 <= m["unfunded_top_quality"].min() and m["unfunded_top_quality"].max() <= 1
    assert (m["visits"] == m["visits_team"] + m["visits_station"] + m["visits_adviser"]).all()
    assert not math.isnan(s["bank_score_mean"])


def test_no_policy_switches_the_information_instruments_off() -> None:
    """The no-policy scenario has no platforms, brokers, brokerage or evaluation."""
    r = simulate(load_scenario("no_policy", months=12, firms=200), 1)
    m = r.metrics
    assert (m[["coverage_provincial", "coverage_municipal", "coverage_district", "visits", "spinoffs"]] == 0).all().all()
    assert m["bank_score_mean"].isna().all()


@pytest.mark.parametrize(
    ("override", "field"),
    [("platforms.indicators=2", "platforms.indicators"), ("platforms.uplift_max=1.5", "platforms.uplift_max"),
     ("brokers.stations=-1", "brokers.stations"), ("evaluation.quota_floor=2", "evaluation.quota_floor"),
     ("brokerage.screen_rate=1.5", "brokerage.screen_rate")],
)
def test_bad_information_levers_give_one_line_errors(override: str, field: str) -> None:
    """An out-of-range lever is refused with one line naming the field and its allowed range."""
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline", [override])
    msg = str(err.value)
    assert "\n" not in msg and field in msg and "allowed" in msg
