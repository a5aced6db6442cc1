"""The one-page dashboard of a run: firms by stage, credit, defaults, losses by party, equity, innovation."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402


def draw_dashboard(metrics: pd.DataFrame, path: Path, title: str = "") -> None:
    """Draw six panels from a run's monthly metrics and save them as a PNG."""
    m = metrics
    x = m["month"]
    fig, ax = plt.subplots(2, 3, figsize=(16, 9), constrained_layout=True)
    a = ax[0, 0]
    a.stackplot(x, m["firms_seed"], m["firms_early"], m["firms_growth"], m["firms_mature"],
                labels=["seed", "early", "growth", "mature"], alpha=0.85)
    a.set_title("Startups by stage")
    a.set_ylabel("firms")
    a.legend(loc="upper left", fontsize=8)
    a = ax[0, 1]
    a.plot(x, m["loan_balance"], label="loan balance")
    a.set_ylabel("million yuan")
    b = a.twinx()
    b.plot(x, 100 * m["credit_access_rate"], color="tab:green", label="firms with a loan (%)")
    b.set_ylabel("% of operating firms")
    a.set_title("Credit")
    a.legend(loc="upper left", fontsize=8)
    b.legend(loc="upper right", fontsize=8)
    a = ax[0, 2]
    a.bar(x, m["defaults"], color="tab:red", alpha=0.6, label="defaults")
    a.set_ylabel("loans per month")
    b = a.twinx()
    b.plot(x, 100 * m["npl_ratio"], color="black", label="NPL ratio (%)")
    b.set_ylabel("%")
    a.set_title("Defaults and NPL ratio")
    a.legend(loc="upper left", fontsize=8)
    b.legend(loc="upper right", fontsize=8)
    a = ax[1, 0]
    a.stackplot(x, m["loss_bank"].cumsum(), m["loss_guarantors"].cumsum(), m["loss_government"].cumsum(),
                labels=["banks", "guarantors", "risk pool"], colors=["tab:blue", "tab:orange", "tab:purple"], alpha=0.85)
    a.set_title("Default losses by party (cumulative)")
    a.set_ylabel("million yuan")
    a.legend(loc="upper left", fontsize=8)
    a = ax[1, 1]
    a.stackplot(x, m["equity_public"].cumsum(), m["equity_private"].cumsum(), labels=["public", "private"],
                colors=["tab:red", "tab:gray"], alpha=0.85)
    a.plot(x, m["public_spending"].cumsum(), color="black", lw=1.2, label="public spending (all)")
    a.set_title("Equity invested and public spending (cumulative)")
    a.set_ylabel("million yuan")
    a.legend(loc="upper left", fontsize=8)
    a = ax[1, 2]
    a.plot(x, m["patents"], label="patents held")
    a.set_ylabel("patents")
    b = a.twinx()
    b.plot(x, m["listings"].cumsum(), color="tab:green", label="listings (cumulative)")
    b.plot(x, m["acquisitions"].cumsum(), color="tab:olive", label="acquisitions (cumulative)")
    b.set_ylabel("firms")
    a.set_title("Innovation and exits")
    a.legend(loc="upper left", fontsize=8)
    b.legend(loc="lower right", fontsize=8)
    for a in ax.flat:
        a.set_xlabel("month")
        a.grid(alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=14, parse_math=False)  # a name with "$" is text, not TeX
    fig.savefig(path, dpi=110)
    plt.close(fig)
