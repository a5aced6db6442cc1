"""The dashboard's helper process: the same picture as drawn in process, and the run's own drawing
whenever the helper cannot start, fails or has already drawn."""

from __future__ import annotations

import sys

import pytest

from ecosim.outputs.dashboard import draw_dashboard
from ecosim.outputs.files import write_run
from ecosim.outputs.painter import DashboardPainter
from ecosim.runner import simulate
from ecosim.scenario import load_scenario

TITLE = "baseline — seed 3"


@pytest.fixture(scope="module")
def run():
    scenario = load_scenario("baseline", firms=150, months=24)
    return scenario, simulate(scenario, 3, keep_model=True)


def test_the_helper_draws_the_picture_the_run_would_draw_byte_for_byte(run, tmp_path):
    _, result = run
    draw_dashboard(result.metrics, tmp_path / "own.png", TITLE)
    with DashboardPainter() as painter:
        assert painter.draw(result.metrics, tmp_path / "helper.png", TITLE)
    assert (tmp_path / "helper.png").read_bytes() == (tmp_path / "own.png").read_bytes()


def test_write_run_with_a_painter_writes_every_file_as_without_one(run, tmp_path):
    scenario, result = run
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with DashboardPainter() as painter:
        helped = write_run(result, scenario, 3, tmp_path / "a", painter=painter)
    alone = write_run(result, scenario, 3, tmp_path / "b")
    assert list(helped) == list(alone)
    for name in ("dashboard.png", "metrics.csv", "funds.csv", "network.graphml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_without_a_helper_the_run_draws_the_dashboard_itself(run, tmp_path):
    scenario, result = run
    painter = DashboardPainter(python=str(tmp_path / "no-such-python"))
    assert not painter.draw(result.metrics, tmp_path / "x.png", TITLE)
    painter = DashboardPainter(python=str(tmp_path / "no-such-python"))
    write_run(result, scenario, 3, tmp_path, "metrics,dashboard", painter=painter)
    draw_dashboard(result.metrics, tmp_path / "own.png", TITLE)
    assert (tmp_path / "dashboard.png").read_bytes() == (tmp_path / "own.png").read_bytes()


def test_a_helper_that_dies_before_drawing_leaves_the_drawing_to_the_run(run, tmp_path):
    scenario, result = run
    painter = DashboardPainter(python=sys.executable)
    painter._proc.kill()
    painter._proc.wait()
    write_run(result, scenario, 3, tmp_path, "dashboard", painter=painter)
    draw_dashboard(result.metrics, tmp_path / "own.png", TITLE)
    assert (tmp_path / "dashboard.png").read_bytes() == (tmp_path / "own.png").read_bytes()


def test_a_drawing_that_fails_in_the_helper_raises_its_error_in_the_run(run, tmp_path):
    scenario, result = run
    broken = result.metrics.drop(columns=["npl_ratio"])
    with DashboardPainter() as painter:
        assert not painter.draw(broken, tmp_path / "x.png", TITLE)
    result_broken = type(result)(metrics=broken, summary=result.summary, wall_seconds=0.0, model=result.model)
    with DashboardPainter() as painter, pytest.raises(KeyError, match="npl_ratio"):
        write_run(result_broken, scenario, 3, tmp_path, "dashboard", painter=painter)


def test_a_painter_draws_once_and_closing_ends_its_helper(run, tmp_path):
    _, result = run
    painter = DashboardPainter()
    assert painter.draw(result.metrics, tmp_path / "a.png", TITLE)
    assert not painter.draw(result.metrics, tmp_path / "b.png", TITLE)
    assert not (tmp_path / "b.png").exists()
    unused = DashboardPainter()
    proc = unused._proc
    unused.close()
    assert proc.poll() is not None
