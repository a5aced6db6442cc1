"""Export of a results folder: query results to CSV or Parquet, and the whole store to an xarray Dataset.

- :func:`export_query` runs a DuckDB query over the store's views (``runs``,
  ``monthly``, ``failures``) and writes the result as CSV or Parquet. The
  query text is the user's own; values it needs can be bound with ``?``
  placeholders (``params``). Output paths are never put into SQL.
- :func:`to_xarray` gives the store as an ``xarray.Dataset`` with dimensions
  ``run`` × ``month``: one data variable per monthly metric (``ds.to_array("metric")``
  gives the runs × months × metrics array), each run's summary figures as
  ``summary_<key>`` variables over ``run``, and as coordinates over ``run`` its
  key, scenario, seed, seed index and every sweep parameter (policy levers and
  uncertainties, with their role in the variable's attributes).
  :func:`write_netcdf` writes it with the ``h5netcdf`` engine.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ecosim.experiments.store import ResultStore
from ecosim.scenario import ScenarioError

#: Formats :func:`export_query` writes, by file suffix.
TABLE_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
#: Formats :func:`export_store` writes.
STORE_FORMATS = ("xarray",)
_FRONT = ("key", "scenario", "seed", "month")


def open_store(path: str | Path) -> ResultStore:
    """The store of a results folder.

    Raises:
        ScenarioError: ``path`` is not a results folder.
    """
    path = Path(path)
    if not (path / "store.json").exists():
        raise ScenarioError(f"'{path}' is not a results folder (no store.json)")
    return ResultStore(path)


def export_query(store: ResultStore, sql: str, out: str | Path, *, fmt: str | None = None,
                 params: list | None = None) -> pd.DataFrame:
    """Run a query over the store and write its result.

    Args:
        store: The result store.
        sql: A DuckDB query over ``runs``, ``monthly`` and ``failures``.
        out: Output file.
        fmt: ``csv`` or ``parquet`` (default: from the suffix of ``out``).
        params: Values bound to ``?`` placeholders of the query.

    Returns:
        The result table.

    Raises:
        ScenarioError: Unknown format.
    """
    out = Path(out)
    fmt = fmt or TABLE_FORMATS.get(out.suffix.lower())
    if fmt not in ("csv", "parquet"):
        raise ScenarioError(f"output '{out}': format must be csv or parquet (from the suffix .csv or .parquet)")
    df = store.query(sql, params, sandbox=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        df.to_csv(out, index=False)
    else:
        df.to_parquet(out, index=False)
    return df


def _roles(store: ResultStore) -> dict[str, str]:
    info = store.path / "experiment.json"
    if info.exists():
        return dict(json.loads(info.read_text()).get("roles", {}))
    return {}


def to_xarray(store: ResultStore, metrics: list[str] | None = None):
    """The store as an ``xarray.Dataset`` (runs × months; parameters as coordinates).

    Args:
        store: The result store.
        metrics: Monthly metrics to include (default: all).

    Returns:
        ``xarray.Dataset``. Months a run did not reach are NaN.

    Raises:
        ScenarioError: The store holds no completed run.
    """
    import xarray as xr

    runs = store.runs().sort_values(["scenario", "seed_index", "key"]).reset_index(drop=True)
    if runs.empty:
        raise ScenarioError(f"'{store.path}' holds no completed runs")
    monthly = store.monthly(columns=metrics)
    value_cols = [c for c in monthly.columns if c not in _FRONT and monthly[c].dtype.kind in "fiub"]
    months = np.sort(monthly["month"].unique())
    run_pos = pd.Series(np.arange(len(runs)), index=runs["key"])
    month_pos = pd.Series(np.arange(len(months)), index=months)
    i = run_pos.loc[monthly["key"]].to_numpy()
    j = month_pos.loc[monthly["month"]].to_numpy()
    data = {}
    for col in value_cols:
        grid = np.full((len(runs), len(months)), np.nan)
        grid[i, j] = monthly[col].to_numpy(dtype=float)
        data[col] = (("run", "month"), grid)
    meta = {"key", "scenario", "seed", "seed_index", "months", "firms", "scenario_hash", "version", "git_commit",
            "params", "wall_seconds", "host", "finished_at"}
    for col in runs.columns:
        if col not in meta and runs[col].dtype.kind in "fiub":
            data[f"summary_{col}"] = (("run",), runs[col].to_numpy(dtype=float))
    coords = {"run": np.arange(len(runs)), "month": months,
              "key": ("run", runs["key"].astype(str).to_numpy()),
              "scenario": ("run", runs["scenario"].astype(str).to_numpy()),
              "seed": ("run", runs["seed"].to_numpy(dtype=np.int64)),
              "seed_index": ("run", runs["seed_index"].to_numpy(dtype=np.int64)),
              "firms": ("run", runs["firms"].to_numpy(dtype=np.int64))}
    params = pd.DataFrame([json.loads(p) if p else {} for p in runs["params"]])
    roles = _roles(store)
    for col in params.columns:
        values = params[col]
        if values.map(lambda v: isinstance(v, bool)).all():
            arr = values.astype(bool).to_numpy()
        elif values.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool)).all():
            arr = values.to_numpy(dtype=float)
        else:
            arr = values.astype(str).to_numpy()
        coords[col] = ("run", arr)
    ds = xr.Dataset(data, coords=coords)
    for col in params.columns:
        ds[col].attrs["role"] = roles.get(col, "parameter")
    ds.attrs.update({"title": "ecosim results", "source": str(store.path), "runs": len(runs),
                     "levers": ",".join(k for k, r in roles.items() if r == "lever"),
                     "uncertainties": ",".join(k for k, r in roles.items() if r == "uncertainty")})
    return ds


def write_netcdf(store: ResultStore, out: str | Path, metrics: list[str] | None = None):
    """Write :func:`to_xarray` of the store to a netCDF-4 file (``h5netcdf`` engine); returns the Dataset."""
    ds = to_xarray(store, metrics)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # parameter names contain dots; netCDF allows them, and xarray keeps them as written
    ds.to_netcdf(out, engine="h5netcdf")
    return ds


def export_store(store: ResultStore, to: str, out: str | Path):
    """Write the whole store in another form (``to="xarray"``: a netCDF file).

    Raises:
        ScenarioError: Unknown form.
    """
    if to not in STORE_FORMATS:
        raise ScenarioError(f"--to {to}: must be one of {', '.join(STORE_FORMATS)}")
    return write_netcdf(store, out)
