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
# # 04 · Risk sharing (银担分险) and the risk-compensation pool (风险补偿资金池)
#
# **Question.** On a guaranteed loan the national fund, the provincial re-guarantor, the municipal guarantor
# and the bank share a default's loss 2:2:4:2, and a government pool reimburses half of the lost principal
# on tech loans. How much lending do these instruments unlock, who ends up bearing the losses, and how much
# public money do they use?
#
# **Scenarios compared** (same seeds):
# * `baseline`: 2:2:4:2 split and the pool;
# * `bank_half`: the bank keeps 50% of a guaranteed loss (the tiers share the rest 1:1:2);
# * `no_pool`: the pool switched off;
# * `no_guarantee`: the guarantee chain switched off.

# %%
from ecosim.experiments import Variant, compare
from ecosim.viz.brief import findings
from ecosim.viz.charts import losses_figure
from ecosim.viz.levers import lever_overrides

FIRMS, MONTHS, SEEDS = 400, 48, 6
METRICS = ["total_new_loans", "mean_credit_access_rate", "mean_npl_ratio", "total_defaults", "total_loss_bank",
           "total_loss_guarantors", "total_loss_government", "total_public_spending", "survival_share"]

# %%
res = compare(
    ["baseline",
     Variant("bank_half", "baseline", lever_overrides({"bank_share": 0.5})),
     Variant("no_pool", "baseline", {"pool.enabled": False}),
     Variant("no_guarantee", "baseline", {"guarantee.enabled": False})],
    seeds=SEEDS, months=MONTHS, firms=FIRMS, metrics=METRICS, progress=False)
res.table.round(3)

# %%
res.plot(metrics=["total_new_loans", "mean_credit_access_rate", "total_loss_bank", "total_public_spending"])

# %%
losses_figure(res.runs)

# %% [markdown]
# ## What we learn

# %%
t = res.table
for name in ("bank_half", "no_pool", "no_guarantee"):
    print(f"{name}:")
    for sentence in findings(t, name, "baseline", "en",
                             ["total_new_loans", "total_defaults", "total_loss_bank", "total_public_spending"]):
        print("  ·", sentence)
means = res.runs.groupby("scenario")[["total_loss_bank", "total_loss_guarantors", "total_loss_government"]].mean()
share = means["total_loss_bank"] / means.sum(axis=1)
print(f"\nBanks bear {100 * share['baseline']:.0f}% of default losses in the baseline, "
      f"{100 * share['bank_half']:.0f}% when they keep half of guaranteed losses, and "
      f"{100 * share['no_pool']:.0f}% without the pool.")
