"""The tech brokerage: research results become projects, patents, spin-offs (with patents) and licences."""

from __future__ import annotations

import numpy as np

from ecosim.firms.state import ACTIVE
from ecosim.model import EcosystemModel
from ecosim.scenario import load_scenario

BUSY = {"brokerage.results_rate": 50.0, "brokerage.screen_rate": 0.5, "brokerage.spinoff_share": 0.5}


def _model(overrides, seed=9) -> EcosystemModel:
    return EcosystemModel(load_scenario("baseline", overrides, months=12, firms=300), rng=seed)


def test_spinoffs_enter_with_patents_and_a_quality_head_start() -> None:
    """Spin-offs are new startups that hold their project's patents and start with higher quality."""
    model = _model(BUSY)
    for _ in range(6):
        model.step()
    br = model.brokerage
    assert br.spinoffs > 5
    rows = np.array(br.spinoff_rows)
    f = model.firms
    ev = model.events.frame()
    spin = ev[ev["kind"] == "spinoff"]
    assert len(spin) == br.spinoffs
    # Each spin-off holds at least the patents of its project at entry.
    at_entry = dict(zip(spin["firm_id"], spin["detail"], strict=True))
    assert all(f.patents[r] >= at_entry[f.agent_id[r]] for r in rows)
    assert (f.patents[rows] > 0).mean() > 0.9
    others = np.setdiff1d(np.flatnonzero(f.founded[: len(f)] >= 1), rows)
    assert f.quality[rows].mean() > f.quality[others].mean()
    # Every spin-off is linked to the research institute it came from.
    inst = {i.unique_id for i in br.institutes}
    g = model.graph.G
    for r in rows[f.status[rows] == ACTIVE][:10]:
        assert any(nb in inst for nb in g.neighbors(int(f.agent_id[r])))


def test_records_projects_patents_spinoffs_and_licences() -> None:
    """Projects split into spin-offs and licences; patents add up; monthly metrics sum to the totals."""
    model = _model(BUSY)
    for _ in range(6):
        model.step()
    br = model.brokerage
    df = model.metrics_frame()
    assert br.projects == br.spinoffs + br.licences
    assert br.licences > 0
    assert df["spinoffs"].sum() == br.spinoffs
    assert df["brokerage_projects"].sum() == br.projects
    assert df["brokerage_patents"].sum() == br.patents
    assert sum(i.results for i in br.institutes) == br.results >= br.projects


def test_brokerage_leaves_the_rest_of_the_economy_on_its_random_numbers() -> None:
    """Switching the brokerage on or off gives the same ordinary entrants (common random numbers)."""
    on = _model(BUSY)
    off = _model({"brokerage.enabled": False})
    for _ in range(4):
        on.step()
        off.step()
    spin = set(on.brokerage.spinoff_rows)
    ordinary_on = [r for r in range(len(on.firms)) if r not in spin]
    assert len(ordinary_on) == len(off.firms)
    # Licences raise licensees' technology quality; every other drawn attribute is the same.
    n = len(off.firms)
    for col in ("q_team", "q_market", "q_ip", "sector", "collateral"):
        assert np.array_equal(getattr(on.firms, col)[ordinary_on], getattr(off.firms, col)[:n]), col
    assert off.brokerage is None and off.current["spinoffs"] == 0
