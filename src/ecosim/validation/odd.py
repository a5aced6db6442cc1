"""The parameter table of ``docs/ODD.md``, generated from the scenario schema.

:func:`parameter_markdown` renders :func:`ecosim.scenario.parameter_table` as a
Markdown table (parameter, default, unit, range, free or fixed, source,
meaning); :func:`update_document` rewrites the part of a document between the
``<!-- parameters:begin -->`` and ``<!-- parameters:end -->`` markers. Run
``python -m ecosim.validation.odd`` after adding or changing a parameter; a
test fails while the table in ``docs/ODD.md`` misses a parameter.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ecosim.scenario import parameter_table

BEGIN = "<!-- parameters:begin -->"
END = "<!-- parameters:end -->"
#: The model description kept in step with the code.
ODD_FILE = Path(__file__).resolve().parents[3] / "docs" / "ODD.md"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _range(lo: float | None, hi: float | None) -> str:
    if lo is None and hi is None:
        return ""
    return f"{'' if lo is None else f'{lo:g}'} – {'' if hi is None else f'{hi:g}'}"


def _default(value: object) -> str:
    if value is None:
        return "scaled"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def calibrated_values() -> dict[str, object]:
    """Values set by ``ecosim/scenarios/calibrated.toml`` (bundled), by dotted path (empty when absent)."""
    import tomllib

    from ecosim.scenario import SCENARIO_DIR

    path = SCENARIO_DIR / "calibrated.toml"
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {f"{s}.{k}": v for s, vals in data.items() if isinstance(vals, dict) for k, v in vals.items()}


def parameter_markdown() -> str:
    """Every scenario parameter as a Markdown table, grouped by section in schema order."""
    from ecosim.validation.calibrate import load_setup

    try:
        free = {fp.path for fp in load_setup().free}
    except Exception:  # a broken set-up must not hide the table
        free = set()
    calibrated = calibrated_values()
    lines = [
        "| parameter | default | unit | range | status | source | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in parameter_table():
        path = row["path"]
        if path in calibrated:
            status = f"free; calibrated: {_default(calibrated[path])}"
        elif path in free:
            status = "free (calibrated)"
        elif row["source"] and row["source"] != "model assumption":
            status = "fixed from source"
        else:
            status = "fixed (assumption)"
        lines.append("| " + " | ".join(_cell(x) for x in (
            f"`{path}`", _default(row["default"]), row["unit"], _range(row["min"], row["max"]), status,
            row["source"], row["description"],
        )) + " |")
    return "\n".join(lines) + "\n"


def update_document(path: str | Path = ODD_FILE) -> bool:
    """Replace the generated parameter table in a document; return whether it changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise ValueError(f"{path}: the markers {BEGIN} and {END} are missing")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{BEGIN}\n{parameter_markdown()}{END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def documented_parameters(path: str | Path = ODD_FILE) -> dict[str, str]:
    """Parameters listed in a document's generated table, with the default written there."""
    text = Path(path).read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        return {}
    table = text.split(BEGIN, 1)[1].split(END, 1)[0]
    out = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`"):
            out[cells[0].strip("`")] = cells[1]
    return out


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ODD_FILE
    changed = update_document(target)
    print(f"{target}: parameter table {'updated' if changed else 'already up to date'}")
