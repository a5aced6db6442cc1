"""Running the generated bad inputs through the command line and judging each answer.

A case passes when the command exits with status 2 and prints exactly one
line on stderr that starts with ``error:``, names the case's field or option
and contains no traceback. ``python -m tests.reliability.fuzz`` runs every
case and prints the closing figures (cases, tracebacks, silent accepts,
other failures).
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from ecosim.cli import app
from .cases import Case, all_cases


@dataclass
class Verdict:
    """How the command answered one case: ``ok``, ``traceback``, ``accepted`` or ``wrong_message``."""

    case: Case
    outcome: str
    exit_code: int
    stderr: str

    def explain(self) -> str:
        return f"{self.case.name}: {self.outcome} (exit {self.exit_code}): {self.stderr.strip()[:300]!r}"


def judge(case: Case, tmp: Path) -> Verdict:
    """Run one case in-process under ``tmp`` and judge the answer."""
    args = case.materialise(tmp)
    result = CliRunner().invoke(app, args, catch_exceptions=True)
    err = result.stderr
    lines = [line for line in err.splitlines() if line.strip()]
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    if crashed or "Traceback" in err or "Traceback" in result.stdout:
        outcome = "traceback"
    elif result.exit_code == 0:
        outcome = "accepted"
    elif result.exit_code != 2 or len(lines) != 1 or not lines[0].startswith("error:") or case.expect not in lines[0]:
        outcome = "wrong_message"
    else:
        outcome = "ok"
    if crashed:
        err += f"\n{type(result.exception).__name__}: {result.exception}"
    return Verdict(case, outcome, result.exit_code, err)


def judge_all(cases: list[Case]) -> list[Verdict]:
    """Judge every case, each in a fresh temporary folder."""
    verdicts = []
    for i, case in enumerate(cases):
        with tempfile.TemporaryDirectory(prefix=f"fuzz{i}-") as tmp:
            verdicts.append(judge(case, Path(tmp)))
    return verdicts


def main() -> int:  # pragma: no cover - reporting entry point
    cases = all_cases()
    verdicts = judge_all(cases)
    counts = Counter(v.outcome for v in verdicts)
    print(f"cases tried: {len(cases)} ({sum(c.name.startswith(('file-', 'set-')) for c in cases)} lever cases "
          f"from the schema)")
    for outcome in ("ok", "traceback", "accepted", "wrong_message"):
        print(f"{outcome}: {counts.get(outcome, 0)}")
    for v in verdicts:
        if v.outcome != "ok":
            print(v.explain())
    return 0 if counts.get("ok", 0) == len(cases) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
