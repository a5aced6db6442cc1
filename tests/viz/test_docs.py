"""The documents match the code: run files, the month's phases, the platforms, the scripts, the README example."""

from __future__ import annotations

import re
from pathlib import Path

from ecosim.model import MONTH

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ODD = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start:end if end > 0 else None]


def test_odd_lists_every_phase_of_the_month_in_order():
    process = _section(ODD, "## 3. Process overview")
    listed = re.findall(r"^\d+\. `(\w+)`", process, flags=re.M)
    assert listed == [phase.__name__ for phase in MONTH]
    assert f"the {len(MONTH)} phases of `model.MONTH`" in process


def test_odd_describes_all_three_platforms():
    entities = _section(ODD, "## 2. Entities")
    for name in ("科融信", "泉融通", "园区通", "provincial", "municipal", "district"):
        assert name in entities, name


def test_docs_cite_nothing_outside_the_repository():
    for path in [ROOT / "docs" / "ODD.md", ROOT / "README.md", ROOT / "docs" / "pilot-zone.md"]:
        text = path.read_text(encoding="utf-8")
        assert "shared/" not in text and "jinan-pilot-zone.md" not in text, path
        for target in re.findall(r"\]\(([^)#]+)", text):
            if not target.startswith(("http://", "https://")):
                assert (path.parent / target).exists(), f"{path.name} links to a missing {target}"


def test_readme_output_table_lists_every_file_a_run_writes(tmp_path):
    from ecosim.runner import run_to_dir
    from ecosim.scenario import load_scenario

    run_to_dir(load_scenario("baseline", months=13, firms=60), 1, tmp_path, progress=False)
    table = _section(README, "## What a run writes")
    listed = set(re.findall(r"^\| `([\w.]+)` \|", table, flags=re.M))
    assert listed == {p.name for p in tmp_path.iterdir()}


def test_experiments_guide_lists_every_script():
    guide = (ROOT / "experiments" / "README.md").read_text(encoding="utf-8")
    for script in sorted((ROOT / "experiments").glob("*.py")):
        assert f"`{script.name}`" in guide, script.name


def test_readme_extending_example_runs_as_written():
    """The README's "Extending the model" example (the section's first Python block), executed verbatim."""
    section = _section(README, "## Extending the model")
    code = re.findall(r"```python\n(.*?)```", section, flags=re.S)[0]
    namespace: dict = {}
    exec(compile(code, "README.md: Extending the model", "exec"), namespace)
    model = namespace["model"]
    assert model.month == 120
    assert namespace["tax_credit"] in model.phases
    assert model.phases.index(namespace["tax_credit"]) == model.phases.index(namespace["lend"]) - 1
