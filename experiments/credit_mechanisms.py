"""Credit mechanisms: do ratings, cover, limits and pricing act through their real channels?

Runs, on common seeds, the comparisons that show each credit mechanism at work,
and prints paired differences with 95% t-intervals (seed by seed):

* rating accuracy 0.5 vs 0.95 at full platform coverage (district score off):
  defaults per loan, loans made and the defaulted share of principal lent;
* what the banks know of quality, from nothing (ratings of accuracy 0, no screening) to
  everything (latent quality read exactly at full effort, whatever the cover):
  the bound on what any information can do to defaults per loan;
* risk-compensation pool 50% vs off: defaults per loan on pool-eligible loans
  (non-guaranteed, within the pool's size limit);
* under ``downturn``: guarantee split 0:0:8:2 vs 2:2:4:2: the municipal
  guarantor's losses and its share of the guarantee chain's losses (who
  bears them), its first month without room under its leverage limit, the
  first month its net assets fall below half its capital (capital
  exhaustion) and their lowest point, the guaranteed lending of the two years
  after the downturn (recovery), and the national fund's refused claims;
* in the baseline: principal-weighted loan rate, the rate of loans that later
  defaulted against those repaid (pooled, and within each product), the NPL
  ratio (years 3–4 and 9–10), losses per year over the loan balance,
  capacities against their use, and product volumes per year at Jinan scale.

Every figure is read from the finished model (loan book and monthly metrics),
so the script measures any model version alike.

Run::

    .venv/bin/python experiments/credit_mechanisms.py --seeds 10 --firms 2000 --out results/credit_mechanisms
"""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from scipy import stats

from ecosim.credit import loans as L
from ecosim.runner import simulate
from ecosim.scenario import JINAN_FIRMS, SCENARIO_DIR, load_scenario
from ecosim.validation.quantities import gap_within_product

FULL_COVERAGE = {"platforms.district": False, "platforms.coverage_start": 1.0,
                 "platforms.provincial_coverage_start": 1.0}
#: The banks' own reading of quality is nothing: ratings of accuracy 0 (the platforms and their products stay),
#: no district score and no due diligence; only a relationship bank's soft information and the hard data remain.
NO_INFORMATION = {"platforms.district": False, "platforms.accuracy": 0.0, "platforms.provincial_accuracy": 0.0,
                  "banks.screening_precision": 0.0}
#: The banks read latent quality all but exactly: due diligence at full effort whatever the cover or exemption.
FULL_INFORMATION = {"banks.screening_precision": 100.0, "banks.screening_cover_cut": 0.0,
                    "banks.screening_exempt_cut": 0.0}
#: What the guarantee split is compared on under the downturn.
SPLIT_OUTCOMES = ("loss_municipal", "municipal_share_of_chain_losses", "municipal_exhausted_month",
                  "municipal_capital_halved_month", "municipal_net_assets_low", "guaranteed_lent_2y_after_downturn",
                  "national_refused", "loss_national")
SPLIT_0082 = {"guarantee.share_national": 0.0, "guarantee.share_provincial": 0.0, "guarantee.share_municipal": 0.8}


def variants() -> dict[str, tuple[str, dict]]:
    """Name -> (base scenario, overrides)."""
    out = {
        "baseline": ("baseline", {}),
        "accuracy_0.5": ("baseline", {**FULL_COVERAGE, "platforms.accuracy": 0.5,
                                      "platforms.provincial_accuracy": 0.5}),
        "accuracy_0.95": ("baseline", {**FULL_COVERAGE, "platforms.accuracy": 0.95,
                                       "platforms.provincial_accuracy": 0.95}),
        "pool_off": ("baseline", {"pool.enabled": False}),
        "information_none": ("baseline", NO_INFORMATION),
        "information_full": ("baseline", FULL_INFORMATION),
    }
    if (SCENARIO_DIR / "downturn.toml").exists():
        out["downturn"] = ("downturn", {})
        out["downturn_0082"] = ("downturn", SPLIT_0082)
    return out


def _defaulted(loans, n: int) -> np.ndarray:
    """Loans that defaulted (written off or still in workout)."""
    status = loans.status[:n]
    bad = status == L.DEFAULTED
    workout = getattr(L, "WORKOUT", None)
    if workout is not None:
        bad |= status == workout
    return bad


def measure(name: str, base: str, overrides: dict, seed: int, firms: int) -> dict[str, float]:
    """Run one variant for one seed and read the figures off the model."""
    scenario = load_scenario(base, overrides=overrides)
    res = simulate(scenario, seed, firms=firms, keep_model=True)
    m, model, met = res.model, res.model, res.metrics
    loans = m.loans
    n = len(loans)
    bad = _defaulted(loans, n)
    repaid = loans.status[:n] == L.REPAID
    principal = loans.principal[:n]
    rate = loans.rate[:n]
    guaranteed = loans.guaranteed[:n]
    eligible = ~guaranteed & (principal <= m.params.pool.max_loan)
    scale = JINAN_FIRMS / m.params.run.firms
    years = m.params.run.months / 12.0
    out = {
        "defaults_per_loan": float(bad.mean()) if n else np.nan,
        "defaults_per_pool_eligible_loan": float(bad[eligible].mean()) if eligible.any() else np.nan,
        "defaults_per_guaranteed_loan": float(bad[guaranteed].mean()) if guaranteed.any() else np.nan,
        "loans": float(n),
        "rate_principal_weighted": float(np.average(rate, weights=principal)) if n else np.nan,
        "rate_median": float(np.median(rate)) if n else np.nan,
        "rate_defaulted": float(np.average(rate[bad], weights=principal[bad])) if bad.any() else np.nan,
        "rate_repaid": float(np.average(rate[repaid], weights=principal[repaid])) if repaid.any() else np.nan,
    }
    out["rate_gap_defaulted_minus_repaid"] = out["rate_defaulted"] - out["rate_repaid"]
    out["defaults_per_yuan_lent"] = float(principal[bad].sum() / principal.sum()) if n else np.nan
    out["rate_gap_within_product"] = gap_within_product(loans.product[:n], rate, principal, bad, repaid)
    npl_col = "npl_ratio"
    month = met["month"]
    out["npl_after_year_2"] = float(met.loc[month > 24, npl_col].mean())
    out["npl_years_3_4"] = float(met.loc[(month > 24) & (month <= 48), npl_col].mean())
    out["npl_years_9_10"] = float(met.loc[month > 96, npl_col].mean())
    losses = met["loss_bank"] + met["loss_guarantors"] + met["loss_government"]
    for y in (3, 9):
        sel = (month > 12 * (y - 1)) & (month <= 12 * y)
        bal = met.loc[sel, "loan_balance"].mean()
        out[f"losses_over_balance_year_{y}"] = float(losses[sel].sum() / bal) if bal > 0 else np.nan
    chain = m.guarantee_chain
    out["loss_municipal"] = float(met["loss_guarantor_municipal"].sum())
    out["loss_national"] = float(met["loss_guarantor_national"].sum())
    out["national_refused"] = float(met["national_refused"].sum())
    # Who bears the guarantee chain's losses: the municipal guarantor's share of the three tiers' losses
    # (a ratio, so it does not carry the seed-to-seed noise of how many guaranteed loans default).
    chain_loss = out["loss_municipal"] + out["loss_national"] + float(met["loss_guarantor_provincial"].sum())
    out["municipal_share_of_chain_losses"] = out["loss_municipal"] / chain_loss if chain_loss > 0 else np.nan
    if "guarantee_rationed" in met:  # first month the guarantor turned loans away for lack of room
        empty = met.loc[met["guarantee_rationed"] > 0, "month"]
        out["municipal_exhausted_month"] = float(empty.iloc[0]) if len(empty) else np.nan
        out["guarantee_rationed"] = float(met["guarantee_rationed"].sum())
    else:
        out["municipal_exhausted_month"] = np.nan
        out["guarantee_rationed"] = np.nan
    # Capital exhaustion: the first month the municipal guarantor's net assets fall below half its
    # initial capital (the horizon + 1 when they never do, so that seeds pair), and its lowest net assets.
    initial = chain.municipal.initial_capital
    low = met.loc[met["guarantor_net_assets"] < 0.5 * initial, "month"]
    out["municipal_capital_halved_month"] = float(low.iloc[0]) if len(low) else float(m.params.run.months + 1)
    out["municipal_net_assets_low"] = float(met["guarantor_net_assets"].min() / initial) if initial > 0 else np.nan
    # How guaranteed lending recovers: guaranteed principal lent in the two years after a downturn ends
    # (in runs without one, after month 60), at Jinan scale in million yuan.
    d = m.params.downturn
    end = d.start_month + d.months if d.enabled else 60
    after = (month > end) & (month <= end + 24)
    out["guaranteed_lent_2y_after_downturn"] = float(met.loc[after, "new_loans_guaranteed"].sum() * scale)
    out["guarantor_leverage_peak"] = float(met["guarantor_leverage"].max())
    out["guarantor_leverage_min"] = float(met["guarantor_leverage"].min())
    from ecosim.credit.bank import lending_rooms

    book = float(m.ledger.balance[m.bank_accounts["loans"]].sum())
    out["bank_room_over_book"] = float(lending_rooms(m).sum() / book) if book > 0 else np.nan
    out["pool_spent_share"] = float(1 - m.pool.balance / m.pool.endowment) if m.pool.endowment > 0 else np.nan
    for prod in ("guaranteed", "ma", "rd"):
        out[f"{prod}_bn_per_year_jinan"] = float(met[f"new_loans_{prod}"].sum() * scale / years / 1000.0)
        out[f"{prod}_loans_per_year_jinan"] = float(met[f"loans_made_{prod}"].sum() * scale / years)
    out["credit_access"] = float(met.loc[month > 12, "credit_access_rate"].mean())
    out["public_spending"] = float(met["public_spending"].sum())
    del chain
    return {"variant": name, "seed": seed, **out}


def paired(df: pd.DataFrame, a: str, b: str, metric: str) -> dict[str, float]:
    """Mean of ``b`` minus ``a`` over common seeds, with a 95% t-interval, and the relative change."""
    x = df[df["variant"] == a].set_index("seed")[metric]
    y = df[df["variant"] == b].set_index("seed")[metric]
    d = (y - x).dropna()
    if len(d) < 2:
        return {"diff": np.nan, "low": np.nan, "high": np.nan, "rel": np.nan}
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return {"a": float(x.mean()), "b": float(y.mean()), "diff": float(d.mean()), "low": float(d.mean() - half),
            "high": float(d.mean() + half), "rel": float(d.mean() / x.mean()) if x.mean() else np.nan}


def mean_ci(values: pd.Series) -> tuple[float, float, float]:
    v = values.dropna()
    if len(v) < 2:
        return float(v.mean()) if len(v) else np.nan, np.nan, np.nan
    half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    return float(v.mean()), float(v.mean() - half), float(v.mean() + half)


def main(
    seeds: Annotated[int, typer.Option(help="Common seeds 1..N.")] = 10,
    firms: Annotated[int, typer.Option(help="Initial startups.")] = 2000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 2,
    out: Annotated[Path, typer.Option(help="Results folder.")] = Path("results/credit_mechanisms"),
    variant: Annotated[list[str] | None, typer.Option(help="Run only these variants (repeatable).")] = None,
) -> None:
    """Run every variant (or those named) on seeds 1..N, write ``runs.csv`` and ``effects.json``, print the figures."""
    out.mkdir(parents=True, exist_ok=True)
    chosen = variants()
    unknown = sorted(set(variant or ()) - set(chosen))
    if unknown:
        raise typer.BadParameter(f"unknown variant {unknown[0]!r}; choose from {', '.join(chosen)}",
                                 param_hint="--variant")
    if variant:
        chosen = {name: chosen[name] for name in variant}
    jobs = [(name, base, ov, seed, firms) for name, (base, ov) in chosen.items() for seed in range(1, seeds + 1)]
    with ProcessPoolExecutor(workers) as pool:
        rows = list(pool.map(measure, *zip(*jobs, strict=True)))
    df = pd.DataFrame(rows)
    df.to_csv(out / "runs.csv", index=False)
    comparisons = {
        "accuracy 0.5 -> 0.95: defaults per loan": ("accuracy_0.5", "accuracy_0.95", "defaults_per_loan"),
        "accuracy 0.5 -> 0.95: loans": ("accuracy_0.5", "accuracy_0.95", "loans"),
        "accuracy 0.5 -> 0.95: defaulted share of principal lent": ("accuracy_0.5", "accuracy_0.95",
                                                                    "defaults_per_yuan_lent"),
        "information none -> full: defaults per loan": ("information_none", "information_full", "defaults_per_loan"),
        "information none -> full: loans": ("information_none", "information_full", "loans"),
        "information none -> full: defaulted share of principal lent": ("information_none", "information_full",
                                                                        "defaults_per_yuan_lent"),
        "pool off -> 50%: defaults per pool-eligible loan": ("pool_off", "baseline", "defaults_per_pool_eligible_loan"),
    }
    ran = set(df["variant"])
    effects = {key: paired(df, a, b, metric) for key, (a, b, metric) in comparisons.items() if {a, b} <= ran}
    if {"downturn", "downturn_0082"} <= ran:
        for metric in SPLIT_OUTCOMES:
            effects[f"downturn, 2:2:4:2 -> 0:0:8:2: {metric}"] = paired(df, "downturn", "downturn_0082", metric)
    levels = {}
    for variant in df["variant"].unique():
        sub = df[df["variant"] == variant]
        levels[variant] = {c: mean_ci(sub[c]) for c in df.columns if c not in ("variant", "seed")}
    (out / "effects.json").write_text(json.dumps({"effects": effects, "levels": levels}, indent=1))
    for key, e in effects.items():
        print(f"{key}: {e.get('a', np.nan):.4g} -> {e.get('b', np.nan):.4g}; diff {e['diff']:.4g} "
              f"[{e['low']:.4g}, {e['high']:.4g}] ({100 * e['rel']:+.1f}%)")
    if "baseline" in levels:
        print("baseline levels (mean [95% CI]):")
        for c, (mu, lo, hi) in levels["baseline"].items():
            print(f"  {c}: {mu:.4g} [{lo:.4g}, {hi:.4g}]")
    if {"downturn", "downturn_0082"} <= set(levels):
        print("downturn levels:")
        for v in ("downturn", "downturn_0082"):
            for c in (*SPLIT_OUTCOMES, "npl_after_year_2", "credit_access"):
                mu, lo, hi = levels[v][c]
                print(f"  {v} {c}: {mu:.4g} [{lo:.4g}, {hi:.4g}]")
    print(f"written to {out}")


if __name__ == "__main__":
    typer.run(main)
