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
# # 05 · Data-credit platforms and financial-partner teams
#
# **Question.** Lenders cannot see a startup's quality. Data platforms rate firms from alternative data, and
# partner teams visit firms and carry what they learn to banks. Do they get credit to more firms, and to the
# *better* firms (allocation quality), and faster?
#
# **Scenarios compared** (same seeds):
# * `baseline`: platforms and partner teams at the domain brief's defaults;
# * `no_platforms`: no ratings;
# * `no_brokers`: no partner teams;
# * `neither`: both off.
#
# Allocation quality is the AUC of loan approvals against applicants' latent quality: 0.5 means approvals are
# unrelated to quality, 1 means banks always approve the better firm.

# %%
from ecosim.experiments import Variant, compare
from ecosim.viz.brief import findings
from ecosim.viz.charts import band_figure

FIRMS, MONTHS, SEEDS = 400, 48, 6
METRICS = ["mean_credit_access_rate", "total_new_loans", "mean_allocation_auc", "mean_npl_ratio",
           "survival_share", "total_visits"]

# %%
res = compare(
    ["baseline",
     Variant("no_platforms", "baseline", {"platforms.enabled": False}),
     Variant("no_brokers", "baseline", {"brokers.teams": 0}),
     Variant("neither", "baseline", {"platforms.enabled": False, "brokers.teams": 0})],
    seeds=SEEDS, months=MONTHS, firms=FIRMS, metrics=METRICS, progress=False)
res.table.round(3)

# %%
res.plot(metrics=["mean_credit_access_rate", "total_new_loans", "mean_allocation_auc", "mean_npl_ratio"])

# %%
band_figure(res.monthly(), ["rated_share", "credit_access_rate", "allocation_auc", "visits"], ncols=2)

# %% [markdown]
# ## What we learn

# %%
t = res.table
for name in ("no_platforms", "no_brokers", "neither"):
    print(f"{name}:")
    for sentence in findings(t, name, "baseline", "en", ["mean_credit_access_rate", "mean_allocation_auc"]):
        print("  ·", sentence)
auc = t[t.metric == "mean_allocation_auc"].set_index("scenario")["mean"]
print(f"\nApprovals track quality with an AUC of {auc['baseline']:.3f} in the baseline and {auc['neither']:.3f} "
      f"without platforms or partner teams.")
