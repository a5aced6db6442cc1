"""Risk sharing: the 2:2:4:2 guarantee chain against other splits, and the size of the compensation pool.

Compares, on common seeds, the baseline (2:2:4:2 split, 2 bn pool at Jinan
size) with a municipal-only split 0:0:8:2, no guarantee chain, and pools of
0 and 1 bn. Writes a table of effects with 95% confidence intervals (paired by
seed against the baseline) and a figure.

Run::

    .venv/bin/python experiments/risk_sharing.py --seeds 20 --out results/risk_sharing
"""

from __future__ import annotations

from ecosim.experiments import Variant
from ecosim.experiments.scripts import comparison_script

METRICS = [
    "total_new_loans",
    "total_new_loans_guaranteed",
    "mean_credit_access_rate",
    "mean_npl_ratio",
    "bank_share_of_guaranteed_losses",
    "total_loss_bank",
    "total_loss_guarantor_municipal",
    "total_loss_guarantor_national",
    "total_pool_payouts",
    "total_public_spending",
    "credit_per_public_yuan",
    "survival_share",
]

SCENARIOS = [
    "baseline",
    Variant("split_0_0_8_2", "baseline", {"guarantee.share_national": 0.0, "guarantee.share_provincial": 0.0,
                                          "guarantee.share_municipal": 0.8}),
    Variant("no_guarantee", "baseline", {"guarantee.enabled": False}),
    Variant("pool_0", "baseline", {"pool.enabled": False}),
    Variant("pool_1bn", "baseline", {"pool.size": 1000.0}),
]


def main(argv: list[str] | None = None) -> None:
    """Run the comparison and write ``table.csv`` and ``figure.png`` into the output folder."""
    comparison_script(__doc__.splitlines()[0], SCENARIOS, METRICS, default_out="results/risk_sharing", argv=argv,
                      plot_metrics=["total_new_loans", "mean_credit_access_rate", "mean_npl_ratio",
                                    "total_loss_bank", "total_public_spending", "credit_per_public_yuan"])


if __name__ == "__main__":
    main()
