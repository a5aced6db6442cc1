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
# # 02 · The due-diligence exemption (尽职免责)
#
# **Question.** Loan officers who followed procedure are not penalised when a loan to a tech startup fails
# (for loans up to 10 million yuan). Does this make banks lend more to young firms, and at what cost in bad loans?
#
# **Scenarios compared** (same seeds, so differences are paired):
# * `baseline`: the exemption on, with everything else in the pilot zone;
# * `exemption_off`: the same, but officers carry their personal penalty on every loan that fails;
# * `harsh_penalty`: exemption off and a doubled personal penalty, to see the mechanism's strength.

# %%
from ecosim.experiments import Variant, compare
from ecosim.viz.brief import findings
from ecosim.viz.charts import band_figure

FIRMS, MONTHS, SEEDS = 400, 48, 6
METRICS = ["total_new_loans", "mean_credit_access_rate", "approval_rate_young", "mean_npl_ratio",
           "total_defaults", "survival_share", "total_patents_new"]

# %%
res = compare(
    ["baseline",
     Variant("exemption_off", "baseline", {"exemption.enabled": False}),
     Variant("harsh_penalty", "baseline", {"exemption.enabled": False, "banks.officer_penalty": 3.2})],
    seeds=SEEDS, months=MONTHS, firms=FIRMS, metrics=METRICS, progress=False)
res.table.round(4)

# %% [markdown]
# ## Effects against the baseline
# Means with 95% confidence intervals (left) and paired differences against `baseline` (right).

# %%
res.plot(metrics=["total_new_loans", "mean_credit_access_rate", "mean_npl_ratio", "survival_share"])

# %%
band_figure(res.monthly(), ["loan_balance", "credit_access_rate", "approval_rate_young", "npl_ratio"], ncols=2)

# %% [markdown]
# ## What we learn

# %%
t = res.table
for sentence in findings(t, "exemption_off", "baseline", "en", METRICS):
    print("·", sentence)
loans = t[(t.metric == "total_new_loans")].set_index("scenario")["mean"]
print(f"\nWithout the exemption banks pay out {loans['exemption_off']:.1f} m yuan of loans instead of "
      f"{loans['baseline']:.1f} m yuan ({100 * (loans['exemption_off'] / loans['baseline'] - 1):+.0f}%); "
      f"with a doubled penalty, {loans['harsh_penalty']:.1f} m yuan.")
