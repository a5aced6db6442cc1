"""The shared command line of the policy experiment scripts in ``experiments/``.

A script declares its scenarios (names or :class:`~ecosim.experiments.Variant`)
and the summary figures it reports, and calls :func:`comparison_script`, which
parses ``--seeds --months --firms --executor --out``, runs the comparison on
common seeds and writes ``table.csv`` (effects with 95% CIs, paired against the
first scenario) and ``figure.png``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from ecosim.experiments.compare import CompareResult, compare
from ecosim.experiments.variants import Variant

TABLE_COLUMNS = ["metric", "scenario", "n", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high"]


def comparison_script(
    description: str,
    scenarios: Sequence[str | Variant],
    metrics: Sequence[str],
    *,
    default_out: str,
    plot_metrics: Sequence[str] | None = None,
    argv: Sequence[str] | None = None,
) -> CompareResult:
    """Parse the script's options, run the comparison, write the table and figure, print the table.

    Args:
        description: The script's one-line description (for ``--help``).
        scenarios: Scenarios compared; the first is the reference of the paired differences.
        metrics: Summary figures reported.
        default_out: Results folder when ``--out`` is not given.
        plot_metrics: Figures drawn (default: the first six of ``metrics``).
        argv: Arguments (default: the command line).
    """
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--seeds", type=int, default=20, help="shared seeds per scenario")
    ap.add_argument("--months", type=int, default=60, help="horizon of each run")
    ap.add_argument("--firms", default="1000", help="initial startups (a number or a size preset)")
    ap.add_argument("--executor", default="processes", help="serial, processes or dask")
    ap.add_argument("--out", default=default_out, help="results folder")
    args = ap.parse_args(list(argv) if argv is not None else None)
    out = Path(args.out)
    res = compare(list(scenarios), seeds=args.seeds, months=args.months, firms=args.firms, executor=args.executor,
                  out=out, metrics=list(metrics), progress=False)
    out.mkdir(parents=True, exist_ok=True)
    res.table.to_csv(out / "table.csv", index=False)
    res.plot(out / "figure.png", metrics=list(plot_metrics or metrics[:6]))
    print(res.table[TABLE_COLUMNS].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"wrote {out / 'table.csv'} and {out / 'figure.png'}")
    return res
