"""docs/ODD.md stays in step with the code: its parameter table lists every scenario parameter."""

from __future__ import annotations

from ecosim.scenario import parameter_table
from ecosim.validation.odd import BEGIN, END, ODD_FILE, _default, documented_parameters, parameter_markdown


def test_every_scenario_parameter_is_in_the_odd_table():
    listed = documented_parameters(ODD_FILE)
    missing = [row["path"] for row in parameter_table() if row["path"] not in listed]
    assert not missing, f"docs/ODD.md lacks {missing}: run scripts/update-odd-parameters"


def test_odd_table_shows_the_schema_defaults():
    listed = documented_parameters(ODD_FILE)
    wrong = [row["path"] for row in parameter_table() if listed.get(row["path"]) != _default(row["default"])]
    assert not wrong, f"defaults in docs/ODD.md differ for {wrong}: run scripts/update-odd-parameters"


def test_odd_has_the_protocol_sections_and_decision_sections():
    text = ODD_FILE.read_text(encoding="utf-8")
    for heading in ("Purpose and patterns", "Entities, state variables and scales", "Process overview and scheduling",
                    "Design concepts", "Initialisation", "Input data", "Submodels", "Loan officers", "Guarantors",
                    "Fund managers", "Firms"):
        assert heading in text
    assert BEGIN in text and END in text


def test_generated_table_round_trips(tmp_path):
    doc = tmp_path / "ODD.md"
    doc.write_text(f"# x\n{BEGIN}\n{END}\nend\n")
    from ecosim.validation.odd import update_document

    assert update_document(doc) is True
    assert update_document(doc) is False
    assert parameter_markdown() in doc.read_text()
    assert set(documented_parameters(doc)) == {row["path"] for row in parameter_table()}
