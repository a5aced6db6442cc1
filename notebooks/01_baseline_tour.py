# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · A tour of the baseline ecosystem
#
# **Question.** How does the sci-tech finance ecosystem of the Jinan pilot zone work in the model: how do
# startups move through their stages, where does their money come from (bank credit, guidance funds, private
# venture capital), and who bears the losses when loans go bad?
#
# **Scenario.** `baseline`: every pilot-zone instrument on at the defaults of the domain brief (guarantee
# chain 2:2:4:2, risk-compensation pool, due-diligence exemption, bank incentives, data platforms, partner
# teams, the 6+N guidance-fund cluster). We run it on several seeds to see what is robust and what is noise.
#
# The size is small so the notebook runs in about a minute; raise `FIRMS`, `MONTHS` and `SEEDS` for real answers.

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from ecosim.experiments import compare
from ecosim.outputs.dashboard import draw_dashboard
from ecosim.runner import simulate
from ecosim.scenario import load_scenario
from ecosim.viz.charts import band_figure

FIRMS, MONTHS, SEEDS = 400, 60, 5

# %% [markdown]
# ## One run, month by month
# A single run (seed 1) drawn as the run dashboard: startups by stage, credit, defaults, losses by party,
# equity and innovation.

# %%
scenario = load_scenario("baseline", months=MONTHS, firms=FIRMS)
one = simulate(scenario, seed=1, keep_model=True)
m = one.metrics
png = Path(tempfile.mkdtemp()) / "dashboard.png"
draw_dashboard(m, png, title=f"baseline, {FIRMS} initial startups, seed 1")
plt.imshow(plt.imread(png))
plt.axis("off")
plt.gcf().set_size_inches(16, 9)

# %% [markdown]
# ## The same economy on several seeds
# Each line is the mean over seeds and the band its 95% confidence interval.

# %%
res = compare(["baseline"], seeds=SEEDS, months=MONTHS, firms=FIRMS, progress=False)
monthly = res.monthly()
fig = band_figure(monthly, ["firms_alive", "firms_seed", "firms_growth", "loan_balance", "equity_invested",
                            "public_spending"], cumulative=["equity_invested", "public_spending"])
fig

# %% [markdown]
# ## Where the money comes from, and who bears the losses

# %%
runs = res.runs
flows = pd.Series({
    "bank loans": runs["total_new_loans"].mean(),
    "equity: guidance funds (public share)": runs["total_equity_public"].mean(),
    "equity: private investors": runs["total_equity_private"].mean(),
})
losses = pd.Series({
    "banks": runs["total_loss_bank"].mean(),
    "guarantee chain": runs["total_loss_guarantors"].mean(),
    "risk-compensation pool": runs["total_loss_government"].mean(),
})
fig, ax = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
flows.plot.barh(ax=ax[0], color=["#4575b4", "#c51b7d", "#7f7f7f"])
ax[0].set_title("Money raised by startups over the run (m yuan, mean of seeds)")
losses.plot.pie(ax=ax[1], autopct="%.0f%%", colors=["#4575b4", "#fdae61", "#9e0142"])
ax[1].set_ylabel("")
ax[1].set_title("Default losses by party")
flows.round(1), losses.round(2)

# %% [markdown]
# ## What we learn

# %%
survival = runs["survival_share"]
loan_share = flows["bank loans"] / flows.sum()
bank_share = losses["banks"] / losses.sum() if losses.sum() > 0 else float("nan")
stage_end = monthly[monthly.month == MONTHS][["firms_seed", "firms_early", "firms_growth", "firms_mature"]].mean()
print(f"After {MONTHS} months, {100 * survival.mean():.0f}% of all startups that ever existed are still operating "
      f"(seeds range {100 * survival.min():.0f}–{100 * survival.max():.0f}%).")
print(f"At the end, {stage_end['firms_seed']:.0f} operating firms are at seed stage, {stage_end['firms_early']:.0f} early, "
      f"{stage_end['firms_growth']:.0f} growth and {stage_end['firms_mature']:.0f} mature (mean of seeds).")
print(f"Bank loans are {100 * loan_share:.0f}% of the money startups raised; equity the remaining "
      f"{100 * (1 - loan_share):.0f}%, of which guidance funds' public share is "
      f"{flows['equity: guidance funds (public share)']:.1f} m yuan.")
print(f"Banks keep {100 * bank_share:.0f}% of default losses; the guarantee chain and the pool carry the rest "
      f"({losses['guarantee chain']:.2f} and {losses['risk-compensation pool']:.2f} m yuan).")
