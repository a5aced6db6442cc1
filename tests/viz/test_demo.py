"""Component tests of the teaching demo: Mesa's controls drive the model and the levers reach the scenario."""

from __future__ import annotations

import ipyvuetify as v
import ipywidgets
import pytest
import solara

from ecosim.viz.demo import DemoModel, DemoPage, status_text
from ecosim.viz.levers import DEMO_LEVERS, lever_overrides


@pytest.fixture
def page():
    """The demo page around a small model, rendered without a browser."""
    model = solara.reactive(DemoModel(firms=120, months=24))
    _, rc = solara.render(solara.AppLayout(children=[DemoPage(model, firms=120, months=24)]), handle_error=False)
    return model, rc


def _status(rc) -> str:
    return rc.find(v.Html, class_="ecosim-status").widget.children[0]


def _images(rc) -> list[bytes]:
    return [bytes(w.value) for w in rc.find(ipywidgets.Image).widgets]


def test_step_advances_the_model_and_redraws_the_charts(page):
    model, rc = page
    before = _images(rc)
    assert model.value.month == 0 and _status(rc).startswith("Month 0")
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert model.value.month == 2
    assert _status(rc).startswith("Month 2 ·")
    after = _images(rc)
    assert len(after) == 2  # the network and the time series
    assert all(a != b for a, b in zip(before, after, strict=True))


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
