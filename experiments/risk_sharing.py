"""Risk sharing: the 2:2:4:2 guarantee chain against other splits, the pool, in normal times and in a downturn.

Two comparisons on common seeds, each with a table of effects with 95%
confidence intervals (paired by seed against its first scenario) and a figure:

1. **Normal times** (``normal/``) — the baseline (2:2:4:2 split, 2 bn pool at
   Jinan size) against a municipal-only split 0:0:8:2, no guarantee chain, and
   pools of 0 and 1 bn. The pool's side effect shows in the default share of the
   loans it covers (``default_share_pool_eligible``: weaker screening and riskier
   approvals under cover).
2. **Downturn** (``downturn/``) — the ``downturn`` scenario (failure risk three
   times normal for two years from month 36) at 2:2:4:2 against 0:0:8:2, a national
   compensation cap of 4% instead of 4.5%, and no pool: who bears the losses, when
   the municipal guarantor first turns loans away for lack of room
   (``guarantor_exhausted_month``), what the national fund refuses at its cap, how
   lending holds up.

Run::

    .venv/bin/python experiments/risk_sharing.py --seeds 10 --months 120 --firms 2000 --out results/risk_sharing
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ecosim.experiments import Variant
from ecosim.experiments.scripts import comparison_script

METRICS = [
    "total_new_loans",
    "total_new_loans_guaranteed",
    "mean_credit_access_rate",
    "mean_npl_ratio",
    "loan_default_share",
    "default_share_pool_eligible",
    "default_share_guaranteed",
    "bank_share_of_guaranteed_losses",
    "total_loss_bank",
    "total_loss_guarantor_municipal",
    "total_loss_guarantor_national",
    "total_national_refused",
    "guarantor_exhausted_month",
    "total_guarantee_rationed",
    "total_pool_payouts",
    "total_public_cost_total",
    "credit_per_public_yuan",
    "survival_share",
]

SPLIT_0082 = {"guarantee.share_national": 0.0, "guarantee.share_provincial": 0.0, "guarantee.share_municipal": 0.8}

NORMAL = [
    "baseline",
    Variant("split_0_0_8_2", "baseline", SPLIT_0082),
    Variant("no_guarantee", "baseline", {"guarantee.enabled": False}),
    Variant("pool_0", "baseline", {"pool.enabled": False}),
    Variant("pool_1bn", "baseline", {"pool.size": 1000.0}),
]

DOWNTURN = [
    "downturn",
    Variant("downturn_split_0_0_8_2", "downturn", SPLIT_0082),
    Variant("downturn_national_cap_4pct", "downturn", {"guarantee.national_cap": 0.04}),
    Variant("downturn_pool_0", "downturn", {"pool.enabled": False}),
]


def main(argv: list[str] | None = None) -> None:
    """Run both comparisons; each writes ``table.csv`` and ``figure.png`` into its folder under ``--out``."""
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--out", default="results/risk_sharing")
    known, rest = ap.parse_known_args(argv)
    base = Path(known.out)
    title = __doc__.splitlines()[0]
    comparison_script(title, NORMAL, METRICS, default_out=str(base / "normal"),
                      argv=[*rest, "--out", str(base / "normal")],
                      plot_metrics=["total_new_loans", "mean_credit_access_rate", "default_share_pool_eligible",
                                    "total_loss_bank", "total_public_cost_total", "credit_per_public_yuan"])
    comparison_script(title, DOWNTURN, METRICS, default_out=str(base / "downturn"),
                      argv=[*rest, "--out", str(base / "downturn")],
                      plot_metrics=["total_loss_guarantor_municipal", "guarantor_exhausted_month",
                                    "total_national_refused", "total_guarantee_rationed", "total_new_loans",
                                    "mean_npl_ratio"])


if __name__ == "__main__":
    main()
