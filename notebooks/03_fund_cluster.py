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
# # 03 · The guidance-fund cluster (6+N)
#
# **Question.** Jinan's six industry mother funds commit to sub-funds run with private partners, the
# government taking 20–30% of each. Does the cluster bring more equity to startups than it costs, does it
# crowd private money in, and does it show up in survival, patents and listings?
#
# **Scenarios compared** (same seeds):
# * `baseline`: the fund cluster on (government share 25%);
# * `no_funds`: the cluster switched off, everything else equal;
# * `bigger_gov_share`: government share raised to 40% of each sub-fund.

# %%
from ecosim.experiments import Variant, compare
from ecosim.viz.brief import findings
from ecosim.viz.charts import band_figure

FIRMS, MONTHS, SEEDS = 400, 60, 6
METRICS = ["total_equity_invested", "total_equity_public", "total_equity_private", "survival_share",
           "total_patents_new", "total_listings", "total_public_spending"]

# %%
res = compare(
    ["baseline",
     Variant("no_funds", "baseline", {"funds.enabled": False}),
     Variant("bigger_gov_share", "baseline", {"funds.gov_share": 0.4})],
    seeds=SEEDS, months=MONTHS, firms=FIRMS, metrics=METRICS, progress=False)
res.table.round(3)

# %%
res.plot(metrics=["total_equity_invested", "total_equity_private", "survival_share", "total_patents_new"])

# %%
band_figure(res.monthly(), ["equity_public", "equity_private", "firms_alive", "patents"],
            cumulative=["equity_public", "equity_private"], ncols=2)

# %% [markdown]
# ## What we learn

# %%
t = res.table
runs = res.runs
for sentence in findings(t, "no_funds", "baseline", "en", METRICS):
    print("·", sentence)
base = runs[runs.scenario == "baseline"]
private_per_public = (base.total_equity_private / base.total_equity_public).mean()
print(f"\nUnder the baseline each yuan of public equity sits beside {private_per_public:.2f} yuan of private equity "
      f"(mean over {len(base)} seeds).")
for metric in ("total_equity_invested", "total_equity_public", "total_equity_private"):
    row = t[(t.metric == metric) & (t.scenario == "bigger_gov_share")].iloc[0]
    print(f"A 40% government share changes {metric.removeprefix('total_').replace('_', ' ')} by {row['diff']:+.1f} m yuan "
          f"(95% CI {row['diff_low']:+.1f} to {row['diff_high']:+.1f}).")
