"""The dashboard's fixed page: every text and legend on the page, no legend over another, Chinese titles drawn."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from ecosim.outputs.dashboard import FIGSIZE, dashboard_figure, draw_dashboard, title_fonts

COLUMNS = ["firms_seed", "firms_early", "firms_growth", "firms_mature", "loan_balance", "new_loans",
           "credit_access_rate", "npl_ratio", "defaults", "loss_bank", "loss_guarantors", "loss_government",
           "equity_public", "equity_private", "public_spending", "patents", "listings", "acquisitions"]


def metrics(scale: float) -> pd.DataFrame:
    """Ten years of monthly metrics whose money and counts reach about ``scale`` (wide tick labels)."""
    months = np.arange(1, 121)
    rng = np.random.default_rng(0)
    data = {c: scale * rng.random(len(months)) for c in COLUMNS}
    data["credit_access_rate"] = rng.random(len(months))
    data["npl_ratio"] = 0.1 * rng.random(len(months))
    return pd.DataFrame({"month": months, **data})


@pytest.mark.parametrize("scale", [10.0, 900_000.0], ids=["small-numbers", "six-digit-numbers"])
def test_every_text_and_legend_sits_on_the_page_and_legends_do_not_overlap(scale):
    fig = dashboard_figure(metrics(scale), "baseline — seed 1")
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    page = fig.bbox
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]
    for text in texts:
        box = text.get_window_extent(renderer)
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, text.get_text()
    legends = [ax.get_legend().get_window_extent(renderer) for ax in fig.axes]
    for a, b in itertools.combinations(legends, 2):
        assert not a.overlaps(b)


def test_the_saved_page_is_the_figure_size_and_shows_defaults_as_one_area(tmp_path):
    from PIL import Image

    path = tmp_path / "dashboard.png"
    draw_dashboard(metrics(100.0), path, "baseline — seed 1")
    with Image.open(path) as image:
        assert image.size == (round(FIGSIZE[0] * 100), round(FIGSIZE[1] * 100))
    defaults = dashboard_figure(metrics(100.0)).axes[3]
    assert len(defaults.patches) == 1  # one stepped area, not a bar per month


def test_chinese_titles_get_a_cjk_font_when_one_is_installed():
    from ecosim.viz.charts import FontError, find_cjk_font

    assert title_fonts("baseline — seed 1") is None
    try:
        family = find_cjk_font()
    except FontError:
        pytest.skip("no CJK font installed")
    assert title_fonts("基准情景 — seed 1") == ["DejaVu Sans", family]
