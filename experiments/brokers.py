"""Financial-partner teams: what 0 to 400 teams do for access, matching and allocation.

The number of financial-partner teams (金融合伙人) is varied from 0 to 400 at
Jinan size (242 in Jinan); in a smaller model it scales with the number of
firms (teams = count × firms / 20,000). Service stations and tech advisers
stay at their defaults. Every team count runs on the same seeds; differences
are paired against 0 teams, with 95% confidence intervals.

Run::

    .venv/bin/python experiments/brokers.py --seeds 20 --months 60 --firms 1000

Writes into ``--out``: the result folder, ``brokers.csv`` and ``brokers.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import typer  # noqa: E402

from ecosim.experiments import Variant, compare  # noqa: E402
from ecosim.scenario import JINAN_FIRMS, resolve_size  # noqa: E402

#: Team counts at Jinan size.
TEAM_COUNTS = (0, 50, 100, 150, 242, 300, 400)
METRICS = [
    "total_visits", "applications_per_firm", "mean_credit_access_rate", "mean_unfunded_top_quality",
    "mean_allocation_auc", "total_new_loans", "mean_time_to_loan", "mean_npl_ratio", "survival_share",
]
LABELS = {
    "total_visits": "broker visits (all kinds)",
    "applications_per_firm": "loan applications per operating firm",
    "mean_credit_access_rate": "firms with a bank loan",
    "mean_unfunded_top_quality": "top-quartile firms never financed",
    "mean_allocation_auc": "allocation AUC",
    "total_new_loans": "loans paid out (m yuan)",
}


def team_variants(firms: int, counts: tuple[int, ...] | None = None) -> list[Variant]:
    """One variant per team count at Jinan size (default :data:`TEAM_COUNTS`), scaled to the model's size."""
    counts = TEAM_COUNTS if counts is None else counts
    return [Variant(f"{c} teams", "baseline", {"brokers.teams": round(c * firms / JINAN_FIRMS)}) for c in counts]


def figure(table: pd.DataFrame, path: Path | None) -> plt.Figure:
    """Paired differences against 0 teams with 95% CI bands, by team count (Jinan size)."""
    t = table.assign(teams=table["scenario"].str.split().str[0].astype(int))
    fig, axes = plt.subplots(2, 3, figsize=(15, 8))
    for ax, metric in zip(axes.flat, LABELS, strict=True):
        m = t[t["metric"] == metric].sort_values("teams")
        ax.plot(m["teams"], m["diff"], marker="o", color="#55a868")
        ax.fill_between(m["teams"], m["diff_low"], m["diff_high"], alpha=0.25, color="#55a868")
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(242, color="grey", lw=0.8, ls="--")
        ax.set_xlabel("financial-partner teams (Jinan size; 242 in Jinan)")
        ax.set_title(f"{LABELS[metric]}\ndifference vs 0 teams", fontsize=10)
    fig.suptitle("Financial-partner teams from 0 to 400: paired differences over shared seeds with 95% CIs",
                 fontsize=11)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120, bbox_inches="tight")
    return fig


def main(
    seeds: Annotated[int, typer.Option(help="Shared seeds per team count.")] = 20,
    months: Annotated[int, typer.Option(help="Horizon of each run.")] = 60,
    firms: Annotated[str, typer.Option(help="Initial startups (number or preset).")] = "1000",
    executor: Annotated[str, typer.Option(help="serial, processes or dask.")] = "processes",
    out: Annotated[Path, typer.Option(help="Results folder.")] = Path("results/brokers"),
) -> None:
    """Run the team-count comparison, write the table and the figure, print the paired differences."""
    out.mkdir(parents=True, exist_ok=True)
    n = resolve_size(firms)
    res = compare(team_variants(n), seeds=seeds, months=months, firms=n, executor=executor, metrics=METRICS,
                  out=out / "runs")
    res.table.to_csv(out / "brokers.csv", index=False)
    figure(res.table, out / "brokers.png")
    show = ["metric", "scenario", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high"]
    with pd.option_context("display.width", 200, "display.max_rows", 200, "display.float_format", "{:.4g}".format):
        print(res.table[show].to_string(index=False))
    print(f"written to {out}")


if __name__ == "__main__":
    typer.run(main)
