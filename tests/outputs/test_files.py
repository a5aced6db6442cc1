"""A run's files: which are written (``--outputs``), and what the tables hold."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ecosim.cli import app
from ecosim.credit.loans import PRODUCTS
from ecosim.events import EVENT_KINDS
from ecosim.outputs.files import OUTPUTS, OutputsError, parse_outputs, write_run
from ecosim.runner import run_to_dir, simulate


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A short baseline run with its model, and the folder holding all of its files."""
    from ecosim.scenario import load_scenario

    sc = load_scenario("baseline", months=36, firms=400)
    result = simulate(sc, 5, keep_model=True)
    out = tmp_path_factory.mktemp("run")
    seconds = write_run(result, sc, 5, out)
    return sc, result, out, seconds


def test_parse_outputs_accepts_all_and_subsets_in_writing_order() -> None:
    """'all' (or nothing) is every output; a subset comes back in writing order, spaces and case ignored."""
    assert parse_outputs(None) == parse_outputs("all") == tuple(OUTPUTS)
    assert parse_outputs("network, Metrics") == ("metrics", "network")
    assert parse_outputs(["run", "firms"]) == ("firms", "run")


@pytest.mark.parametrize(("spec", "named"), [("metrics,graph", "'graph'"), ("", "no output named"), (" , ", "no output")])
def test_parse_outputs_refuses_unknown_names_in_one_line(spec: str, named: str) -> None:
    """An unknown or empty list gives one line naming the culprit and every allowed name."""
    with pytest.raises(OutputsError) as err:
        parse_outputs(spec)
    message = str(err.value)
    assert "\n" not in message and named in message
    assert all(name in message for name in OUTPUTS)


def test_cli_refuses_a_bad_outputs_list_before_running(tmp_path) -> None:
    """``ecosim run --outputs`` with an unknown name exits 2 with a one-line error and writes nothing."""
    res = CliRunner().invoke(app, ["run", "baseline", "--firms", "200", "--months", "6", "--quiet",
                                   "--outputs", "metrics,pictures", "--out", str(tmp_path / "r")])
    assert res.exit_code == 2
    assert "outputs = 'metrics,pictures': unknown output 'pictures'" in res.output
    assert not (tmp_path / "r").exists()


def test_chosen_outputs_are_the_only_files_and_metrics_do_not_depend_on_the_choice(finished, tmp_path) -> None:
    """``outputs`` writes exactly the files asked for; metrics.csv is the same bytes as in the full set."""
    sc, _, full, _ = finished
    run_to_dir(sc, 5, tmp_path, progress=False, outputs="metrics,network,run")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.csv", "network.graphml", "run.json"]
    assert (tmp_path / "metrics.csv").read_bytes() == (full / "metrics.csv").read_bytes()
    assert (tmp_path / "network.graphml").read_bytes() == (full / "network.graphml").read_bytes()
    assert set(json.loads((tmp_path / "run.json").read_text())["write_seconds"]) == {"metrics.csv", "network.graphml"}


def test_cli_writes_only_the_chosen_outputs(tmp_path) -> None:
    """``ecosim run --outputs metrics`` leaves one file."""
    res = CliRunner().invoke(app, ["run", "baseline", "--firms", "200", "--months", "6", "--quiet",
                                   "--outputs", "metrics", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.csv"]


def test_every_file_is_written_and_timed(finished) -> None:
    """All outputs are written by default, and run.json records how long each of the others took and
    how long writing them took from start to finish."""
    _, _, out, seconds = finished
    assert {p.name for p in out.iterdir()} == set(OUTPUTS.values())
    assert list(seconds) == list(OUTPUTS)
    provenance = json.loads((out / "run.json").read_text())
    recorded = provenance["write_seconds"]
    assert list(recorded) == [OUTPUTS[name] for name in OUTPUTS if name != "run"]
    assert all(s >= 0 for s in recorded.values())
    # writing from start to finish: at least its longest file, at most all of them one after another
    assert max(recorded.values()) - 1e-3 <= provenance["write_wall_seconds"] <= sum(recorded.values()) + 0.5


def test_a_failing_dashboard_stops_the_run_after_the_tables_are_written(finished, tmp_path, monkeypatch) -> None:
    """The dashboard is drawn beside the tables; an error in it reaches the caller, the tables are kept
    and no run.json claims a complete set of files."""
    import ecosim.outputs.files as files

    sc, result, _, _ = finished

    def broken(run, path):
        raise RuntimeError("no canvas")

    monkeypatch.setitem(files.WRITERS, "dashboard", broken)
    with pytest.raises(RuntimeError, match="no canvas"):
        write_run(result, sc, 5, tmp_path)
    written = {p.name for p in tmp_path.iterdir()}
    assert {"metrics.csv", "firms.parquet", "events.parquet", "network.graphml"} <= written
    assert "run.json" not in written


def test_firms_table_names_exits_and_counts_distinct_banks(finished) -> None:
    """firms.parquet: one row per firm ever, exit kinds named from the status, banks = distinct lenders."""
    _, result, out, _ = finished
    model = result.model
    df = pd.read_parquet(out / "firms.parquet")
    assert len(df) == len(model.firms)
    names = {0: "", 1: "failed", 2: "acquired", 3: "listed"}
    assert df["exit_kind"].tolist() == [names[int(s)] for s in model.firms.status]
    lenders: dict[int, set[int]] = {}
    for firm, bank in zip(model.loans.firm.tolist(), model.loans.bank.tolist(), strict=True):
        lenders.setdefault(firm, set()).add(bank)
    assert df["banks"].tolist() == [len(lenders.get(row, ())) for row in range(len(df))]
    assert df["banks"].max() >= 1 and set(df["exit_kind"]) >= {"", "failed"}


def test_events_table_names_loan_products(finished) -> None:
    """events.parquet: loans carry their product's name, every other event an empty one."""
    _, result, out, _ = finished
    df = pd.read_parquet(out / "events.parquet")
    codes = result.model.events.table.product
    assert df["product"].tolist() == [PRODUCTS[c] if c >= 0 else "" for c in codes.tolist()]
    assert (df.loc[df["kind"] == "loan", "product"] != "").all() and (df["kind"] == "loan").any()
    assert list(df["kind"].cat.categories) == list(EVENT_KINDS)


def test_parquet_schemas_are_kept(finished) -> None:
    """Named codes stay dictionary columns, labels plain strings, counts and months narrow integers."""
    _, _, out, _ = finished
    firms = pq.read_schema(out / "firms.parquet")
    assert pa.types.is_dictionary(firms.field("sector").type) and pa.types.is_dictionary(firms.field("stage").type)
    assert pa.types.is_large_string(firms.field("exit_kind").type)
    assert firms.field("banks").type == pa.int32() and firms.field("rated").type == pa.bool_()
    events = pq.read_schema(out / "events.parquet")
    assert pa.types.is_large_string(events.field("product").type) and events.field("round").type == pa.int16()
    panel = pq.read_table(out / "panel.parquet")
    assert panel.num_rows > 0 and np.all(np.diff(panel.column("year").to_numpy()) >= 0)


def test_a_run_without_the_evaluation_of_banks_writes_no_banks_file(tmp_path) -> None:
    """With the evaluation of banks off there is no banks.csv, and run.json does not claim one."""
    from ecosim.scenario import load_scenario

    sc = load_scenario("no_policy", months=6, firms=200)
    run_to_dir(sc, 1, tmp_path, progress=False, outputs="banks,metrics,run")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.csv", "run.json"]
    assert list(json.loads((tmp_path / "run.json").read_text())["write_seconds"]) == ["metrics.csv"]


def test_tables_are_the_ones_pandas_would_write(finished) -> None:
    """firms and events tables built from the columns equal, with their metadata, what pandas writes for
    frames built row label by row label (so readers of earlier files see no change)."""
    from ecosim.firms.state import STAGES
    from ecosim.outputs.files import events_table, firms_table
    from ecosim.scenario import SECTORS

    model = finished[1].model
    events = model.events.frame()
    events["product"] = [PRODUCTS[c] if c >= 0 else "" for c in events["product"]]
    want = pa.Table.from_pandas(events, preserve_index=False)
    got = events_table(model)
    assert got.equals(want) and got.schema.equals(want.schema, check_metadata=True)

    f = model.firms
    firms = firms_table(model).to_pandas()
    assert firms["sector"].tolist() == [SECTORS[c] for c in f.sector]
    assert firms["stage"].tolist() == [STAGES[c] for c in f.stage]
    rebuilt = pa.Table.from_pandas(firms.assign(exit_kind=[str(x) for x in firms["exit_kind"]]), preserve_index=False)
    assert firms_table(model).schema.equals(rebuilt.schema, check_metadata=True)
