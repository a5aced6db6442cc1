"""Experiment: what the "6+N" guidance-fund cluster does, and how its size and government share matter.

Compares, on common seeds (paired 95% confidence intervals against the first):

* ``no_funds`` — the baseline without guidance funds (the reference);
* ``cluster_default`` — the "6+N" cluster at the domain brief's defaults (N = 3, government share 25%);
* ``cluster_larger_n`` — twice as many sub-funds per mother fund (N = 6);
* ``gov_share_20`` / ``gov_share_40`` — government share of the sub-funds at 20% and 40% with the same
  public money per sub-fund (75 million at Jinan size), so a lower share means larger funds with more
  private money (seed sub-funds keep their 50% share and are half the default size in both).

Outputs in ``--out``: the result store, ``fund_cluster.csv`` (the tidy table: metric, scenario, n,
mean, ci_low, ci_high, diff, diff_low, diff_high) and ``fund_cluster.png``.

Run::

    .venv/bin/python experiments/fund_cluster.py --seeds 20 --out results/fund_cluster
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ecosim.experiments import Variant, compare

#: Public money per sub-fund at Jinan size in the default cluster (300 million at a 25% share).
PUBLIC_PER_SUBFUND = 75.0

#: The scenarios compared; the first is the reference for paired differences.
VARIANTS: tuple[Variant, ...] = (
    Variant("no_funds", "baseline", {"funds.enabled": False}),
    Variant("cluster_default", "baseline", {}),
    Variant("cluster_larger_n", "baseline", {"funds.subfunds_per_mother": 6}),
    Variant("gov_share_20", "baseline", {"funds.gov_share": 0.2, "funds.public_commitment": PUBLIC_PER_SUBFUND}),
    Variant("gov_share_40", "baseline", {"funds.gov_share": 0.4, "funds.public_commitment": PUBLIC_PER_SUBFUND}),
)

#: Summary keys in the table (see ecosim.runner.summarise and ecosim.equity.metrics.equity_summary).
METRICS: tuple[str, ...] = (
    "firms_financed_seed",
    "survival_share",
    "total_listings",
    "total_equity_invested",
    "total_equity_public",
    "private_per_public_yuan",
    "fund_tvpi",
    "fund_irr_median",
    "deal_share_above_5x",
    "total_public_spending",
)


def main(
    seeds: Annotated[int, typer.Option(help="Common seeds per scenario (at least 20 for the report).")] = 20,
    months: Annotated[int, typer.Option(help="Horizon in months.")] = 120,
    firms: Annotated[str, typer.Option(help="Initial startups: a number or a size preset.")] = "2000",
    executor: Annotated[str, typer.Option(help="serial, processes or dask.")] = "processes",
    out: Annotated[Path, typer.Option(help="Results folder.")] = Path("results/fund_cluster"),
) -> None:
    """Run the comparison and write the table and the figure."""
    res = compare(list(VARIANTS), seeds=seeds, months=months, firms=firms, executor=executor, out=out,
                  metrics=list(METRICS))
    out = Path(out)
    res.table.to_csv(out / "fund_cluster.csv", index=False, float_format="%.6g")
    res.plot(out / "fund_cluster.png", metrics=list(METRICS))
    cols = ["metric", "scenario", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high"]
    typer.echo(res.table[cols].to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    typer.echo(f"written: {out / 'fund_cluster.csv'}, {out / 'fund_cluster.png'}")


if __name__ == "__main__":
    typer.run(main)
