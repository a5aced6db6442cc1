"""Mesa's own visual components work on the model in a user's SolaraViz page.

The page is what a Mesa user writes: ``SolaraViz`` around an ``EcosystemModel``
with ``make_plot_component`` for metrics and ``make_space_component`` for the
relationship network (``model.grid``), and keyword parameters as sliders and
switches. It is rendered without a browser.
"""

from __future__ import annotations

import pytest

solara = pytest.importorskip("solara")
ipyvuetify = pytest.importorskip("ipyvuetify")
ipywidgets = pytest.importorskip("ipywidgets")

from mesa.visualization import SolaraViz, make_plot_component, make_space_component  # noqa: E402
from mesa.visualization.components import AgentPortrayalStyle  # noqa: E402

from ecosim.model import EcosystemModel  # noqa: E402

COLOURS = {"Bank": "tab:blue", "Startup": "tab:orange"}


def portrayal(agent) -> AgentPortrayalStyle:
    return AgentPortrayalStyle(color=COLOURS.get(type(agent).__name__, "tab:gray"), size=12)


@pytest.fixture
def page():
    model = solara.reactive(EcosystemModel(firms=60, months=4, rng=1))
    viz = SolaraViz(
        model,
        components=[make_plot_component("firms_alive"), make_plot_component({"loan_balance": "tab:blue"}),
                    make_space_component(portrayal)],
        model_params={"firms": 60, "months": 4, "rng": 1,
                      "exemption__enabled": {"type": "Checkbox", "value": True, "label": "Due-diligence exemption"}},
        name="my ecosim page",
    )
    _, rc = solara.render(solara.AppLayout(children=[viz]), handle_error=False)
    return model, rc


def _images(rc) -> list[bytes]:
    return [bytes(w.value) for w in rc.find(ipywidgets.Image).widgets]


def test_plot_and_network_components_render_and_follow_the_steps(page):
    model, rc = page
    before = _images(rc)
    assert len(before) == 3 and all(len(b) > 1000 and b[:4] == b"\x89PNG" for b in before)
    for _ in range(2):
        rc.find(ipyvuetify.Btn, children=["Step"]).widget.click()
    assert model.value.month == 2
    after = _images(rc)
    assert len(after) == 3 and after[0] != before[0]
    assert len(model.value.grid.agents) == len(model.value.graph.G)


def test_reset_rebuilds_the_model_from_the_page_parameters(page):
    model, rc = page
    rc.find(ipyvuetify.Checkbox, label="Due-diligence exemption").widget.v_model = False
    rc.find(ipyvuetify.Btn, children=["Reset"]).widget.click()
    assert model.value.month == 0
    assert model.value.params.exemption.enabled is False
    assert model.value.params.run.firms == 60
    for _ in range(4):
        rc.find(ipyvuetify.Btn, children=["Step"]).widget.click()
    assert model.value.month == 4 and model.value.running is False


def _render(model_params: dict, first: EcosystemModel):
    model = solara.reactive(first)
    viz = SolaraViz(model, components=[make_plot_component("firms_alive")], model_params=model_params)
    _, rc = solara.render(solara.AppLayout(children=[viz]), handle_error=False)
    return model, rc


def test_reset_keeps_the_ecosim_scenario_of_the_page():
    model, rc = _render({"firms": 60, "months": 3, "rng": 2}, EcosystemModel("no_policy", firms=60, months=3, rng=2))
    rc.find(ipyvuetify.Btn, children=["Step"]).widget.click()
    first = model.value
    rc.find(ipyvuetify.Btn, children=["Reset"]).widget.click()
    assert model.value is not first and model.value.month == 0
    assert model.value.params.name == "no_policy"
    assert model.value.params.content_hash() == first.params.content_hash()


def test_a_page_can_offer_a_choice_of_ecosim_scenarios():
    choice = {"type": "Select", "value": "baseline", "values": ["baseline", "no_policy"], "label": "Scenario"}
    model, rc = _render({"ecosim_scenario": choice, "firms": 60, "months": 3},
                        EcosystemModel("baseline", firms=60, months=3))
    rc.find(ipyvuetify.Select, label="Scenario").widget.v_model = "no_policy"
    rc.find(ipyvuetify.Btn, children=["Reset"]).widget.click()
    assert model.value.params.name == "no_policy" and model.value.params.run.firms == 60
