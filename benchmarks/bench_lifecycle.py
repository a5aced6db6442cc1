"""Life-cycle report: how the model's startups survive, shrink, grow and die.

Runs the baseline over several seeds and prints, with the real-world reference
each figure is judged against:

* entrants' survival (failure only: acquired and listed firms count as
  survivors) at ages 1, 3, 5 and 10 years, and the initial population's
  survival over the same ages (delayed entry), which should match the
  entrants' when the initial population is in the model's steady state;
* entrants' yearly failure hazard at ages 1 to 10;
* the share of firm-years with falling revenue (among firm-years with revenue
  in both years) and with falling staff (among firm-years with staff);
* the share of entrants that ever sell, and how failed firms died (cash or
  latent-quality failure), when the model records it;
* ``firms_alive`` at months 0, 12, 60, 120 and its largest deviation from its
  month-12 value up to month 120;
* operating firms' revenue against their costs, and their cash against debt;
* the largest firm (annualised revenue, staff) in a long run of 500 firms.

Usage::

    python benchmarks/bench_lifecycle.py [--seeds 5] [--firms 2000] [--months 240]
        [--long-firms 500] [--long-months 360] [--long-seeds 2] [--json out.json]

It runs in this process, one run after another (a few seconds each at the
defaults); the figures are means over seeds, each seed's run being identical
on any machine.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import pandas as pd

from ecosim.runner import simulate
from ecosim.scenario import load_scenario
from ecosim.validation.lifecycle import shrinking_shares, survival_by_age, yearly_hazard

AGES_YEARS = (1, 3, 5, 10)


def survival_curve(f: pd.DataFrame, months: int, entrants: bool, ages_years=AGES_YEARS) -> dict[int, float]:
    """Share not failed by each age (years) for entrants (founded after month 0) or the initial population."""
    return survival_by_age(f, months, ages_years, entrants)


def one_run(scenario, seed: int) -> dict:
    """The life-cycle figures of one run."""
    res = simulate(scenario, seed, keep_model=True)
    model = res.model
    fr = model.firms
    months = int(model.month)
    f = pd.DataFrame({"founded": fr.founded.astype(np.int64), "exit_month": fr.exit_month.astype(np.int64),
                      "status": fr.status.astype(np.int8), "revenue": fr.revenue.copy()})  # works on older versions
    panel = model.panel
    alive = res.metrics["firms_alive"].to_numpy(dtype=float)
    rev_fall, staff_fall = shrinking_shares(panel)
    ops = model.alive
    led = model.ledger
    entrants = f["founded"] >= 1
    sold = float((f.loc[entrants, "revenue"] > 0).mean())
    out = {
        "seed": seed,
        "entrants": {str(a): v for a, v in survival_curve(f, months, True).items()},
        "initial": {str(a): v for a, v in survival_curve(f, months, False, (1, 3, 5)).items()},
        "hazard": yearly_hazard(f, months),
        "revenue_falling": rev_fall,
        "staff_falling": staff_fall,
        "entrants_ever_selling": float(sold),
        "alive": {str(m): float(alive[m - 1]) if m >= 1 else float(len(model.firms) - int(entrants.sum()))
                  for m in (0, 12, 60, 120, months) if m <= months},
        "alive_max_dev_12_120": float(np.max(np.abs(alive[11:120] / alive[11] - 1.0))) if months >= 120 else np.nan,
        "revenue_over_costs": float(fr.revenue[ops].sum()
                                    / max((fr.costs if "costs" in fr.columns else fr.burn)[ops].sum(), 1e-12)),
        "cash": float(led.balance[fr.acct_cash[ops]].sum()),
        "debt": float(-led.balance[fr.acct_debt[ops]].sum()),
    }
    if "exit_cause" in fr.columns:
        from ecosim.validation.lifecycle import failure_causes, firm_table

        out["failure_causes"] = failure_causes(firm_table(model))
        first = fr.first_sale[: len(f)]
        ent = entrants.to_numpy() & (first >= 0)
        out["months_to_first_sale"] = float(np.median(first[ent] - fr.founded[: len(f)][ent])) if ent.any() else np.nan
    return out


def long_run(scenario, seed: int) -> dict:
    """Largest firm (annualised revenue at a year end, staff) in a long run."""
    res = simulate(scenario, seed, keep_model=True)
    panel = res.model.panel
    fr = res.model.firms
    return {"seed": seed, "max_annual_revenue": float(max(panel["revenue"].max(), fr.revenue.max()) * 12.0),
            "max_staff": float(max(panel["employees"].max(), fr.employees.max()))}


def _mean(rows: list[dict], *keys) -> float:
    vals = []
    for r in rows:
        v = r
        for k in keys:
            v = v[k]
        vals.append(v)
    return float(np.nanmean(vals))


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--firms", type=int, default=2000)
    ap.add_argument("--months", type=int, default=240)
    ap.add_argument("--long-firms", type=int, default=500)
    ap.add_argument("--long-months", type=int, default=360)
    ap.add_argument("--long-seeds", type=int, default=2)
    ap.add_argument("--json", default=None, help="also write the figures to this JSON file")
    a = ap.parse_args(argv)
    sc = load_scenario(a.scenario, months=a.months, firms=a.firms)
    runs = [one_run(sc, s) for s in range(1, a.seeds + 1)]
    report: dict = {"runs": runs}
    print(f"{a.scenario}: {a.seeds} seeds, {a.firms} firms, {a.months} months (means over seeds)")
    print("entrants not failed by age (years): "
          + ", ".join(f"{y}: {_mean(runs, 'entrants', str(y)):.3f}" for y in AGES_YEARS)
          + "   [targets 0.75-0.92, 0.55-0.78, 0.40-0.65, 0.15-0.40]")
    print("initial population not failed by age: "
          + ", ".join(f"{y}: {_mean(runs, 'initial', str(y)):.3f}" for y in (1, 3, 5)))
    hz = np.nanmean([r["hazard"] for r in runs], axis=0)
    print("entrants' yearly failure hazard, ages 1..10: " + ", ".join(f"{h:.1%}" for h in hz))
    print(f"firm-years with falling revenue: {_mean(runs, 'revenue_falling'):.1%} (target >= 20%); "
          f"with falling staff: {_mean(runs, 'staff_falling'):.1%} (target >= 15%)")
    print(f"entrants that ever sell: {_mean(runs, 'entrants_ever_selling'):.1%}"
          + (f", median {_mean(runs, 'months_to_first_sale'):.0f} months after founding"
             if all("months_to_first_sale" in r for r in runs) else ""))
    if all("failure_causes" in r for r in runs):
        keys = sorted({k for r in runs for k in r["failure_causes"]})
        print("failures by cause: " + ", ".join(
            f"{k} {np.mean([r['failure_causes'].get(k, 0.0) for r in runs]):.1%}" for k in keys))
    print("firms_alive: " + ", ".join(f"month {m}: {_mean(runs, 'alive', m):.0f}" for m in runs[0]["alive"])
          + f"; largest deviation from month 12 within months 12-120: {_mean(runs, 'alive_max_dev_12_120'):.1%}"
          " (target <= 15%)")
    print(f"operating firms at the end: revenue / costs {_mean(runs, 'revenue_over_costs'):.2f}; "
          f"cash {_mean(runs, 'cash'):.0f} m yuan against debt {_mean(runs, 'debt'):.0f} m yuan")
    if a.long_seeds > 0:
        sl = load_scenario(a.scenario, months=a.long_months, firms=a.long_firms)
        longs = [long_run(sl, s) for s in range(1, a.long_seeds + 1)]
        report["long"] = longs
        print(f"largest firm in {a.long_months}-month runs of {a.long_firms} firms (max over seeds): "
              f"{max(r['max_annual_revenue'] for r in longs):,.0f} m yuan a year, "
              f"{max(r['max_staff'] for r in longs):,.0f} staff (target: revenue below 20,000 m yuan)")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=1)
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
