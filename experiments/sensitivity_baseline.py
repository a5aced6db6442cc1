"""Which uncertain assumptions matter: a Morris screening of the baseline, with the exemption's effect.

Screens the baseline over seven assumptions that are uncertain or calibrated
(the loan officer's personal penalty, the screening effort lost under
guarantee or pool cover and under the due-diligence exemption, the banks' risk
premium, how much quality lowers the failure hazard, the rate of setbacks and
the chance that a firm in need applies) on the figures a policymaker reads:
credit access, defaults per loan, the NPL ratio after year 2, the public cost,
and the due-diligence exemption's effect on credit access and on defaults per
loan (exemption on minus off).

The exemption's effect is paired: the same Morris design (same trajectories,
same root seed) runs twice, once as the baseline (exemption on) and once with
``exemption.enabled = false``, on the same seeds (common random numbers); each
design point's effect is the difference of its two seed means, and Morris's
elementary effects are computed on that difference, so ``banks.officer_penalty``'s
share in the size of the exemption's effect shows.

Writes ``sensitivity.csv`` (one row per outcome × parameter: μ*, the half-width
and bounds of its 95% bootstrap CI, μ, σ), ``outputs.csv`` (the design and each
point's outcomes), ``by_penalty.csv`` (the exemption's effects averaged at each
level of the penalty) and the two result stores (``on/``, ``off/``) into
``--out``, and prints a markdown table (μ* [95% CI] per parameter and outcome)
and the effects by penalty. Rerunning
resumes: runs already stored are skipped.

Run::

    .venv/bin/python experiments/sensitivity_baseline.py --samples 8 --seeds 2 --firms 2000 --months 120 \\
        --executor processes --workers 2 --out results/sensitivity_baseline
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ecosim.experiments.seeds import DEFAULT_ROOT
from ecosim.experiments.sensitivity import SensitivityResult, analyse, sensitivity
from ecosim.experiments.sweeps import parse_params

#: The uncertain assumptions screened, with their ranges (inside the schema's bounds, around the calibrated values
#: of ``calibrated.toml`` or the schema defaults).
PARAMS: list[str] = [
    "banks.officer_penalty=0.2:1.6",  # 0.7 × 0.35 × 2.25 ≈ 0.6; the documented range
    "banks.screening_cover_cut=0.5:1.0",  # default 1.0, the upper bound
    "banks.screening_exempt_cut=0.2:0.6",  # default 0.4
    "banks.risk_premium=0.35:1.35",  # calibrated 0.66 (half to double)
    "firms.quality_hazard_slope=0.8:1.5",  # calibrated 1.25; the calibration's evidence-based bounds
    "risk.shock_rate=0.0054:0.0215",  # calibrated 0.0107 (half to double)
    "firms.apply_probability=0.4:0.8",  # calibrated 0.58 (±0.2, inside the calibration's bounds 0.2-1.0)
]

#: Outcomes read from the baseline runs (exemption on): summary key → label.
LEVELS: dict[str, str] = {
    "mean_credit_access_rate": "credit access",
    "loan_default_share": "defaults per loan",
    "mean_npl_ratio_after_year_2": "NPL ratio after year 2",
    "total_public_cost_total": "public cost (m yuan)",
}

#: Paired exemption effects (on − off): outcome name → (summary key, label).
EFFECTS: dict[str, tuple[str, str]] = {
    "exemption_effect_credit_access": ("mean_credit_access_rate", "exemption's effect on credit access"),
    "exemption_effect_default_share": ("loan_default_share", "exemption's effect on defaults per loan"),
}

#: Every outcome of the table, in order, with its label.
OUTCOMES: dict[str, str] = {**LEVELS, **{k: label for k, (_, label) in EFFECTS.items()}}

TABLE_COLUMNS = ["outcome", "label", "param", "mu_star", "mu_star_conf", "mu_star_low", "mu_star_high", "mu", "sigma"]


def _run(on: bool, args: argparse.Namespace, out: Path) -> SensitivityResult:
    return sensitivity(
        "baseline", PARAMS, method="morris", samples=args.samples, seeds=args.seeds, months=args.months,
        firms=args.firms, overrides={"exemption.enabled": on}, executor=args.executor, workers=args.workers,
        out=out / ("on" if on else "off"), metrics=list(LEVELS), root_seed=args.root_seed, progress=False,
    )


def morris_table(on: SensitivityResult, off: SensitivityResult, root_seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Morris indices of the levels (exemption on) and of the paired exemption effects (on − off).

    Args:
        on: The screening with the exemption on (the baseline).
        off: The same design and seeds with the exemption off.
        root_seed: Root seed of the design (seeds the bootstrap of the CIs).

    Returns:
        The table (:data:`TABLE_COLUMNS`, one row per outcome × parameter) and the per-point outputs
        (design columns and every outcome).
    """
    plist = parse_params(PARAMS)
    keys = [p.key for p in plist]
    if not on.samples[keys].equals(off.samples[keys]):
        raise RuntimeError("the two screenings did not run the same design")
    outputs = on.samples.merge(on.outputs, on="point")
    paired = on.outputs.set_index("point") - off.outputs.set_index("point")
    for name, (metric, _) in EFFECTS.items():
        outputs[name] = outputs["point"].map(paired[metric])
    X = on.samples[keys].to_numpy(dtype=float)
    problem = {"num_vars": len(keys), "names": keys, "bounds": [[p.low, p.high] for p in plist]}
    seed = int(root_seed % (2**32))
    rows = []
    for outcome, label in OUTCOMES.items():
        Y = outputs[outcome].to_numpy(dtype=float)
        if not np.isfinite(Y).all():
            raise RuntimeError(f"{outcome}: undefined at some design points (too short a horizon, or failed runs)")
        for key, idx in zip(keys, analyse("morris", problem, X, Y, seed), strict=True):
            rows.append({"outcome": outcome, "label": label, "param": key, **idx})
    table = pd.DataFrame(rows)
    table["mu_star_low"] = table["mu_star"] - table["mu_star_conf"]
    table["mu_star_high"] = table["mu_star"] + table["mu_star_conf"]
    return table[TABLE_COLUMNS], outputs


def _fmt(v: float, scale: float) -> str:
    return f"{v * scale:.3g}"


def markdown(table: pd.DataFrame, outputs: pd.DataFrame) -> str:
    """A markdown table: one row per parameter, one column per outcome, cells ``μ* [95% CI]``.

    Shares are shown in percentage points; the public cost in million yuan. A last row gives each
    outcome's mean over the design points, for scale.
    """
    pct = {o: 100.0 for o in OUTCOMES if o != "total_public_cost_total"}
    unit = {o: (" (pp)" if o in pct else "") for o in OUTCOMES}
    head = "| parameter (range) | " + " | ".join(f"{OUTCOMES[o]}{unit[o]}" for o in OUTCOMES) + " |"
    lines = [head, "|---" * (len(OUTCOMES) + 1) + "|"]
    ranges = {p.key: f"{p.low:g}–{p.high:g}" for p in parse_params(PARAMS)}
    for key, rng in ranges.items():
        cells = []
        for o in OUTCOMES:
            r = table[(table["outcome"] == o) & (table["param"] == key)].iloc[0]
            s = pct.get(o, 1.0)
            cells.append(f"{_fmt(r['mu_star'], s)} [{_fmt(max(r['mu_star_low'], 0.0), s)}, "
                         f"{_fmt(r['mu_star_high'], s)}]")
        lines.append(f"| `{key}` ({rng}) | " + " | ".join(cells) + " |")
    means = [_fmt(float(outputs[o].mean()), pct.get(o, 1.0)) for o in OUTCOMES]
    lines.append("| *mean over the design* | " + " | ".join(means) + " |")
    return "\n".join(lines)


def effect_by_penalty(outputs: pd.DataFrame) -> pd.DataFrame:
    """The exemption's paired effects averaged over the design points at each level of the officer's penalty.

    Morris trajectories visit four levels of each parameter; at each penalty level the other assumptions
    vary across the design, so this is the effect's mean over them (with the number of points).
    """
    key = "banks.officer_penalty"
    g = outputs.groupby(key)[list(EFFECTS)]
    return g.mean().join(g.size().rename("points")).reset_index()


def main(argv: Sequence[str] | None = None) -> pd.DataFrame:
    """Run both screenings, write ``sensitivity.csv`` and ``outputs.csv``, print the markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=8, help="Morris trajectories (at least 4)")
    ap.add_argument("--seeds", type=int, default=2, help="common seeds per design point")
    ap.add_argument("--months", type=int, default=120, help="horizon of each run (more than 24)")
    ap.add_argument("--firms", default="2000", help="initial startups (a number or a size preset)")
    ap.add_argument("--executor", default="processes", help="serial, processes or dask")
    ap.add_argument("--workers", type=int, default=None, help="worker processes")
    ap.add_argument("--root-seed", type=int, default=DEFAULT_ROOT, help="root of the design and of the seeds")
    ap.add_argument("--out", default="results/sensitivity_baseline", help="results folder")
    args = ap.parse_args(list(argv) if argv is not None else None)
    out = Path(args.out)
    on = _run(True, args, out)
    off = _run(False, args, out)
    table, outputs = morris_table(on, off, args.root_seed)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "sensitivity.csv", index=False)
    outputs.to_csv(out / "outputs.csv", index=False)
    by_penalty = effect_by_penalty(outputs)
    by_penalty.to_csv(out / "by_penalty.csv", index=False)
    print(markdown(table, outputs))
    print("\nThe exemption's effects by officer's penalty (mean over the design points at that level):\n")
    print(by_penalty.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"\n{len(outputs)} design points × {args.seeds} seeds × 2 (exemption on, off); "
          f"wrote sensitivity.csv, outputs.csv and by_penalty.csv into {out}")
    return table


if __name__ == "__main__":
    main()
