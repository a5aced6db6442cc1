"""The model follows Mesa's conventions: keyword parameters, ``running``, ``DataCollector`` reporters, ``batch_run``."""

from __future__ import annotations

import mesa
import pandas as pd
import pytest

from ecosim.model import EcosystemModel
from ecosim.model_args import DEFAULT_FIRMS, DEFAULT_MONTHS
from ecosim.outputs.metrics import METRIC_NAMES
from ecosim.scenario import ScenarioError, load_scenario


def test_defaults_give_the_demo_size_of_the_baseline():
    model = EcosystemModel()
    assert model.params.name == "baseline"
    assert (model.params.run.firms, model.params.run.months) == (DEFAULT_FIRMS, DEFAULT_MONTHS) == (300, 24)


def test_keyword_parameters_take_dotted_and_double_underscore_spellings():
    model = EcosystemModel("no_policy", rng=3, firms="small", months=6, exemption__enabled=True,
                           **{"guarantee.fee_rate": 0.007})
    p = model.params
    assert p.name == "no_policy" and p.run.firms == 1000 and p.run.months == 6
    assert p.exemption.enabled is True and p.guarantee.fee_rate == pytest.approx(0.007)
    # the same as loading the file with the same overrides
    same = load_scenario("no_policy", {"exemption.enabled": True, "guarantee.fee_rate": 0.007}, months=6,
                         firms=1000)
    assert p.content_hash() == same.content_hash()


def test_size_and_horizon_may_also_be_given_as_scenario_keys():
    p = EcosystemModel(run__firms=120, **{"run.months": 5}).params
    assert (p.run.firms, p.run.months) == (120, 5)


def test_a_scenario_object_keeps_its_own_size_and_horizon_unless_given():
    sc = load_scenario("baseline", months=7, firms=150)
    assert EcosystemModel(sc).params is sc
    assert EcosystemModel(sc, months=3).params.run.months == 3
    assert EcosystemModel(sc.model_dump(), pool__share=0.5).params.pool.share == 0.5


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"pool__share": 2.5}, "pool.share = 2.5: input should be less than or equal to 1"),
    ({"pool__nonsense": 1}, "unknown parameter 'pool.nonsense'"),
    ({"firms": "huge"}, "firms = 'huge': give a whole number from 10 to 1000000 or one of demo"),
    ({"scenario": "no_such_scenario"}, "scenario 'no_such_scenario' not found"),
])
def test_bad_keyword_parameters_fail_as_scenario_files_do(kwargs, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        EcosystemModel(**kwargs)


def test_run_model_stops_at_the_scenarios_horizon():
    model = EcosystemModel(load_scenario("baseline", months=5, firms=100))
    assert model.running
    model.run_model()
    assert model.month == model.steps == 5
    assert model.running is False
    model.step()  # stepping on past the horizon still works
    assert model.month == 6


def test_datacollector_has_a_model_reporter_per_metric_and_matches_the_metrics_frame():
    model = EcosystemModel(firms=100, months=4)
    model.run_model()
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == list(METRIC_NAMES)
    assert len(frame) == 4 and frame["month"].tolist() == [1, 2, 3, 4]
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), model.metrics_frame())
    assert frame["firms_alive"].iloc[-1] == model.current["firms_alive"] == len(model.alive)


def test_batch_run_gives_one_row_per_run_and_month_with_metrics_and_parameters():
    rows = mesa.batch_run(EcosystemModel, parameters={"firms": 100, "months": 3, "pool__share": [0.2, 0.6]},
                          rng=[1, 2], max_steps=12, data_collection_period=1, display_progress=False)
    frame = pd.DataFrame(rows)
    assert len(frame) == 2 * 2 * 3  # two values x two seeds x three months (running stops at the horizon)
    assert set(frame["RunId"]) == {0, 1, 2, 3}
    assert sorted(frame.groupby(["pool__share", "rng"]).size().index) == [(0.2, 1), (0.2, 2), (0.6, 1), (0.6, 2)]
    assert set(METRIC_NAMES) <= set(frame.columns)
    assert (frame["Step"] == frame["month"]).all()
    # the same seed and parameters give the numbers of a model built directly
    direct = EcosystemModel(firms=100, months=3, pool__share=0.6, rng=2)
    direct.run_model()
    mine = frame[(frame["pool__share"] == 0.6) & (frame["rng"] == 2)].sort_values("Step")
    assert mine["loan_balance"].tolist() == direct.metrics_frame()["loan_balance"].tolist()


def test_batch_run_end_of_run_rows_by_default():
    rows = mesa.batch_run(EcosystemModel, parameters={"firms": 100, "months": 2}, rng=[5], display_progress=False)
    assert len(rows) == 1 and rows[0]["Step"] == 2 and rows[0]["month"] == 2
