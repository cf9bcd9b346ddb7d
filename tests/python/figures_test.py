#!/usr/bin/env python3
"""Tests of python/proteus_panel and proteus-plot (ctest Figures.*): the data behind every
figure equals `proteus report --format json`, each figure renders a non-empty PNG, and
index.html loads every image in headless Chromium.

usage: figures_test.py CASE PROTEUS PROTEUS_PLOT REPO_DIR WORK_DIR
The `setup` case builds the shared fixtures in WORK_DIR (real panels from the shipped sweep
configs with few repetitions and short runs, and experiment folders whose report.json is the
report's JSON plus small hand-written "experiment", "verdicts", "precision" and "frontier" keys).
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

CASE, PROTEUS, PLOT, REPO, WORK = sys.argv[1:6]
sys.path.insert(0, os.path.join(REPO, "python"))

try:
    import h5py  # noqa: F401
    import matplotlib  # noqa: F401
    import numpy as np
    import pandas as pd  # noqa: F401
except ImportError as e:  # never skip: say what is missing and fail
    sys.exit(f"FAIL: {sys.executable} cannot import {e.name}: install python3-h5py, "
             "python3-pandas and python3-matplotlib (scripts/install-deps.sh) or configure "
             "with -DPROTEUS_PYTHON=<an interpreter that has them>")

from proteus_panel import figdata as fd  # noqa: E402
from proteus_panel import load, open_source, plots  # noqa: E402
from proteus_panel.report import Source  # noqa: E402

FIX = os.path.join(WORK, "fixtures")
FAILURES = []

# Metrics the decomposition and tail figures use, reported on top of the default ones.
DECOMP = ["mm_spread_informed", "mm_spread_noise", "mm_spread_sniper", "mm_adverse_informed",
          "mm_adverse_noise", "mm_adverse_sniper", "mm_fee_pnl", "as_informed_1s",
          "as_noise_1s", "as_sniper_1s"]
EXTRA = ["mm_pnl"] + DECOMP + ["mm_max_drawdown", "mm_time_to_kill"]


def report_metrics(report):
    return list(dict.fromkeys(r["metric"] for r in report["summary"]))


def with_extra(default):
    """The report's default metrics plus those the figures need (each once, default order)."""
    return default + [m for m in EXTRA if m not in default]


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what)


def same(a, b):
    """Equal as the report's JSON numbers (nulls are NaN): exact, not approximately."""
    a = math.nan if a is None else float(a)
    b = math.nan if b is None else float(b)
    return (math.isnan(a) and math.isnan(b)) or a == b


def close(a, b, rtol=1e-12):
    a = math.nan if a is None else float(a)
    b = math.nan if b is None else float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= rtol * max(1.0, abs(a), abs(b))


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def small_config(name, reps, duration):
    """A shipped sweep config with fewer repetitions and shorter runs (text edit only)."""
    text = open(os.path.join(REPO, "configs", name)).read()
    text, n1 = re.subn(r"(?m)^repetitions = \d+", f"repetitions = {reps}", text)
    text, n2 = re.subn(r"(?m)^duration_s = [0-9.]+", f"duration_s = {duration}", text)
    assert n1 == 1 and n2 == 1, name
    path = os.path.join(FIX, name)
    open(path, "w").write(text)
    return path


def sweep(name, reps, duration):
    cfg = small_config(name + ".toml", reps, duration)
    panel = os.path.join(FIX, name + ".h5")
    run([PROTEUS, "sweep", cfg, "--out", panel, "--overwrite", "--quiet"])
    return panel


def report_json(panel, metrics=(), write=True):
    cmd = [PROTEUS, "report", panel, "--format", "json"]
    for m in metrics:
        cmd += ["--metric", m]
    if not write:
        cmd.append("--no-write")
    return json.loads(run(cmd).stdout)


def folder(name, panel, metrics, extra):
    """An experiment folder as /work/notes/experiment-folder.md lays it out."""
    d = os.path.join(FIX, name)
    os.makedirs(d, exist_ok=True)
    shutil.copy(panel, os.path.join(d, "panel.h5"))
    rep = report_json(os.path.join(d, "panel.h5"), metrics)
    rep.update(extra)
    json.dump(rep, open(os.path.join(d, "report.json"), "w"), indent=1)
    json.dump({"git_commit": "test", "dirty": False, "master_seed": 1, "repetitions": 4},
              open(os.path.join(d, "metadata.json"), "w"))
    return d


def setup():
    shutil.rmtree(FIX, ignore_errors=True)
    os.makedirs(FIX)
    fba = sweep("fba-delta", 4, 5.0)
    default = report_json(fba)
    json.dump(default, open(os.path.join(FIX, "fba-delta.json"), "w"))
    all_metrics = with_extra(report_metrics(default))
    json.dump(report_json(fba, all_metrics, write=False), open(os.path.join(FIX, "fba-all.json"), "w"))
    surv = sweep("survival", 8, 20.0)
    json.dump(report_json(surv), open(os.path.join(FIX, "survival.json"), "w"))
    rfq = sweep("rfq", 3, 5.0)
    rfq_metrics = ["as_loss_1s", "price_rmse", "mm_pnl", "mm_survival"]
    rfq_rep = report_json(rfq, rfq_metrics)
    # Hand-written experiment keys in the format `proteus experiment run` writes
    # (docs/experiments.md of issue 16): a --target trace for the FBA folder ...
    precision = {"target": ["mm_pnl=0.05"],
                 "trace": [{"block": 0, "repetitions": 2, "max_half_width": 0.4,
                            "max_ratio": 8.0, "cells_meeting_target": 1, "targets": 12},
                           {"block": 1, "repetitions": 4, "max_half_width": 0.12,
                            "max_ratio": 2.4, "cells_meeting_target": 5, "targets": 12},
                           {"block": 2, "repetitions": 8, "max_half_width": 0.049,
                            "max_ratio": 0.98, "cells_meeting_target": 12, "targets": 12}],
                 "cells": [], "capped_cells": [{"cell": 3, "metric": "mm_pnl", "met": False}],
                 "capped": True, "primary_endpoint": []}
    folder("exp-fba", fba, all_metrics, {
        "experiment": {"name": "delta-quick", "preset": "test", "primary_endpoint": "mm_pnl",
                       "decision_rule": "paired interval excludes 0"},
        "verdicts": [{"label": "fba delta 50", "verdict": "inconclusive", "mean_diff": 0.1}],
        "precision": precision})
    # ... and for the RFQ folder the frontier of protection (fall of as_loss_1s against the
    # CLOB: -mean_diff, paired interval negated; 0 for the baseline) against error (mean
    # price_rmse with its t-interval), from this fixture's report; no --target, so precision
    # holds only the primary endpoint's half-widths.
    s = {(r["cell"], r["metric"]): r for r in rfq_rep["summary"]}
    c = {(r["cell"], r["metric"]): r for r in rfq_rep["contrasts"]}
    candidates = []
    for cell in sorted({r["cell"] for r in rfq_rep["summary"]}):
        err = s[(cell, "price_rmse")]
        if (cell, "as_loss_1s") in c:
            k = c[(cell, "as_loss_1s")]
            prot = (-k["mean_diff"], [-k["ci_high"], -k["ci_low"]])
        else:
            prot = (0.0, [0.0, 0.0])
        candidates.append({"cell": cell, "label": err["label"], "protection_metric": "as_loss_1s",
                           "protection": prot[0], "protection_ci": prot[1],
                           "error_metric": "price_rmse", "error": err["mean"],
                           "error_ci": [err["ci_low"], err["ci_high"]]})
    usable = [e for e in candidates if e["protection"] is not None and e["error"] is not None]
    for e in candidates:  # a cell without a price_rmse (no trades in 3 runs) is not on it
        e["on_front"] = e in usable and not any(
            o["protection"] >= e["protection"] and o["error"] <= e["error"]
            and (o["protection"], o["error"]) != (e["protection"], e["error"]) for o in usable)
    front = [e for e in candidates if e["on_front"]]
    assert len(front) >= 2, front
    endpoint = [{"cell": r["cell"], "label": r["label"], "metric": "as_loss_1s", "n": r["n"],
                 "half_width": (r["ci_high"] - r["ci_low"]) / 2}
                for r in rfq_rep["summary"] if r["metric"] == "as_loss_1s"]
    folder("exp-rfq", rfq, rfq_metrics, {
        "experiment": {"name": "rfq-frontier", "preset": "test"}, "frontier": front,
        "frontier_candidates": candidates,
        "precision": {"target": [], "trace": [], "cells": [], "capped_cells": [],
                      "primary_endpoint": endpoint}})
    print("fixtures in", FIX)


def fixture(name):
    return json.load(open(os.path.join(FIX, name)))


def by_cell_metric(rows):
    return {(r["cell"], r["metric"]): r for r in rows}


# --- cases ---------------------------------------------------------------------------------

def case_load():
    p = load(os.path.join(FIX, "fba-delta.h5"))
    with h5py.File(os.path.join(FIX, "fba-delta.h5"), "r") as f:
        labels = f["cells/label"].asstr()[()]
        pnl = f["runs/mm_pnl"][()]
        cell = f["runs/cell"][()]
        reps = int(f.attrs["repetitions"])
        delta_units = f["cells/mechanism.fba.delta_ms"].attrs.get("units")
    check(len(p.runs) == len(labels) * reps, f"runs rows {len(p.runs)} != cells x reps")
    check(list(p.runs["label"]) == [labels[c] for c in cell], "runs joined with the wrong cells")
    check(np.array_equal(p.runs["mm_pnl"].to_numpy(), pnl, equal_nan=True), "mm_pnl column")
    check(p.units.get("mm_pnl") == "payoff", f"mm_pnl units {p.units.get('mm_pnl')}")
    check(delta_units in ("ms", b"ms"), f"panel writer: /cells delta_ms units {delta_units!r}")
    with h5py.File(os.path.join(FIX, "fba-delta.h5"), "r") as f:
        check("units" not in f["cells/agents.informed.activity"].attrs, "activity has no unit")
    check(p.label("agents.informed.activity") == "agents.informed.activity", "unitless label")
    check(p.label("mechanism.fba.delta_ms") == "mechanism.fba.delta_ms [ms]",
          p.label("mechanism.fba.delta_ms"))
    check(p.axes == ["agents.informed.activity", "mechanism.fba.delta_ms", "run.mechanism"],
          f"axes {p.axes}")
    rep = fixture("fba-delta.json")
    check(p.summary is not None and len(p.summary) == len(rep["summary"]), "summary rows")
    check(p.contrasts is not None and len(p.contrasts) == len(rep["contrasts"]), "contrast rows")
    check(len(p.ok()) == len(p.runs), "every fixture run is ok")
    check("scenario" in p.cells and "scenario" not in p.runs, "scenario stays in cells")


def case_means_data():
    rep = fixture("fba-delta.json")
    want = by_cell_metric(rep["summary"])
    for src_name in ("fba-delta.h5", "exp-fba"):
        src = open_source(os.path.join(FIX, src_name))
        cells = load(os.path.join(FIX, "fba-delta.h5")).cells
        for metric in report_metrics(rep):
            df = fd.means_data(src, metric)
            check(df.attrs["x_axis"] == "mechanism.fba.delta_ms", f"x axis {df.attrs['x_axis']}")
            check(len(df) == sum(1 for k in want if k[1] == metric), f"{metric}: row count")
            for _, r in df.iterrows():
                w = want[(r["cell"], metric)]
                for k in ("mean", "ci_low", "ci_high", "n"):
                    check(same(r[k], w[k]), f"{src_name} {metric} cell {r['cell']} {k}: "
                                            f"{r[k]} vs report {w[k]}")
                check(same(r["x"], cells.loc[r["cell"], "mechanism.fba.delta_ms"]), "x value")
                check((r["mechanism"] == "clob") == math.isnan(r["x"]), "clob has no delta")
        df = fd.means_data(src, "mm_pnl")
        # One line per mechanism and activity level: fba at two activities, clob at two.
        check(sorted(df["series"].unique()) == ["clob, activity=0.06", "clob, activity=0.12",
                                                "fba, activity=0.06", "fba, activity=0.12"],
              f"series {sorted(df['series'].unique())}")


def case_forest_data():
    rep = fixture("fba-delta.json")
    src = open_source(os.path.join(FIX, "fba-delta.h5"))
    for metric in report_metrics(rep):
        want = [c for c in rep["contrasts"] if c["metric"] == metric]
        if all(c["mean_diff"] is None for c in want):  # e.g. quoted_spread: FBA shows no book
            try:
                fd.forest_data(src, metric)
                check(False, f"{metric}: forest of undefined contrasts must not apply")
            except fd.NotApplicable:
                pass
            continue
        df = fd.forest_data(src, metric)
        check(len(df) == len(want) == 10, f"{metric}: {len(df)} contrasts vs {len(want)}")
        for (_, r), w in zip(df.iterrows(), want):
            for k in ("cell", "baseline_cell", "mean_diff", "ci_low", "ci_high", "vrf",
                      "p_adjusted", "n"):
                check(same(r[k], w[k]), f"{metric} contrast {r['label']} {k}: {r[k]} vs {w[k]}")
    vrf = fd.forest_data(src, "mm_pnl")["vrf"]
    check(vrf.notna().all() and (vrf > 0).all(), "variance-reduction factors present")


def case_decomposition_data():
    want = by_cell_metric(fixture("fba-all.json")["summary"])
    exp = fd.decomposition_data(open_source(os.path.join(FIX, "exp-fba")))
    bare = fd.decomposition_data(open_source(os.path.join(FIX, "fba-delta.h5")))
    check(exp.attrs["horizon"] == "1s", f"horizon {exp.attrs['horizon']}")
    check(set(exp["source"]) == {"summary"}, "exp folder: every part from the report")
    default = report_metrics(fixture("fba-delta.json"))
    check(((bare["source"] == "summary") == bare["metric"].isin(default)).all(),
          "bare panel: parts in /summary come from it, the others from the runs")
    check((bare["source"] == "runs").any(), "some parts come from the runs")
    for df, cmp in ((exp, same), (bare, close)):
        for _, r in df.iterrows():
            w = want[(r["cell"], r["metric"])]["mean"]
            check(cmp(r["mean"], w), f"{r['metric']} cell {r['cell']}: {r['mean']} vs {w}")
            check(r["value"] == r["sign"] * r["mean"], "signed value")
    # The identity the figure shows: the parts add up to the total (docs/metrics.md).
    for (cell, group), g in exp.groupby(["cell", "group"]):
        parts = g[g.part != "total"]["value"].sum()
        total = g[g.part == "total"]["value"].iloc[0]
        check(abs(parts - total) <= 1e-9 * max(1.0, abs(total)),
              f"cell {cell} {group}: parts {parts} != total {total}")


def case_survival_data():
    rep = fixture("survival.json")
    want = by_cell_metric(rep["summary"])
    src = open_source(os.path.join(FIX, "survival.h5"))
    df = fd.survival_data(src)
    check(df.attrs["x_axis"] == "agents.informed.activity", f"x axis {df.attrs['x_axis']}")
    check(len(df) == 12, f"{len(df)} cells")
    for _, r in df.iterrows():
        w = want[(r["cell"], "mm_survival")]
        check(same(r["kill"], 1.0 - w["mean"]), f"cell {r['cell']} kill {r['kill']}")
        check(same(r["kill_low"], 1.0 - w["wilson_high"]), f"cell {r['cell']} kill_low")
        check(same(r["kill_high"], 1.0 - w["wilson_low"]), f"cell {r['cell']} kill_high")
        check(r["source"] == "summary", "survival from the report")
    check(df["kill"].min() < 0.5 < df["kill"].max(), f"kill range {list(df['kill'])}")
    # Without the report tables, the Wilson band is computed by the report's rule.
    runs_only = Source(src.panel, None, None)
    alt = fd.survival_data(runs_only)
    for _, r in alt.iterrows():
        w = want[(r["cell"], "mm_survival")]
        check(r["source"] == "runs", "fallback source")
        check(close(r["kill_low"], 1.0 - w["wilson_high"]) and
              close(r["kill_high"], 1.0 - w["wilson_low"]),
              f"cell {r['cell']} Wilson from runs {r['kill_low']},{r['kill_high']} vs report")
    curves = fd.survival_curves(src)
    with h5py.File(os.path.join(FIX, "survival.h5"), "r") as f:
        cell, surv = f["runs/cell"][()], f["runs/mm_survival"][()]
        ttk = f["runs/mm_time_to_kill"][()]
    for c, g in curves.groupby("cell"):
        killed = np.sort(ttk[(cell == c) & (surv == 0)])
        check(same(g["survival"].iloc[-1], want[(c, "mm_survival")]["mean"]),
              f"cell {c}: curve ends at {g['survival'].iloc[-1]}")
        check(np.array_equal(g["t"].iloc[1:1 + killed.size].to_numpy(), killed),
              f"cell {c}: kill times")


def case_tails_data():
    want = by_cell_metric(fixture("fba-all.json")["summary"])
    for name, cmp in (("exp-fba", same), ("fba-delta.h5", close)):
        df = fd.tails_data(open_source(os.path.join(FIX, name)))
        check(set(df["metric"]) == {"mm_pnl", "mm_max_drawdown"}, "both tail metrics")
        for _, r in df.iterrows():
            w = want[(r["cell"], r["metric"])]
            for k in fd.TAIL_FIELDS:
                check(cmp(r[k], w[k]), f"{name} {r['metric']} cell {r['cell']} {k}: "
                                       f"{r[k]} vs {w[k]}")
            sign = 1.0 if r["metric"] == "mm_max_drawdown" else -1.0
            check(r["var_5_at"] == sign * r["var_5"], "VaR marker position")
        if name == "fba-delta.h5":  # mm_pnl is in the default report, drawdown is not
            check(set(df[df.metric == "mm_pnl"]["source"]) == {"summary"}, "pnl from /summary")
            check(set(df[df.metric == "mm_max_drawdown"]["source"]) == {"runs"}, "dd from runs")


def case_frontier_data():
    rep = json.load(open(os.path.join(FIX, "exp-rfq", "report.json")))
    src = open_source(os.path.join(FIX, "exp-rfq"))
    df = fd.frontier_data(src)
    check(df.attrs["x_metric"] == "price_rmse" and df.attrs["y_metric"] == "as_loss_1s",
          f"objectives {df.attrs}")
    check(len(df) == len(rep["frontier"]) >= 2, "frontier rows")
    for (_, r), e in zip(df.iterrows(), rep["frontier"]):
        check(r["cell"] == e["cell"] and r["label"] == e["label"], "frontier cell")
        for k, v in (("x", e["error"]), ("x_low", e["error_ci"][0]), ("x_high", e["error_ci"][1]),
                     ("y", e["protection"]), ("y_low", e["protection_ci"][0]),
                     ("y_high", e["protection_ci"][1])):
            check(same(r[k], v), f"frontier cell {e['cell']} {k}: {r[k]} vs {v}")
    bg = fd.frontier_background(src, "price_rmse", "as_loss_1s")
    check(len(bg) == len(rep["frontier_candidates"]) == 28, f"background cells {len(bg)}")
    check(all(same(a, e["error"]) and same(b, e["protection"]) for a, b, e in
              zip(bg["x"], bg["y"], rep["frontier_candidates"])), "background points")
    # The other accepted form: objectives by metric, the first two as x and y.
    generic = Source(src.panel, src.summary, src.contrasts, {"frontier": [
        {"cell": 1, "label": "a", "objectives": {"m1": {"mean": 1.0, "ci_low": 0.5,
                                                        "ci_high": 1.5}, "m2": 2.0}}]})
    g = fd.frontier_data(generic)
    check((g.attrs["x_metric"], g.attrs["y_metric"]) == ("m1", "m2") and g["x_low"][0] == 0.5
          and g["y"][0] == 2.0 and math.isnan(g["y_low"][0]), f"generic frontier {g}")
    try:
        fd.frontier_data(open_source(os.path.join(FIX, "exp-fba")))
        check(False, "frontier without the key must not apply")
    except fd.NotApplicable:
        pass


def case_precision_data():
    rep = json.load(open(os.path.join(FIX, "exp-fba", "report.json")))
    df = fd.precision_data(open_source(os.path.join(FIX, "exp-fba")))
    trace = rep["precision"]["trace"]
    check(len(df) == len(trace), "trace rows")
    for (_, r), t in zip(df.iterrows(), trace):
        for k in ("block", "repetitions", "max_half_width", "cells_meeting_target", "targets"):
            check(same(r[k], t[k]), f"precision block {t['block']} {k}")
    check(df.attrs["target"] == 0.05 and df.attrs["target_metric"] == "mm_pnl" and
          len(df.attrs["capped_cells"]) == 1, f"{df.attrs}")
    check(fd.parse_target(["contrast:as_loss_1s=0.02", "mm_pnl=1"]) == ("as_loss_1s", 0.02, True),
          "contrast target")
    check(fd.parse_target(0.5) == (None, 0.5, False), "numeric target")
    # Without a --target trace: the primary endpoint's half-width per cell.
    rfq = json.load(open(os.path.join(FIX, "exp-rfq", "report.json")))
    src = open_source(os.path.join(FIX, "exp-rfq"))
    try:
        fd.precision_data(src)
        check(False, "an empty trace must not apply")
    except fd.NotApplicable:
        pass
    ep = fd.precision_endpoint_data(src)
    want = rfq["precision"]["primary_endpoint"]
    check(len(ep) == len(want) == 28, "endpoint rows")
    check(all(same(a, w["half_width"]) and a >= 0 for a, w in zip(ep["half_width"], want)),
          "endpoint half-widths")


RENDER = {
    "means": ("exp-fba", lambda s: plots.means_figure(s, "mm_pnl")),
    "forest": ("exp-fba", lambda s: plots.forest_figure(s, "mm_pnl")),
    "adverse_selection": ("exp-fba", plots.decomposition_figure),
    "survival": ("survival.h5", plots.survival_figure),
    "pnl_drawdown": ("exp-fba", plots.tails_figure),
    "frontier": ("exp-rfq", plots.frontier_figure),
    "precision": ("exp-fba", plots.precision_figure),
    "precision_endpoint": ("exp-rfq", plots.precision_figure),
}


def render(name):
    import matplotlib.image as mpimg
    src_name, make = RENDER[name]
    out = os.path.join(WORK, "render")
    os.makedirs(out, exist_ok=True)
    png, svg = plots.save(make(open_source(os.path.join(FIX, src_name))), out, name)
    data = open(png, "rb").read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", f"{png}: not a PNG")
    check(len(data) > 5000, f"{png}: only {len(data)} bytes")
    img = mpimg.imread(png)
    check(img.shape[0] > 200 and img.shape[1] > 300, f"{png}: {img.shape}")
    # Not blank: more than a handful of distinct colours.
    check(len(np.unique(img.reshape(-1, img.shape[2]), axis=0)) > 10, f"{png}: blank image")
    check("<svg" in open(svg).read(), f"{svg}: not an SVG")


def figure_stems(metrics, contrasts, extra):
    return ([f"means_{m}" for m in metrics] + [f"forest_{m}" for m in contrasts] + extra)


def case_cli():
    exp = os.path.join(WORK, "cli", "exp-fba")
    shutil.rmtree(os.path.dirname(exp), ignore_errors=True)
    shutil.copytree(os.path.join(FIX, "exp-fba"), exp)
    out = os.path.join(exp, "figures")
    p = run([PLOT, exp, "--out", out])
    rep = fixture("fba-all.json")
    all_metrics = report_metrics(rep)
    # A metric undefined in every cell (or every contrast) gets no figure: quoted_spread under
    # FBA, which shows no book, leaves its contrasts undefined.
    means = [m for m in all_metrics if any(r["metric"] == m and r["mean"] is not None
                                           for r in rep["summary"])]
    forest = [m for m in all_metrics if any(r["metric"] == m and r["mean_diff"] is not None
                                            for r in rep["contrasts"])]
    check("quoted_spread" in means and "quoted_spread" not in forest, "undefined contrasts")
    stems = figure_stems(means, forest, ["adverse_selection", "survival", "pnl_drawdown",
                                    "precision"])
    for stem in stems:
        for ext in ("png", "svg"):
            path = os.path.join(out, f"{stem}.{ext}")
            check(os.path.getsize(path) > 1000 if os.path.exists(path) else False,
                  f"missing {path}")
    check(sorted(os.listdir(out)) == sorted(f"{s}.{e}" for s in stems for e in ("png", "svg")),
          f"unexpected files {sorted(os.listdir(out))}")
    check("skipped frontier" in p.stdout, "frontier skipped without the key")
    page = open(os.path.join(exp, "index.html")).read()
    for stem in stems:
        check(f'src="figures/{stem}.png"' in page, f"index.html lacks {stem}")
    check("delta-quick" in page and "inconclusive" in page, "index.html shows the experiment")
    # The same input gives the same bytes (no dates, fixed SVG ids).
    again = os.path.join(WORK, "cli", "again")
    run([PLOT, exp, "--out", again, "--only", "means_mm_pnl", "--only", "survival", "--quiet"])
    for name in ("means_mm_pnl.png", "means_mm_pnl.svg", "survival.png", "survival.svg"):
        check(open(os.path.join(out, name), "rb").read() ==
              open(os.path.join(again, name), "rb").read(), f"{name} differs between two runs")
    check(sorted(os.listdir(again)) == ["means_mm_pnl.png", "means_mm_pnl.svg", "survival.png",
                                        "survival.svg"], f"--only wrote {os.listdir(again)}")
    # A bare panel: figures and index.html in OUT.
    bare = os.path.join(WORK, "cli", "bare")
    run([PLOT, os.path.join(FIX, "fba-delta.h5"), "--out", bare, "--quiet"])
    check(os.path.exists(os.path.join(bare, "index.html")), "bare index.html")
    check(os.path.exists(os.path.join(bare, "means_mm_pnl.png")), "bare figure")
    check(not os.path.exists(os.path.join(bare, "precision.png")), "no precision for a panel")
    # Errors: one line naming the file, exit 2.
    bad = subprocess.run([PLOT, os.path.join(WORK, "nope.h5"), "--out", bare],
                         capture_output=True, text=True)
    check(bad.returncode == 2 and "error:" in bad.stderr and "nope.h5" in bad.stderr,
          f"missing input: {bad.returncode} {bad.stderr!r}")


PROBE = """<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify(imgs.map(function (i) {
    return {src: i.getAttribute('src'), complete: i.complete, w: i.naturalWidth};
  }));
  document.body.appendChild(out);
});
</script>"""


def chromium_images(page):
    """naturalWidth of every image of `page` after load, from headless Chromium's DOM dump
    (a probe script is added to a copy of the page in the same folder)."""
    probe = os.path.join(os.path.dirname(page), "_probe_" + os.path.basename(page))
    open(probe, "w").write(open(page).read().replace("</body>", PROBE + "</body>"))
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("FAIL: chromium not found (Debian package chromium; scripts/install-deps.sh)")
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=WORK)  # no shared profile
    # --no-sandbox: Chromium refuses to run as root with its sandbox; --disable-dev-shm-usage:
    # a chroot may have no /dev/shm.
    cmd = [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage",
           "--no-first-run", f"--user-data-dir={profile}", "--allow-file-access-from-files",
           "--virtual-time-budget=10000", "--dump-dom", "file://" + os.path.abspath(probe)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    os.remove(probe)
    shutil.rmtree(profile, ignore_errors=True)
    m = re.search(r'<pre id="probe">(.*?)</pre>', p.stdout, re.S)
    if not m:
        sys.exit(f"FAIL: no probe output from chromium (exit {p.returncode})\n{p.stderr[-2000:]}")
    import html
    return json.loads(html.unescape(m.group(1)))


def case_html_chromium():
    base = os.path.join(WORK, "html")
    shutil.rmtree(base, ignore_errors=True)
    for name in ("exp-fba", "exp-rfq"):
        exp = os.path.join(base, name)
        shutil.copytree(os.path.join(FIX, name), exp)
        run([PLOT, exp, "--out", os.path.join(exp, "figures"), "--quiet"])
        figs = sorted(f for f in os.listdir(os.path.join(exp, "figures")) if f.endswith(".png"))
        imgs = chromium_images(os.path.join(exp, "index.html"))
        check(sorted(os.path.basename(i["src"]) for i in imgs) == figs,
              f"{name}: page images {[i['src'] for i in imgs]} vs {figs}")
        for i in imgs:
            check(i["complete"] and i["w"] > 0, f"{name}: image {i['src']} did not load: {i}")
        check(len(imgs) >= 5, f"{name}: only {len(imgs)} images")
        if name == "exp-rfq":
            check("frontier.png" in figs, "rfq folder has the frontier figure")
    # The check can fail: a page with a missing image reports naturalWidth 0.
    broken = os.path.join(base, "broken.html")
    open(broken, "w").write('<html><body><img src="figures/none.png"></body></html>')
    imgs = chromium_images(broken)
    check(len(imgs) == 1 and imgs[0]["w"] == 0, f"broken image seen as {imgs}")


CASES = {"setup": setup, "load": case_load, "means_data": case_means_data,
         "forest_data": case_forest_data, "decomposition_data": case_decomposition_data,
         "survival_data": case_survival_data, "tails_data": case_tails_data,
         "frontier_data": case_frontier_data, "precision_data": case_precision_data,
         "cli": case_cli, "html_chromium": case_html_chromium}
for _name in RENDER:
    CASES[f"render_{_name}"] = lambda n=_name: render(n)

if __name__ == "__main__":
    CASES[CASE]()
    if FAILURES:
        sys.exit(f"{len(FAILURES)} check(s) failed")
    print("ok")
