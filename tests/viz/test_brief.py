"""The policy brief: self-contained HTML, CIs and fiscal figures computed from the runs, Chinese labels drawn."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from ecosim.cli import app
from ecosim.experiments import compare
from ecosim.viz.brief import BRIEF_METRICS, LOSS_METRICS, differing_levers, findings, fiscal_table, render_brief
from ecosim.viz.charts import band_figure, figure_to_data_uri, find_cjk_font, label

MONTHS, FIRMS = 18, 150


@pytest.fixture(scope="module")
def result():
    """baseline against no_policy on three common seeds, small and short."""
    return compare(["no_policy", "baseline"], seeds=3, months=MONTHS, firms=FIRMS,
                   metrics=list(BRIEF_METRICS + LOSS_METRICS), progress=False)


def _page(result, lang):
    return render_brief(result, "baseline", "no_policy", lang=lang, months=MONTHS, firms=FIRMS,
                        assumptions=differing_levers("baseline", "no_policy", months=MONTHS, firms=FIRMS))


def test_brief_is_self_contained_with_embedded_figures(result):
    page = _page(result, "en")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=['"]https?://""", page), "the brief must not load anything from the network"
    assert len(re.findall(r"src='data:image/png;base64,", page)) == 3
    assert "Headline effects" in page and "Who bears the default losses" in page


def test_headline_table_shows_the_paired_difference_and_its_ci(result):
    page = _page(result, "en")
    row = result.table[(result.table.metric == "total_new_loans") & (result.table.scenario == "baseline")].iloc[0]
    assert f"{row['diff']:+.1f}" in page
    assert f"[{row['diff_low']:+.1f}, {row['diff_high']:+.1f}]" in page


def test_assumptions_list_the_levers_that_differ():
    levers = differing_levers("baseline", "no_policy", months=MONTHS, firms=FIRMS)
    assert {"exemption.enabled", "pool.enabled", "guarantee.enabled", "funds.enabled"} <= set(levers["path"])
    assert not levers["path"].str.startswith("run.").any()
    row = levers.set_index("path").loc["exemption.enabled"]
    assert row["reference"] is False and row["scenario"] is True and "penalised" in row["description"]
    assert differing_levers("baseline", "baseline").empty


def test_fiscal_figures_are_computed_from_the_runs(result):
    fiscal = fiscal_table(result.runs, "baseline", "no_policy")
    r = result.runs[result.runs.scenario == "baseline"]
    got = fiscal[(fiscal.key == "credit_per_public_yuan") & (fiscal.scenario == "baseline")].iloc[0]
    assert got["mean"] == pytest.approx((r.total_new_loans / r.total_public_spending).mean())
    assert got["ci_low"] < got["mean"] < got["ci_high"]
    ref = result.runs[result.runs.scenario == "no_policy"].sort_values("seed")
    r = r.sort_values("seed")
    mult = fiscal[fiscal.key == "multiplier_credit"].iloc[0]
    expected = (r.total_new_loans.to_numpy() - ref.total_new_loans.to_numpy()).mean() / (
        r.total_public_spending.to_numpy() - ref.total_public_spending.to_numpy()).mean()
    assert mult["mean"] == pytest.approx(expected)


def test_findings_follow_the_sign_of_the_interval():
    table = pd.DataFrame([
        {"metric": "total_new_loans", "scenario": "ref", "mean": 10.0, "diff": 0.0, "diff_low": 0.0, "diff_high": 0.0},
        {"metric": "total_new_loans", "scenario": "new", "mean": 15.0, "diff": 5.0, "diff_low": 2.0, "diff_high": 8.0},
        {"metric": "total_defaults", "scenario": "ref", "mean": 4.0, "diff": 0.0, "diff_low": 0.0, "diff_high": 0.0},
        {"metric": "total_defaults", "scenario": "new", "mean": 4.5, "diff": 0.5, "diff_low": -1.0, "diff_high": 2.0},
    ])
    en = findings(table, "new", "ref", "en", metrics=["total_new_loans", "total_defaults"])
    assert en[0].startswith("Loans paid out") and "higher" in en[0] and "+5 (+2 to +8)" in en[0] and "+50.0%" in en[0]
    assert "no clear difference" in en[1]
    zh = findings(table, "new", "ref", "zh", metrics=["total_new_loans"])
    assert "更高" in zh[0] and label("total_new_loans", "zh") in zh[0]


def test_chinese_brief_has_chinese_labels(result):
    page = _page(result, "zh")
    assert "<html lang='zh-CN'>" in page
    for text in ("主要影响", "违约损失由谁承担", "财政资金投入与成效", "模型假设", "增量财政乘数"):
        assert text in page


def test_chinese_figures_draw_every_glyph():
    """No 'Glyph missing' warning (the cause of empty boxes) when a Chinese figure is rendered."""
    find_cjk_font()
    monthly = pd.DataFrame({"scenario": ["甲"] * 3, "seed": [1] * 3, "month": [1, 2, 3],
                            "firms_alive": [3.0, 2.0, 1.0], "npl_ratio": [0.0, 0.1, 0.2]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph raises here
        fig = band_figure(monthly, ["firms_alive", "npl_ratio"], "zh")
        uri = figure_to_data_uri(fig)
    assert uri.startswith("data:image/png;base64,")
    assert np.isfinite(len(uri))


def test_brief_command_rejects_bad_input_in_one_line(tmp_path):
    runner = CliRunner()
    bad = runner.invoke(app, ["brief", "baseline", "--vs", "no_policy", "--lang", "fr", "--out", str(tmp_path / "b.html")])
    assert bad.exit_code == 2 and "lang = 'fr'" in bad.output
    bad = runner.invoke(app, ["brief", "nowhere", "--out", str(tmp_path / "b.html")])
    assert bad.exit_code == 2 and "not found" in bad.output
    assert not (tmp_path / "b.html").exists()


def test_brief_command_writes_the_file(tmp_path):
    out = tmp_path / "brief.html"
    done = CliRunner().invoke(app, ["brief", "baseline", "--vs", "no_policy", "--seeds", "2", "--months", "12",
                                    "--firms", "100", "--lang", "zh", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "政策简报" in out.read_text(encoding="utf-8")
