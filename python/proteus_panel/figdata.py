"""The data behind each figure, as tables of the plotted points. Means, intervals, Wilson
bands and VaR/CVaR come from the report (report.json, or the panel's /summary and /contrasts)
whenever it has them, so the plotted numbers are the report's numbers; values the report does
not hold are computed from the ok runs by the report's rules (docs/statistics.md) and marked
`source = "runs"`."""
from __future__ import annotations

import math
import re
from statistics import NormalDist

import numpy as np
import pandas as pd

from .panel import Panel
from .report import Source


class NotApplicable(Exception):
    """The figure does not apply to this panel (the message says why)."""


# --- axes and series ---------------------------------------------------------------------

def numeric_axes(panel: Panel) -> list:
    """Swept keys stored as float64 (numbers; NaN where a mechanism's axis does not apply)."""
    return [a for a in panel.axes if panel.cells[a].dtype.kind == "f"]


def choose_x_axis(panel: Panel, cells=None) -> str | None:
    """The numeric swept axis with the most distinct values among `cells` (first on ties)."""
    table = panel.cells if cells is None else panel.cells.loc[list(cells)]
    best, best_count = None, 1
    for a in numeric_axes(panel):
        count = table[a].dropna().nunique()
        if count > best_count:
            best, best_count = a, count
    return best


def short_name(key: str) -> str:
    return key.rsplit(".", 1)[-1]


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _applies(v) -> bool:
    if isinstance(v, float):
        return not math.isnan(v)
    if isinstance(v, (int, np.integer)):
        return int(v) != 255  # boolean axes: 255 = not applicable
    return v != ""


def series_labels(panel: Panel, cells, x: str | None) -> list:
    """One line per mechanism, split further by every other axis that varies among `cells`."""
    cells = list(cells)
    table = panel.cells.loc[cells]
    # run.mechanism, when swept, is the mechanism column again.
    others = [a for a in panel.axes if a not in (x, "run.mechanism")
              and table[a].nunique(dropna=True) > 1]
    labels = []
    for c in cells:
        row = panel.cells.loc[c]
        parts = [str(row["mechanism"])]
        parts += [f"{short_name(a)}={_fmt(row[a])}" for a in others if _applies(row[a])]
        labels.append(", ".join(parts))
    return labels


def _attach_cells(panel: Panel, df: pd.DataFrame, x: str | None) -> pd.DataFrame:
    cells = df["cell"].astype(int).tolist()
    df["mechanism"] = panel.cells.loc[cells, "mechanism"].values
    df["x"] = panel.cells.loc[cells, x].values.astype(float) if x else np.nan
    df["series"] = series_labels(panel, cells, x)
    return df


def _summary_rows(source: Source, metric: str) -> pd.DataFrame:
    s = source.summary
    if s is None or "metric" not in s:
        raise NotApplicable("the panel has no report summary (run `proteus report` first)")
    rows = s[s["metric"] == metric]
    if rows.empty:
        raise NotApplicable(f"the report has no summary rows for {metric}")
    return rows.reset_index(drop=True)


def summary_metrics(source: Source) -> list:
    """The report's metrics in report order."""
    if source.summary is None or "metric" not in source.summary:
        return []
    return list(dict.fromkeys(source.summary["metric"]))


def contrast_metrics(source: Source) -> list:
    if source.contrasts is None or "metric" not in source.contrasts:
        return []
    return list(dict.fromkeys(source.contrasts["metric"]))


# --- per-cell means along a swept axis ------------------------------------------------------

def means_data(source: Source, metric: str, x: str | None = None) -> pd.DataFrame:
    """Per cell: mean and Student interval of `metric` from the report, the cell's value on
    the x axis (NaN for cells the axis does not apply to) and its series (mechanism, ...)."""
    rows = _summary_rows(source, metric)
    x = x or choose_x_axis(source.panel, rows["cell"].astype(int))
    df = rows[["cell", "label", "n", "mean", "ci_low", "ci_high"]].copy()
    if not np.isfinite(df["mean"].to_numpy(dtype=float)).any():
        raise NotApplicable(f"{metric} is undefined in every cell")
    df = _attach_cells(source.panel, df, x)
    df.attrs.update(metric=metric, x_axis=x)
    return df


# --- forest plot of paired contrasts ---------------------------------------------------------

FOREST_COLUMNS = ["cell", "baseline_cell", "label", "baseline_label", "n", "mean_diff",
                  "ci_low", "ci_high", "vrf", "p_adjusted"]


def forest_data(source: Source, metric: str) -> pd.DataFrame:
    """The report's paired contrasts of `metric`: difference, paired interval and VRF."""
    c = source.contrasts
    if c is None or "metric" not in c or (c["metric"] == metric).sum() == 0:
        raise NotApplicable(f"the report has no contrasts for {metric}")
    df = c[c["metric"] == metric][FOREST_COLUMNS].reset_index(drop=True)
    if not np.isfinite(df["mean_diff"].to_numpy(dtype=float)).any():
        raise NotApplicable(f"no contrast of {metric} is defined (no paired finite values)")
    df.attrs.update(metric=metric)
    return df


# --- adverse-selection decomposition ----------------------------------------------------------

CLASSES = ("informed", "noise", "sniper")
# mm_pnl = mm_spread_pnl - sum mm_adverse_<class> + mm_fee_pnl (docs/metrics.md).
PNL_PARTS = ([(f"mm_spread_{k}", 1.0, f"spread vs {k}") for k in CLASSES]
             + [(f"mm_adverse_{k}", -1.0, f"- adverse {k}") for k in CLASSES]
             + [("mm_fee_pnl", 1.0, "fees")])


def horizon_ms(column: str) -> float | None:
    """The horizon of an `as_loss_<h>` column in ms (`1s`, `100ms`, `0p5ms`)."""
    m = re.fullmatch(r"as_loss_([0-9p]+)(ms|s)", column)
    if not m:
        return None
    value = float(m.group(1).replace("p", "."))
    return value * 1000.0 if m.group(2) == "s" else value


def nearest_horizon(panel: Panel, target_ms: float = 1000.0) -> str | None:
    """The suffix (`1s`) of the as_loss column nearest 1 s, as the report's default."""
    best = None
    for col in panel.runs.columns:
        h = horizon_ms(col)
        if h is not None and (best is None or abs(h - target_ms) < abs(best[0] - target_ms)):
            best = (h, col[len("as_loss_"):])
    return None if best is None else best[1]


def _cell_mean(source: Source, metric: str, cell: int) -> tuple:
    """The report's mean of `metric` in `cell`, else the mean of the ok, finite runs."""
    s = source.summary
    if s is not None and "metric" in s:
        hit = s[(s["metric"] == metric) & (s["cell"] == cell)]
        if len(hit):
            return float(hit["mean"].iloc[0]), "summary"
    ok = source.panel.ok()
    v = ok.loc[ok["cell"] == cell, metric].to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    return (float(np.mean(v)) if v.size else math.nan), "runs"


def decomposition_data(source: Source) -> pd.DataFrame:
    """Per cell: the market makers' P&L split into spread earned and adverse price impact by
    counterparty class plus fees (part "pnl", the parts sum to mm_pnl), and the adverse-
    selection loss at the horizon nearest 1 s by class (part "as", sums to as_loss_<h>)."""
    panel = source.panel
    needed = [m for m, _, _ in PNL_PARTS] + ["mm_pnl"]
    missing = [m for m in needed if m not in panel.runs.columns]
    if missing:
        raise NotApplicable(f"the panel has no {', '.join(missing)} columns")
    h = nearest_horizon(panel)
    as_parts = []
    if h is not None:
        as_parts = [(f"as_{k}_{h}", 1.0, f"{k}") for k in CLASSES
                    if f"as_{k}_{h}" in panel.runs.columns]
    out = []
    for cell in panel.cells.index:
        label, mech = panel.cells.loc[cell, "label"], panel.cells.loc[cell, "mechanism"]
        for group, parts, total in (("pnl", PNL_PARTS, "mm_pnl"),
                                    ("as", as_parts, f"as_loss_{h}")):
            if not parts:
                continue
            for metric, sign, part in parts + [(total, 1.0, "total")]:
                mean, src = _cell_mean(source, metric, int(cell))
                out.append(dict(cell=int(cell), label=label, mechanism=mech, group=group,
                                metric=metric, part=part, sign=sign, mean=mean,
                                value=sign * mean, source=src))
    df = pd.DataFrame(out)
    df.attrs.update(horizon=h)
    return df


# --- survival ------------------------------------------------------------------------------

def wilson(k: int, n: int, level: float) -> tuple:
    """Wilson score interval of k successes in n (the report's rule for proportions)."""
    if n == 0:
        return math.nan, math.nan
    z = NormalDist().inv_cdf(1.0 - (1.0 - level) / 2.0)
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half


def survival_data(source: Source, x: str | None = None) -> pd.DataFrame:
    """Per cell: kill probability 1 - mean(mm_survival) and its Wilson band
    [1 - wilson_high, 1 - wilson_low] from the report, along the x axis."""
    panel = source.panel
    if "mm_survival" not in panel.runs.columns:
        raise NotApplicable("the panel has no mm_survival column")
    s = source.summary
    rows = []
    for cell in panel.cells.index:
        hit = None
        if s is not None and "metric" in s:
            hit = s[(s["metric"] == "mm_survival") & (s["cell"] == cell)]
        if hit is not None and len(hit):
            r = hit.iloc[0]
            mean, lo, hi, n, src = r["mean"], r["wilson_low"], r["wilson_high"], r["n"], "summary"
        else:
            ok = panel.ok()
            v = ok.loc[ok["cell"] == cell, "mm_survival"].to_numpy(dtype=float)
            v = v[np.isfinite(v)]
            n = v.size
            mean = float(np.mean(v)) if n else math.nan
            lo, hi = wilson(int(v.sum()), n, source.level)
            src = "runs"
        rows.append(dict(cell=int(cell), label=panel.cells.loc[cell, "label"], n=int(n),
                         survival=float(mean), kill=1.0 - float(mean), kill_low=1.0 - float(hi),
                         kill_high=1.0 - float(lo), source=src))
    df = pd.DataFrame(rows)
    x = x or choose_x_axis(panel)
    df = _attach_cells(panel, df, x)
    df.attrs.update(x_axis=x)
    return df


def survival_curves(source: Source) -> pd.DataFrame:
    """Per cell, the share of ok runs whose market makers are still alive at time t (a step
    function from mm_time_to_kill of the killed runs); it ends at mean(mm_survival)."""
    panel = source.panel
    for col in ("mm_survival", "mm_time_to_kill"):
        if col not in panel.runs.columns:
            raise NotApplicable(f"the panel has no {col} column")
    ok = panel.ok()
    ok = ok[np.isfinite(ok["mm_survival"]) & np.isfinite(ok["mm_time_to_kill"])]
    end = float(ok["mm_time_to_kill"].max()) if len(ok) else 0.0
    series = dict(zip(panel.cells.index, series_labels(panel, panel.cells.index, None)))
    out = []
    for cell, runs in ok.groupby("cell", sort=True):
        n = len(runs)
        times = np.sort(runs.loc[runs["mm_survival"] == 0, "mm_time_to_kill"].to_numpy())
        out.append(dict(cell=int(cell), t=0.0, survival=1.0, series=series[cell], n=n))
        for i, t in enumerate(times, start=1):
            out.append(dict(cell=int(cell), t=float(t), survival=1.0 - i / n,
                            series=series[cell], n=n))
        out.append(dict(cell=int(cell), t=end, survival=1.0 - len(times) / n,
                        series=series[cell], n=n))
    return pd.DataFrame(out)


# --- P&L and drawdown tails ----------------------------------------------------------------

TAIL_METRICS = ("mm_pnl", "mm_max_drawdown", "profit")  # profit: the as2008 environment
TAIL_FIELDS = ("var_5", "cvar_5", "var_1", "cvar_1")


def is_loss_metric(metric: str) -> bool:
    """Loss metrics (drawdown) have the loss as the value; P&L-like ones its negative."""
    return "drawdown" in metric


def tail_risk(values: np.ndarray, loss: bool) -> dict:
    """VaR/CVaR at 95% and 99% by the report's rule: type-7 quantile of the losses and the
    mean of the losses at or above it."""
    losses = values if loss else -values
    out = {}
    for field, level in (("5", 0.95), ("1", 0.99)):
        if losses.size == 0:
            out[f"var_{field}"] = out[f"cvar_{field}"] = math.nan
            continue
        var = float(np.quantile(losses, level))
        out[f"var_{field}"] = var
        out[f"cvar_{field}"] = float(np.mean(losses[losses >= var]))
    return out


def tails_data(source: Source, metrics=TAIL_METRICS) -> pd.DataFrame:
    """Per metric and cell: VaR/CVaR (as positive losses) and where they sit on the value
    axis (-loss for P&L, +loss for drawdowns)."""
    panel = source.panel
    present = [m for m in metrics if m in panel.runs.columns]
    if not present:
        raise NotApplicable(f"the panel has none of {', '.join(metrics)}")
    s = source.summary
    ok = panel.ok()
    rows = []
    for metric in present:
        loss = is_loss_metric(metric)
        for cell in panel.cells.index:
            hit = None
            if s is not None and "metric" in s and "var_5" in s:
                hit = s[(s["metric"] == metric) & (s["cell"] == cell)]
            if hit is not None and len(hit) and np.isfinite(hit["var_5"].iloc[0]):
                risk = {f: float(hit[f].iloc[0]) for f in TAIL_FIELDS}
                src = "summary"
            else:
                v = ok.loc[ok["cell"] == cell, metric].to_numpy(dtype=float)
                risk = tail_risk(v[np.isfinite(v)], loss)
                src = "runs"
            sign = 1.0 if loss else -1.0
            rows.append(dict(metric=metric, cell=int(cell), label=panel.cells.loc[cell, "label"],
                             loss_metric=loss, **risk,
                             **{f"{f}_at": sign * risk[f] for f in TAIL_FIELDS}, source=src))
    return pd.DataFrame(rows)


# --- RFQ frontier (report.json "frontier") ---------------------------------------------------
#
# `proteus experiment run` (docs/experiments.md) writes each frontier cell as
#   {"cell", "label", "protection_metric", "protection", "protection_ci": [lo, hi],
#    "error_metric", "error", "error_ci": [lo, hi], "on_front"}
# (protection: the fall of the protection metric against the baseline; error: the cell's mean
# of the error metric), the front in "frontier" and every cell in "frontier_candidates".
# Entries of the form {"cell", "label", "objectives": {metric: {"mean", "ci_low", "ci_high"}}}
# are read too (first objective x, second y).

_NOT_OBJECTIVES = {"cell", "label", "mechanism", "rank", "dominated", "on_front"}


def _num(v) -> float:
    return math.nan if v is None else float(v)


def _pair(v) -> tuple:
    if isinstance(v, (list, tuple)) and len(v) == 2:
        return _num(v[0]), _num(v[1])
    return math.nan, math.nan


def _frontier_point(e: dict) -> tuple:
    """((x, x_low, x_high), (y, y_low, y_high), x axis, y axis) of one entry; an axis is
    (metric, title)."""
    if "protection" in e and "error" in e:
        em, pm = e.get("error_metric", "error"), e.get("protection_metric", "protection")
        return ((_num(e["error"]), *_pair(e.get("error_ci"))),
                (_num(e["protection"]), *_pair(e.get("protection_ci"))),
                (em, f"error: mean {em}"), (pm, f"protection: fall of {pm} vs baseline"))
    body = e.get("objectives") or e.get("metrics") or e
    obj = []
    for name, v in body.items():
        if name in _NOT_OBJECTIVES:
            continue
        if isinstance(v, dict) and "mean" in v:
            obj.append((name, (_num(v["mean"]), _num(v.get("ci_low", v.get("low"))),
                               _num(v.get("ci_high", v.get("high"))))))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            obj.append((name, (float(v), math.nan, math.nan)))
    if len(obj) < 2:
        raise NotApplicable("a frontier entry names fewer than two objectives")
    (xm, x), (ym, y) = obj[0], obj[1]
    return x, y, (xm, xm), (ym, ym)


def _frontier_table(entries: list) -> pd.DataFrame:
    rows, axes = [], None
    for e in entries:
        (x, xl, xh), (y, yl, yh), xa, ya = _frontier_point(e)
        axes = axes or (xa, ya)
        rows.append(dict(cell=e.get("cell"), label=e.get("label", str(e.get("cell"))),
                         x=x, x_low=xl, x_high=xh, y=y, y_low=yl, y_high=yh,
                         on_front=bool(e.get("on_front", True))))
    df = pd.DataFrame(rows)
    if axes:
        df.attrs.update(x_metric=axes[0][0], x_title=axes[0][1], y_metric=axes[1][0],
                        y_title=axes[1][1])
    return df


def _missing_key(source: Source, key: str) -> str:
    if source.folder is None:
        return f'a panel file has no report.json "{key}"'
    return f'report.json has no "{key}"'


def frontier_data(source: Source) -> pd.DataFrame:
    """The cells on the Pareto front as report.json lists them, with their intervals."""
    front = source.report.get("frontier")
    if not front:
        raise NotApplicable(_missing_key(source, "frontier") + " (RFQ experiments only)")
    return _frontier_table(front)


def frontier_background(source: Source, x_metric: str, y_metric: str) -> pd.DataFrame:
    """Every candidate cell (report.json "frontier_candidates"), or, without that key, every
    cell's report means of the two objectives (drawn in grey behind the front)."""
    candidates = source.report.get("frontier_candidates")
    if candidates:
        return _frontier_table(candidates)[["cell", "x", "y"]]
    s = source.summary
    if s is None or "metric" not in s:
        return pd.DataFrame(columns=["cell", "x", "y"])
    a = s[s["metric"] == x_metric][["cell", "mean"]].rename(columns={"mean": "x"})
    b = s[s["metric"] == y_metric][["cell", "mean"]].rename(columns={"mean": "y"})
    return a.merge(b, on="cell")


# --- adaptive precision trace (report.json "precision") --------------------------------------
#
# `proteus experiment run` writes "precision": {"target": ["mm_pnl=0.05",
# "contrast:as_loss_1s=0.02", ...], "trace": [{"block", "repetitions", "max_half_width" (of the
# first target), "max_ratio" (largest half-width / target), "cells_meeting_target", "targets"}],
# "cells": [...], "capped_cells": [...], "primary_endpoint": [{"cell", "label", "metric", "n",
# "half_width"}], ...}. A number or {"absolute": h} as "target" is read too.

def parse_target(target) -> tuple:
    """(metric or None, half-width or None, is_contrast) of the first target."""
    if isinstance(target, list):
        target = target[0] if target else None
    if isinstance(target, (int, float)) and not isinstance(target, bool):
        return None, float(target), False
    if isinstance(target, dict):
        for key in ("absolute", "half_width", "value"):
            if isinstance(target.get(key), (int, float)):
                return target.get("metric"), float(target[key]), False
        return target.get("metric"), None, False
    if isinstance(target, str) and "=" in target:
        name, value = target.rsplit("=", 1)
        contrast = name.startswith("contrast:")
        try:
            return name.split(":", 1)[-1], float(value), contrast
        except ValueError:
            return name.split(":", 1)[-1], None, contrast
    return None, None, False


def precision_data(source: Source) -> pd.DataFrame:
    """One row per precision block: repetitions per cell, the largest interval half-width of
    the first target, how many targets are met; attrs: the first target (metric, value) and
    the capped cells."""
    prec = source.report.get("precision")
    if not prec or not prec.get("trace"):
        raise NotApplicable(_missing_key(source, "precision") + " trace (run with --target)")
    df = pd.DataFrame(prec["trace"])
    for col in ("block", "repetitions", "max_half_width", "cells_meeting_target"):
        if col not in df:
            raise NotApplicable(f'"precision" trace entries have no "{col}"')
    metric, value, contrast = parse_target(prec.get("target"))
    df.attrs.update(target=value, target_metric=metric or prec.get("metric"),
                    target_contrast=contrast, target_raw=prec.get("target"),
                    capped_cells=prec.get("capped_cells", []))
    return df


def precision_endpoint_data(source: Source) -> pd.DataFrame:
    """Without a --target trace: the primary endpoint's interval half-width per cell
    (report.json "precision"."primary_endpoint")."""
    prec = source.report.get("precision") or {}
    rows = prec.get("primary_endpoint") or []
    if not rows:
        raise NotApplicable(_missing_key(source, "precision") + " trace or primary_endpoint")
    df = pd.DataFrame(rows)
    df["half_width"] = df["half_width"].map(_num)
    return df
