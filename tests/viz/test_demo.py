"""Component tests of the teaching demo: Mesa's controls drive the model, the levers reach the scenario, the charts
get their numbers and a kept reference run stays on them."""

from __future__ import annotations

import ipyvue
import ipyvuetify as v
import pytest
import solara

from ecosim.viz.demo import DemoModel, DemoPage, chart_panels, reference_label, status_text
from ecosim.viz.levers import DEMO_LEVERS, SYSTEMS, lever_overrides, levers_by_system


@pytest.fixture
def page():
    """The demo page around a small model, rendered without a browser."""
    model = solara.reactive(DemoModel(firms=120, months=24))
    _, rc = solara.render(solara.AppLayout(children=[DemoPage(model, firms=120, months=24)]), handle_error=False)
    return model, rc


def _status(rc) -> str:
    return rc.find(v.Html, class_="ecosim-status").widget.children[0]


def _charts(rc) -> list:
    """The chart widgets of the page (each holds its series as numbers)."""
    return [w for w in rc.find(ipyvue.VueTemplate).widgets if w.has_trait("series") and w.has_trait("empty_text")]


def test_step_advances_the_model_and_sends_the_new_month_to_the_charts(page):
    model, rc = page
    charts = _charts(rc)
    assert len(charts) == 6
    assert all(len(s["values"]) == 0 for c in charts for s in c.series)
    assert model.value.month == 0 and _status(rc).startswith("Month 0")
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert model.value.month == 2
    assert _status(rc).startswith("Month 2 ·")
    charts = _charts(rc)
    assert all(len(s["values"]) == 2 for c in charts for s in c.series)
    stages = next(c for c in charts if c.title.startswith("Startups by stage"))
    m = model.value.metrics_frame()
    assert stages.series[0]["values"] == [float(x) for x in m["firms_seed"]]


def test_reset_builds_a_fresh_model(page):
    model, rc = page
    rc.find(v.Btn, children=["Step"]).widget.click()
    first = model.value
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert model.value is not first
    assert model.value.month == 0
    assert _status(rc).startswith("Month 0")


def test_moving_a_slider_and_a_switch_changes_the_model_at_reset(page):
    model, rc = page
    rc.find(v.Slider, label="Bank's loss share").widget.v_model = 0.5
    rc.find(v.Checkbox, label="Guidance funds (6+N)").widget.v_model = False
    rc.find(v.Btn, children=["Reset"]).widget.click()
    g = model.value.params.guarantee
    assert g.share_bank == pytest.approx(0.5)
    assert g.share_municipal == pytest.approx(0.25) and g.share_national == pytest.approx(0.125)
    assert model.value.params.funds.enabled is False
    assert model.value.mother_funds == []
    for _ in range(3):
        rc.find(v.Btn, children=["Step"]).widget.click()
    assert model.value.metrics_frame()["equity_public"].sum() == 0.0


def test_every_lever_has_a_control_and_reaches_the_scenario():
    """Each lever's default and a changed value both validate into a scenario that differs where it should."""
    for lever in DEMO_LEVERS:
        other = (not lever.default) if lever.widget == "Checkbox" else lever.max
        base = DemoModel(firms=60, months=12, **{lever.name: lever.default}).params.model_dump()
        changed = DemoModel(firms=60, months=12, **{lever.name: other}).params.model_dump()
        for key in lever_overrides({lever.name: other}):
            section, name = key.split(".")
            assert changed[section][name] != base[section][name] or lever.to_overrides(other)[key] == base[section][name]
        assert changed != base, lever.name


def test_unknown_lever_is_refused():
    with pytest.raises(ValueError, match="unknown demo lever"):
        DemoModel(firms=60, months=12, not_a_lever=1)


def test_model_stops_at_its_horizon():
    model = DemoModel(firms=60, months=3)
    for _ in range(3):
        model.step()
    assert model.running is False
    assert status_text(model).startswith("Month 3 ·")


def test_levers_are_grouped_by_the_three_systems_of_the_pilot_zone():
    groups = levers_by_system()
    assert list(groups) == list(SYSTEMS) and all(groups.values())
    assert sorted(lever.name for levers in groups.values() for lever in levers) == sorted(x.name for x in DEMO_LEVERS)
    assert [lever.name for lever in groups["data"]] == ["platforms"]


def test_empty_charts_say_what_is_missing():
    panels = chart_panels(DemoModel(firms=60, months=12).metrics_frame())
    notes = {p["key"]: p["empty_text"] for p in panels}
    assert notes["losses"] == "no losses yet"
    assert all(not s["values"] for p in panels for s in p["series"])


def test_kept_reference_stays_on_the_charts_after_a_lever_change_and_reset(page):
    model, rc = page
    for _ in range(3):
        rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["Keep this run as reference"]).widget.click()
    kept = [c.series[0]["values"] for c in _charts(rc)]
    rc.find(v.Checkbox, label="Guidance funds (6+N)").widget.v_model = False
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert model.value.month == 0 and model.value.params.funds.enabled is False
    charts = _charts(rc)
    assert [c.reference[0]["values"] for c in charts] == kept
    assert all(c.reference_label == "reference run (Guidance funds on)" for c in charts)
    rc.find(v.Btn, children=["Clear"]).widget.click()
    assert all(c.reference == [] for c in _charts(rc))


def test_reference_label_names_what_differs():
    levers = {lever.name: lever.default for lever in DEMO_LEVERS}
    ref = {"levers": {**levers, "pool": False, "bank_share": 0.5}, "seed": 3}
    assert reference_label(ref, {"rng": 3, **levers}) == "reference run (Bank's loss share 0.5; Risk pool off)"
    assert reference_label({"levers": levers, "seed": 3}, {"rng": 4, **levers}) == "reference run (seed 3)"
    assert reference_label(None, levers) == ""
