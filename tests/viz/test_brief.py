"""The policy brief: self-contained HTML, CIs and fiscal figures computed from the runs, Chinese labels drawn."""

from __future__ import annotations

import importlib
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from ecosim.cli import app
from ecosim.experiments import compare
from ecosim.viz.brief import BRIEF_METRICS, LOSS_METRICS, differing_levers, findings, fiscal_table, render_brief
from ecosim.outputs.labels import metric_name
from ecosim.viz.charts import band_figure, figure_to_data_uri, find_cjk_font

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
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 3
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
    assert en[0].startswith("More loans paid out under new") and "+5 m yuan (+2 to +8)" in en[0] and "+50.0%" in en[0]
    assert "no clear difference" in en[1]
    assert findings(table.assign(diff_low=table["diff_low"].abs()), "new", "ref", metrics=["total_defaults"])[0] \
        .startswith("More loan defaults under new")  # "Loan defaults are higher", not "is"
    zh = findings(table, "new", "ref", "zh", metrics=["total_new_loans"])
    assert "更高" in zh[0] and metric_name("total_new_loans", "zh") in zh[0]


def test_chinese_brief_has_chinese_labels(result):
    page = _page(result, "zh")
    assert '<html lang="zh-CN">' in page
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


HOSTILE = "<img src=x onerror=alert(document.domain)>"


def test_hostile_names_reach_the_page_only_as_text(result, monkeypatch):
    """Scenario names and descriptions, lever keys and values and metric labels are escaped: no raw tag survives."""
    import dataclasses

    from ecosim.outputs import labels

    for key in ("new_loans", "loss_bank"):
        monkeypatch.setitem(labels.METRIC_LABELS, key,
                            dataclasses.replace(labels.METRIC_LABELS[key], en=f"{HOSTILE} loans", zh=f"{HOSTILE}贷款"))
    table = result.table.replace({"scenario": {"baseline": HOSTILE + ".toml", "no_policy": "<script>x()</script>"}})
    runs = result.runs.replace({"scenario": {"baseline": HOSTILE + ".toml", "no_policy": "<script>x()</script>"}})
    hostile = type(result)(table=table, runs=runs, scenarios=["<script>x()</script>", HOSTILE + ".toml"],
                           seeds=result.seeds, metrics=result.metrics, store=result.store, report=result.report,
                           _experiment=None)
    hostile.monthly = lambda metrics=None: result.monthly().replace(
        {"scenario": {"baseline": HOSTILE + ".toml", "no_policy": "<script>x()</script>"}})
    assumptions = pd.DataFrame([{"path": f"pool.{HOSTILE}", "reference": HOSTILE, "scenario": "<b>bold</b>",
                                 "unit": HOSTILE, "description": HOSTILE}])
    for lang in ("en", "zh"):
        page = render_brief(hostile, HOSTILE + ".toml", "<script>x()</script>", lang=lang, months=MONTHS, firms=FIRMS,
                            assumptions=assumptions, descriptions={HOSTILE + ".toml": HOSTILE,
                                                                   "<script>x()</script>": "<iframe src=x>"})
        assert "<img src=x" not in page and "<script>" not in page and "<b>bold" not in page and "<iframe" not in page
        assert "&lt;img src=x onerror=alert(document.domain)&gt;" in page  # shown, as text
        tags = set(re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", page))
        assert tags <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "b", "ul", "li", "section",
                        "table", "tr", "th", "td", "span", "img", "code", "br"}, tags


def _cells(page: str) -> list[str]:
    """The text of every table cell of a page."""
    page = re.sub(r'<span class="muted" lang="en">.*?</span>', "", page, flags=re.S)  # the English original
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", page, flags=re.S)
    return [re.sub(r"<[^>]+>", " ", c).strip() for c in cells]


def test_chinese_brief_tables_have_no_english_labels(result):
    """Every label cell of the Chinese brief holds Chinese; ASCII-only cells are numbers, intervals or units."""
    page = _page(result, "zh")
    number = re.compile(r"^[\s\d.,+\-–%\[\]]*(?:%|m)?[\s\d.,+\-–%\[\]]*$")
    english = [c for c in _cells(page) if c and c.isascii() and not number.match(c)]
    assert not english, english[:10]
    for word in ("True", "False", "None", "switch", " pp"):
        assert word not in " ".join(_cells(page)), word
    assert "开" in page and "关" in page  # switches
    assert "试验区基准情景" in page and "无试验区政策" in page  # scenario names from name_zh


def test_a_good_change_is_never_coloured_bad(result):
    """Rows and findings take their colour from whether up is good for the metric, not from the sign."""
    from ecosim.outputs.labels import judge_change

    assert judge_change("mean_npl_ratio", -0.02, -0.01) == "good"
    assert judge_change("total_loss_bank", -5.0, -1.0) == "good"
    assert judge_change("total_defaults", 1.0, 3.0) == "bad"
    assert judge_change("total_new_loans", 1.0, 3.0) == "good"
    assert judge_change("total_public_spending", 1.0, 3.0) == "neutral"
    assert judge_change("total_new_loans", -1.0, 3.0) == "unclear"
    page = _page(result, "en")
    rows = re.findall(r'<tr class="(\w+)"><td>(.*?)</td>.*?<td class="\w+">(.*?)</td>\s*</tr>', page, flags=re.S)
    assert rows
    table = result.table[result.table.scenario == "baseline"].set_index("metric")
    by_name = {metric_name(m, "en", unit=not m.startswith(("mean_", "survival"))): m for m in table.index}
    for cls, name, _ in rows:
        metric = by_name.get(name) or next(m for n, m in by_name.items() if n.split(" (")[0] == name.split(" (")[0])
        r = table.loc[metric]
        assert cls == judge_change(metric, r["diff_low"], r["diff_high"]), (name, cls)
    assert '<tr class="bad"><td>Losses kept by banks' not in page or table.loc["total_loss_bank", "diff_low"] > 0


def test_brief_explains_how_to_read_it_and_marks_zero_references(result):
    page = _page(result, "en")
    assert "How to read this brief" in page and "common random numbers" in page and "not a forecast" in page
    ref = result.table[result.table.scenario == "no_policy"].set_index("metric")["mean"]
    if (ref[list(LOSS_METRICS)] == 0).any():
        assert "lower panel as absolute changes" in page


def test_brief_reuses_the_runs_of_a_results_folder(tmp_path, monkeypatch):
    """A second brief on the same folder (here in Chinese) runs nothing again."""
    from ecosim.viz.brief import write_brief

    folder = tmp_path / "cmp"
    write_brief("baseline", "no_policy", tmp_path / "en.html", seeds=2, months=12, firms=80, results=folder)
    package = importlib.import_module("ecosim.experiments")
    real, reports = package.compare, []

    def spy(*args, **kwargs):
        res = real(*args, **kwargs)
        reports.append(res.report)
        return res

    monkeypatch.setattr(package, "compare", spy)
    write_brief("baseline", "no_policy", tmp_path / "zh.html", seeds=2, months=12, firms=80, lang="zh", results=folder)
    assert reports and reports[0].completed == 0 and reports[0].skipped == 4
    assert "政策简报" in (tmp_path / "zh.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("bad_out", ["folder", "below_a_file/brief.html"])
def test_brief_checks_its_output_file_before_any_run(tmp_path: Path, monkeypatch, bad_out: str) -> None:
    """A brief that could not be written is refused in one line before a single simulation runs."""
    import ecosim.viz.brief as brief_module

    (tmp_path / "folder").mkdir()
    (tmp_path / "below_a_file").write_text("a file, not a folder")

    def no_runs(*args, **kwargs):
        raise AssertionError("the brief started its runs before checking --out")

    monkeypatch.setattr(brief_module, "write_brief", no_runs)
    res = CliRunner().invoke(app, ["brief", "baseline", "--vs", "no_policy", "--seeds", "2", "--firms", "100",
                                   "--months", "6", "--out", str(tmp_path / bad_out)])
    assert res.exit_code == 2, res.output
    assert "--out" in res.output and len(res.output.strip().splitlines()) == 1
