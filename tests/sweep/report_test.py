#!/usr/bin/env python3
"""CLI tests of `proteus report` and `proteus sim --from`, one case per ctest test.

Usage: report_test.py CASE PROTEUS_BINARY FIXTURES_DIR WORK_DIR
Every number the report prints is recomputed here from /runs (read with h5py) with SciPy and
NumPy: ttest_rel, ttest_ind(equal_var=False), t intervals, Hedges' g with the exact gamma
correction, Holm and BH from their definitions, Wilson via binomtest, quantiles, VaR/CVaR, and
the BCa interval from its definition over a SplitMix64 resampling written out below.
"""
import json
import math
import os
import shutil
import subprocess
import sys
from fractions import Fraction

import h5py
import numpy as np
import scipy.special as sp
import scipy.stats as st

CASE, PROTEUS, FIXTURES, WORK = sys.argv[1:5]
FIXTURE = os.path.join(FIXTURES, "report.toml")
# Rows 14 (cell 1, rep 2) and 27 (cell 2, rep 3) fail on purpose: they must be left out.
FAIL_ROWS = "14,27"
TREATMENT = "agents.informed.activity"
BASELINE_VALUE = 0.06
GROUP_KEY = "latency.default.submit.value_ms"
METRICS = ["mm_pnl", "as_loss_1s", "price_rmse", "volume", "mm_survival", "quoted_spread",
           "shock_half_life", "mm_final_inventory"]
M64 = (1 << 64) - 1


def fail(message):
    sys.exit(f"FAIL: {message}")


def expect(condition, message):
    if not condition:
        fail(message)


def run(args, expect_code=0, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    p = subprocess.run([PROTEUS, *args], env=env, capture_output=True, text=True, timeout=100)
    if expect_code is not None and p.returncode != expect_code:
        fail(f"proteus {' '.join(args)}: exit {p.returncode}, expected {expect_code}\n"
             f"{p.stdout}\n{p.stderr}")
    return p


def make_panel(name="report.h5"):
    os.makedirs(WORK, exist_ok=True)
    out = os.path.join(WORK, name)
    run(["sweep", FIXTURE, "--out", out, "--overwrite", "--quiet"],
        env_extra={"PROTEUS_SWEEP_FAIL_ROWS": FAIL_ROWS})
    return out


def report_json(panel, *extra):
    p = run(["report", panel, "--format", "json", *extra])
    return json.loads(p.stdout)


def load(panel):
    with h5py.File(panel, "r") as f:
        runs = {name: ds[()] for name, ds in f["runs"].items()}
        cells = {name: (ds.asstr()[()] if ds.dtype.kind == "O" else ds[()])
                 for name, ds in f["cells"].items()}
        reps = int(f.attrs["repetitions"])
        seed = int(f.attrs["master_seed"])
    return runs, cells, reps, seed


def cell_values(runs, reps, cell, metric):
    """(values, usable mask) of one cell in rep order, from the cell/rep columns."""
    sel = runs["cell"] == cell
    order = np.argsort(runs["rep"][sel])
    values = runs[metric][sel][order]
    ok = (runs["status"][sel][order] == 0) & np.isfinite(values)
    expect(len(values) == reps, f"cell {cell} has {len(values)} rows")
    return values, ok


def close(got, want, what, rtol=1e-9, atol=1e-12):
    """null in JSON stands for a non-finite reference value."""
    if want is None or not np.isfinite(want):
        expect(got is None, f"{what}: got {got}, want non-finite {want}")
        return
    expect(got is not None, f"{what}: got null, want {want}")
    expect(math.isclose(got, want, rel_tol=rtol, abs_tol=atol), f"{what}: got {got!r}, want {want!r}")


def expected_groups(cells):
    """Contrast groups of report.toml written out by hand: same submission latency, baseline
    activity 0.06."""
    groups = {}
    for c, key in enumerate(cells[GROUP_KEY]):
        groups.setdefault(float(key), []).append(c)
    pairs = []
    for members in groups.values():
        base = [c for c in members if cells[TREATMENT][c] == BASELINE_VALUE]
        expect(len(base) == 1, f"fixture groups {members}")
        pairs += [(c, base[0]) for c in members if c != base[0]]
    return sorted(pairs)


def hedges_g(a, b):
    na, nb = len(a), len(b)
    m = na + nb - 2
    sp_ = math.sqrt(((na - 1) * np.var(a, ddof=1) + (nb - 1) * np.var(b, ddof=1)) / m)
    j = math.exp(sp.gammaln(m / 2) - sp.gammaln((m - 1) / 2)) / math.sqrt(m / 2)
    return j * (np.mean(a) - np.mean(b)) / sp_


def welch_interval(a, b, level):
    qa, qb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    se = math.sqrt(qa + qb)
    if se == 0:
        return np.mean(a) - np.mean(b), np.mean(a) - np.mean(b)
    df = (qa + qb) ** 2 / (qa**2 / (len(a) - 1) + qb**2 / (len(b) - 1))
    h = st.t.ppf((1 + level) / 2, df) * se
    return np.mean(a) - np.mean(b) - h, np.mean(a) - np.mean(b) + h


def holm(ps):
    order = np.argsort(ps, kind="stable")
    m = len(ps)
    out = np.empty(m)
    running = 0.0
    for i, k in enumerate(order):
        running = max(running, min(1.0, (m - i) * ps[k]))
        out[k] = running
    return out


def bh(ps):
    order = np.argsort(ps, kind="stable")
    m = len(ps)
    out = np.empty(m)
    running = 1.0
    for i in range(m - 1, -1, -1):
        k = order[i]
        running = min(running, min(1.0, m * ps[k] / (i + 1)))
        out[k] = running
    return out


def check_summary(doc, runs, cells, reps, level):
    rows = {(s["metric"], s["cell"]): s for s in doc["summary"]}
    ncells = len(cells["label"])
    expect(len(rows) == len(doc["summary"]) == ncells * len(METRICS), "summary size")
    for metric in METRICS:
        for c in range(ncells):
            s = rows[(metric, c)]
            values, ok = cell_values(runs, reps, c, metric)
            x = values[ok]
            what = f"summary {metric} cell {c}"
            expect(s["label"] == cells["label"][c], f"{what}: label")
            expect(s["n"] == len(x) and s["n_missing"] == reps - len(x), f"{what}: n {s['n']}")
            if len(x) == 0:
                expect(s["mean"] is None, f"{what}: empty mean")
                continue
            close(s["mean"], np.mean(x), f"{what}: mean")
            if len(x) < 2:
                expect(s["sd"] is None and s["ci_low"] is None, f"{what}: n=1 dispersion")
                continue
            close(s["sd"], np.std(x, ddof=1), f"{what}: sd", atol=1e-15)
            close(s["se"], st.sem(x), f"{what}: se", atol=1e-15)
            if np.std(x, ddof=1) > 0:
                low, high = st.t.interval(level, len(x) - 1, loc=np.mean(x), scale=st.sem(x))
                close(s["ci_low"], low, f"{what}: ci_low")
                close(s["ci_high"], high, f"{what}: ci_high")
            if metric == "mm_survival":
                ci = st.binomtest(int(np.sum(x == 1)), len(x)).proportion_ci(level, "wilson")
                close(s["wilson_low"], ci.low, f"{what}: wilson_low")
                close(s["wilson_high"], ci.high, f"{what}: wilson_high")
            if metric == "mm_pnl":
                losses = -x
                var = np.quantile(losses, 0.95)
                close(s["var_5"], var, f"{what}: var_5")
                close(s["cvar_5"], np.mean(losses[losses >= var]), f"{what}: cvar_5")
                var1 = np.quantile(losses, 0.99)
                close(s["var_1"], var1, f"{what}: var_1")
                close(s["cvar_1"], np.mean(losses[losses >= var1]), f"{what}: cvar_1")
                for q in (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99):
                    close(s["quantiles"][str(q)], np.quantile(x, q), f"{what}: q{q}")
            else:
                expect("var_5" not in s, f"{what}: tail fields only for P&L metrics")


def check_contrasts(doc, runs, cells, reps, level, adjust):
    pairs = expected_groups(cells)
    got = doc["contrasts"]
    expect([(c["metric"], c["cell"], c["baseline_cell"]) for c in got] ==
           [(m, c, b) for m in METRICS for c, b in pairs], f"contrast order {got}")
    p_ref = []
    for row in got:
        metric, c, b = row["metric"], row["cell"], row["baseline_cell"]
        what = f"contrast {metric} {c} vs {b}"
        va, oka = cell_values(runs, reps, c, metric)
        vb, okb = cell_values(runs, reps, b, metric)
        both = oka & okb
        a, bb = va[both], vb[both]
        expect(row["n"] == len(a) and row["n_missing"] == reps - len(a), f"{what}: n {row['n']}")
        expect(row["label"] == cells["label"][c], f"{what}: label")
        if len(a) == 0:
            expect(row["mean_diff"] is None, f"{what}: empty")
            p_ref.append(np.nan)
            continue
        d = a - bb
        close(row["mean_diff"], np.mean(d), f"{what}: mean_diff", atol=1e-15)
        if len(a) < 2 or np.std(d, ddof=1) == 0:
            # SciPy returns NaN for zero-variance differences; so must we.
            expect(row["p_value"] is None and row["d_z"] is None, f"{what}: degenerate {row}")
            p_ref.append(np.nan)
            continue
        t = st.ttest_rel(a, bb)
        ci = t.confidence_interval(level)
        close(row["p_value"], t.pvalue, f"{what}: p_value")
        close(row["ci_low"], ci.low, f"{what}: ci_low")
        close(row["ci_high"], ci.high, f"{what}: ci_high")
        close(row["d_z"], np.mean(d) / np.std(d, ddof=1), f"{what}: d_z")
        close(row["vrf"], (np.var(a, ddof=1) + np.var(bb, ddof=1)) / np.var(d, ddof=1),
              f"{what}: vrf")
        close(row["hedges_g"], hedges_g(a, bb), f"{what}: hedges_g")
        wl, wh = welch_interval(a, bb, level)
        close(row["welch_ci_low"], wl, f"{what}: welch_ci_low")
        close(row["welch_ci_high"], wh, f"{what}: welch_ci_high")
        # The Welch p-value is stored in /contrasts; check it there against ttest_ind.
        row["_welch_p"] = st.ttest_ind(a, bb, equal_var=False).pvalue
        p_ref.append(t.pvalue)
    p_ref = np.array(p_ref)
    finite = np.isfinite(p_ref)
    expect(finite.sum() >= 8, f"too few finite p-values to test the adjustment: {finite.sum()}")
    adjusted = np.full(len(p_ref), np.nan)
    adjusted[finite] = {"holm": holm, "bh": bh, "none": lambda p: p}[adjust](p_ref[finite])
    for row, want in zip(got, adjusted):
        close(row["p_adjusted"], want, f"p_adjusted {row['metric']} {row['cell']}")


def case_json():
    panel = make_panel()
    runs, cells, reps, _ = load(panel)
    metric_args = [a for m in METRICS for a in ("--metric", m)]
    doc = report_json(panel, *metric_args)
    expect(doc["level"] == 0.95, "level")
    expect(set(doc) >= {"level", "summary", "contrasts"}, f"keys {list(doc)}")
    required_s = {"cell", "label", "metric", "n", "mean", "sd", "se", "ci_low", "ci_high"}
    required_c = {"cell", "baseline_cell", "label", "metric", "n", "mean_diff", "ci_low",
                  "ci_high", "p_value", "p_adjusted", "d_z", "hedges_g", "welch_ci_low",
                  "welch_ci_high", "vrf"}
    expect(all(required_s <= set(s) for s in doc["summary"]), "summary fields")
    expect(all(required_c <= set(c) for c in doc["contrasts"]), "contrast fields")
    # The injected failures are left out: cell 1 and cell 2 have 11 usable mm_pnl rows.
    n = {(s["metric"], s["cell"]): s["n"] for s in doc["summary"]}
    expect(n[("mm_pnl", 1)] == 11 and n[("mm_pnl", 2)] == 11 and n[("mm_pnl", 0)] == 12,
           f"failed rows excluded: {n}")
    check_summary(doc, runs, cells, reps, 0.95)
    check_contrasts(doc, runs, cells, reps, 0.95, "holm")
    # Another level and adjustment change the numbers accordingly.
    doc = report_json(panel, *metric_args, "--level", "0.9", "--adjust", "bh", "--no-write")
    expect(doc["level"] == 0.9, "level 0.9")
    check_summary(doc, runs, cells, reps, 0.9)
    check_contrasts(doc, runs, cells, reps, 0.9, "bh")


def case_default_metrics():
    panel = make_panel()
    doc = report_json(panel, "--no-write")
    metrics = sorted({s["metric"] for s in doc["summary"]})
    expect(metrics == sorted(["mm_pnl", "as_loss_1s", "quoted_spread", "effective_spread",
                              "price_rmse", "mm_survival", "mm_spread_pnl", "mm_spread_informed",
                              "mm_spread_noise", "effective_spread_latent", "as_informed_1s",
                              "mm_quoted_spread"]),
           f"default metrics {metrics}")


def case_panel_groups():
    panel = make_panel()
    doc = report_json(panel, "--metric", "mm_pnl", "--metric", "mm_survival")
    with h5py.File(panel, "r") as f:
        s, c = f["summary"], f["contrasts"]
        expect(s.attrs["level"] == 0.95 and c.attrs["adjust"] == "holm", "group attributes")
        expect(s["metric"].asstr()[()].tolist() == [r["metric"] for r in doc["summary"]],
               "summary metric column")
        expect(s["cell"][()].tolist() == [r["cell"] for r in doc["summary"]], "summary cells")
        expect(s["label"].asstr()[()].tolist() == [r["label"] for r in doc["summary"]], "labels")
        for col in ("mean", "sd", "se", "ci_low", "ci_high"):
            want = np.array([np.nan if r[col] is None else r[col] for r in doc["summary"]])
            expect(s[col].dtype == np.float64, f"/summary/{col} dtype")
            expect(np.array_equal(s[col][()], want, equal_nan=True), f"/summary/{col}")
            expect("description" in s[col].attrs, f"/summary/{col} description")
        expect(s["n"][()].tolist() == [r["n"] for r in doc["summary"]], "/summary/n")
        for col in ("mean_diff", "ci_low", "ci_high", "p_value", "p_adjusted", "d_z", "hedges_g",
                    "welch_ci_low", "welch_ci_high", "vrf"):
            want = np.array([np.nan if r[col] is None else r[col] for r in doc["contrasts"]])
            expect(np.array_equal(c[col][()], want, equal_nan=True), f"/contrasts/{col}")
        expect(c["baseline_cell"][()].tolist() == [r["baseline_cell"] for r in doc["contrasts"]],
               "/contrasts/baseline_cell")
        expect(c["p_value"].attrs["units"] == "1", "/contrasts/p_value units")
        # Welch p-values against SciPy.
        runs, cells, reps, _ = load(panel)
        for i, (metric, cell, base) in enumerate(zip(c["metric"].asstr()[()], c["cell"][()],
                                                     c["baseline_cell"][()])):
            va, oka = cell_values(runs, reps, cell, metric)
            vb, okb = cell_values(runs, reps, base, metric)
            both = oka & okb
            if np.std(va[both] - vb[both], ddof=1) > 0:
                close(float(c["welch_p_value"][i]),
                      st.ttest_ind(va[both], vb[both], equal_var=False).pvalue, "welch p")
    # A second report replaces the groups; --no-write leaves them alone.
    report_json(panel, "--metric", "volume")
    with h5py.File(panel, "r") as f:
        expect(set(f["summary/metric"].asstr()[()]) == {"volume"}, "replaced /summary")
    report_json(panel, "--metric", "mm_pnl", "--no-write")
    with h5py.File(panel, "r") as f:
        expect(set(f["summary/metric"].asstr()[()]) == {"volume"}, "--no-write kept /summary")


def case_baseline_option():
    panel = make_panel()
    doc = report_json(panel, "--metric", "mm_pnl", "--baseline", "activity=0.2", "--no-write")
    runs, cells, reps, _ = load(panel)
    pairs = sorted((c["cell"], c["baseline_cell"]) for c in doc["contrasts"])
    want = []
    for c in range(len(cells["label"])):
        base = [b for b in range(len(cells["label"]))
                if cells[TREATMENT][b] == 0.2 and cells[GROUP_KEY][b] == cells[GROUP_KEY][c]]
        if base[0] != c:
            want.append((c, base[0]))
    expect(pairs == sorted(want), f"baseline 0.2 pairs {pairs} vs {want}")
    expect(doc["baseline"] == f"{TREATMENT}=0.2", doc["baseline"])
    # Same numbers as recomputed from /runs.
    for row in doc["contrasts"]:
        va, oka = cell_values(runs, reps, row["cell"], "mm_pnl")
        vb, okb = cell_values(runs, reps, row["baseline_cell"], "mm_pnl")
        both = oka & okb
        close(row["p_value"], st.ttest_rel(va[both], vb[both]).pvalue, "p with --baseline")


def case_stored_groups():
    """/cells/contrast_group and /cells/is_baseline say what the report contrasts; a panel
    without them (written before they existed) gets the same report from its stored config."""
    panel = make_panel()
    _, cells, _, _ = load(panel)
    groups, is_base = cells["contrast_group"].tolist(), cells["is_baseline"].tolist()
    n = len(cells["label"])
    for a in range(n):
        for b in range(n):
            same = cells[GROUP_KEY][a] == cells[GROUP_KEY][b]
            expect((groups[a] == groups[b]) == same, f"groups {groups}")
        expect(is_base[a] == (1 if cells[TREATMENT][a] == BASELINE_VALUE else 0), f"{is_base}")
    with h5py.File(panel, "r") as f:
        expect(f.attrs["baseline"] == f"{TREATMENT}={BASELINE_VALUE}", f.attrs["baseline"])
    legacy = os.path.join(WORK, "legacy.h5")
    shutil.copyfile(panel, legacy)
    with h5py.File(legacy, "r+") as f:
        del f["cells/contrast_group"], f["cells/is_baseline"]
        del f.attrs["baseline"]
    for extra in ([], ["--baseline", "activity=0.2"]):
        new = report_json(panel, "--no-write", *extra)
        old = report_json(legacy, "--no-write", *extra)
        new.pop("panel"), old.pop("panel")
        expect(new == old and new["contrasts"], f"legacy panel report differs with {extra}")
    p = run(["report", legacy, "--baseline", "nosuch=1"], expect_code=2)
    expect("contrast_group" not in p.stderr, p.stderr)


def splitmix64(seed, index):
    z = (seed + (index + 1) * 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def case_bootstrap():
    panel = make_panel()
    resamples = 400
    doc = report_json(panel, "--metric", "mm_pnl", "--metric", "price_rmse", "--bootstrap",
                      str(resamples), "--no-write")
    again = report_json(panel, "--metric", "mm_pnl", "--metric", "price_rmse", "--bootstrap",
                        str(resamples), "--no-write")
    expect(doc["contrasts"] == again["contrasts"], "bootstrap is deterministic")
    runs, cells, reps, master_seed = load(panel)
    registry = {"mm_pnl": 0, "price_rmse": 14}  # positions in the market metric registry
    checked = 0
    for row in doc["contrasts"]:
        va, oka = cell_values(runs, reps, row["cell"], row["metric"])
        vb, okb = cell_values(runs, reps, row["baseline_cell"], row["metric"])
        both = oka & okb
        d = va[both] - vb[both]
        seed = splitmix64(master_seed, (row["cell"] << 16) + registry[row["metric"]])
        expect(row["bootstrap_seed"] == seed, f"seed {row['bootstrap_seed']} vs {seed}")
        n = len(d)
        boot = np.array([np.mean([d[(splitmix64(seed, r * n + j) * n) >> 64] for j in range(n)])
                         for r in range(resamples)])
        est = np.mean(d)
        # Ties with the estimate decided in exact rational arithmetic (the report snaps
        # last-bit differences of equal sums onto the estimate).
        exact_d = [Fraction(v) for v in d]
        exact_est = sum(exact_d) / n
        exact_boot = [sum(exact_d[(splitmix64(seed, r * n + j) * n) >> 64] for j in range(n)) / n
                      for r in range(resamples)]
        below = sum(b < exact_est for b in exact_boot)
        ties = sum(b == exact_est for b in exact_boot)
        frac = (2 * below + ties) / (2 * resamples)
        z0 = st.norm.ppf(frac)
        jack = np.array([np.mean(np.delete(d, i)) for i in range(n)])
        dj = jack.mean() - jack
        acc = np.sum(dj**3) / (6 * np.sum(dj**2) ** 1.5)
        bounds = []
        for z in (st.norm.ppf(0.025), st.norm.ppf(0.975)):
            alpha = st.norm.cdf(z0 + (z0 + z) / (1 - acc * (z0 + z)))
            bounds.append(np.quantile(boot, alpha))
        what = f"BCa {row['metric']} {row['cell']}"
        close(row["bca_low"], bounds[0], what + " low", rtol=1e-7, atol=1e-12)
        close(row["bca_high"], bounds[1], what + " high", rtol=1e-7, atol=1e-12)
        checked += np.isfinite(bounds[0])
    expect(checked >= 4, f"only {checked} finite BCa intervals checked")


def case_formats():
    panel = make_panel()
    out_dir = os.path.join(WORK, "out")
    shutil.rmtree(out_dir, ignore_errors=True)
    for fmt, ext in (("table", "txt"), ("csv", "csv"), ("markdown", "md"), ("json", "json")):
        p = run(["report", panel, "--metric", "mm_pnl", "--format", fmt, "--out", out_dir,
                 "--no-write"])
        with open(os.path.join(out_dir, f"report-report.{ext}")) as f:
            expect(f.read() == p.stdout, f"--out file of {fmt} equals stdout")
    table = run(["report", panel, "--metric", "mm_pnl", "--no-write"]).stdout
    expect("contrasts" in table and "vrf" in table and "activity=0.2, value_ms=5.0" in table,
           table)
    csv = run(["report", panel, "--metric", "mm_pnl", "--format", "csv", "--no-write"]).stdout
    summary_block, contrast_block = csv.split("\n\n")
    expect(summary_block.splitlines()[0].startswith("metric,cell,label,n,n_missing,mean"), csv)
    expect(len(summary_block.splitlines()) == 7 and len(contrast_block.splitlines()) == 5, csv)
    md = run(["report", panel, "--metric", "mm_pnl", "--format", "markdown", "--no-write"]).stdout
    expect("| metric | cell |" in md and "| ---: |" in md, md)


def case_errors():
    panel = make_panel()
    p = run(["report", panel, "--metric", "no_such_metric"], expect_code=2)
    expect("unknown metric 'no_such_metric'" in p.stderr and "mm_pnl" in p.stderr, p.stderr)
    p = run(["report", panel, "--baseline", "activity=0.5"], expect_code=2)
    expect("matches no cell" in p.stderr and "0.06" in p.stderr, p.stderr)
    p = run(["report", panel, "--baseline", "nosuchkey=1"], expect_code=2)
    expect("matches no /cells column" in p.stderr, p.stderr)
    p = run(["report", panel, "--baseline", "mechanism=clob"], expect_code=2)
    expect("one contrast group" in p.stderr, p.stderr)
    future = os.path.join(WORK, "future.h5")
    shutil.copy(panel, future)
    with h5py.File(future, "r+") as f:
        f.attrs["schema_version"] = np.int32(99)
    p = run(["report", future], expect_code=2)
    expect("unknown panel schema_version 99" in p.stderr, p.stderr)
    text = os.path.join(WORK, "not-a-panel.h5")
    with open(text, "w") as f:
        f.write("hello\n")
    p = run(["report", text], expect_code=2)
    expect("not a panel" in p.stderr, p.stderr)
    other = os.path.join(WORK, "other.h5")
    with h5py.File(other, "w") as f:
        f["x"] = np.arange(3)
    p = run(["report", other], expect_code=2)
    expect("not a panel" in p.stderr, p.stderr)
    run(["report", os.path.join(WORK, "missing.h5")], expect_code=2)
    with h5py.File(panel, "r") as f:
        expect("summary" not in f, "failed reports wrote nothing")


def case_sim_from():
    panel = make_panel()
    runs, _, reps, _ = load(panel)
    with h5py.File(panel, "r") as f:
        names = [n for n in f["runs"] if "units" in f["runs"][n].attrs and n != "events"]
    for cell, rep in ((0, 0), (3, 7), (5, 11)):
        p = run(["sim", "--from", panel, "--cell", str(cell), "--rep", str(rep), "--format",
                 "json"])
        doc = json.loads(p.stdout)
        expect(doc["matches_panel"] is True and doc["differences"] == [], p.stdout)
        row = cell * reps + rep
        expect(doc["seed"] == int(runs["seed"][row]), "seed")
        expect(doc["events_processed"] == int(runs["events"][row]), "events")
        for name in names:
            stored = float(runs[name][row])
            got = doc["metrics"][name]
            if math.isnan(stored):
                expect(got is None, f"{name}: stored NaN, re-run {got}")
            else:
                # Bit-exact: JSON carries the shortest round-trip repr of the double.
                expect(got is not None and float(got) == stored, f"{name}: {got} vs {stored}")
    table = run(["sim", "--from", panel, "--cell", "2", "--rep", "1"]).stdout
    expect("matches panel: yes" in table, table)
    events = os.path.join(WORK, "events.jsonl")
    run(["sim", "--from", panel, "--cell", "2", "--rep", "1", "--events", events])
    expect(os.path.getsize(events) > 0, "event log written")
    # A tampered row is reported and exits 1.
    tampered = os.path.join(WORK, "tampered.h5")
    shutil.copy(panel, tampered)
    with h5py.File(tampered, "r+") as f:
        f["runs/mm_pnl"][4] = 123.0
    p = run(["sim", "--from", tampered, "--cell", "0", "--rep", "4"], expect_code=1)
    expect("matches panel: no" in p.stdout and "mm_pnl: stored 123" in p.stdout, p.stdout)
    # Usage errors.
    p = run(["sim", "--from", panel, "--cell", "99"], expect_code=2)
    expect("no run (cell 99" in p.stderr, p.stderr)
    run(["sim", "--from", panel], expect_code=2)
    run(["sim"], expect_code=2)
    p = run(["sim", FIXTURE, "--from", panel, "--cell", "0"], expect_code=2)
    expect("not both" in p.stderr, p.stderr)


def case_quickstart_adverse_selection():
    """The shipped quickstart sweep shows adverse selection (issue 15): the market makers lose
    to informed traders at 1 s in every cell, more informed activity raises that loss (paired
    CI above 0) and lowers the market makers' P&L (paired CI below 0)."""
    source = os.path.dirname(os.path.dirname(FIXTURES.rstrip("/")))
    config = os.path.join(os.path.dirname(source), "configs", "quickstart-sweep.toml")
    os.makedirs(WORK, exist_ok=True)
    out = os.path.join(WORK, "quickstart.h5")
    run(["sweep", config, "--out", out, "--overwrite", "--quiet"])
    doc = report_json(out, "--no-write", "--metric", "as_informed_1s", "--metric", "mm_pnl")
    cells = [s for s in doc["summary"] if s["metric"] == "as_informed_1s"]
    expect(len(cells) == 4, f"{len(cells)} cells")
    for s in cells:
        expect(s["n"] == 32 and s["ci_low"] > 0, f"as_informed_1s not positive in {s['label']}: {s}")
    contrasts = {(c["metric"], c["cell"]): c for c in doc["contrasts"]}
    expect(len(contrasts) == 4, f"contrasts {sorted(contrasts)}")
    for (metric, cell), c in contrasts.items():
        expect("activity=0.24" in c["label"] and "activity=0.06" in c["baseline_label"],
               f"contrast of {c['label']} against {c['baseline_label']}")
        if metric == "as_informed_1s":
            expect(c["ci_low"] > 0, f"more informed activity should raise as_informed_1s: {c}")
        else:
            expect(c["ci_high"] < 0, f"more informed activity should lower mm_pnl: {c}")


def case_survival_sweep():
    """configs/survival.toml spans the kill probability from about 0 to about 1 (issue 15), and
    the report gives it with a Wilson interval."""
    source = os.path.dirname(os.path.dirname(os.path.dirname(FIXTURES.rstrip("/"))))
    config = os.path.join(source, "configs", "survival.toml")
    os.makedirs(WORK, exist_ok=True)
    out = os.path.join(WORK, "survival.h5")
    run(["sweep", config, "--out", out, "--overwrite", "--quiet"])
    doc = report_json(out, "--no-write", "--metric", "mm_survival", "--metric", "mm_time_to_kill")
    survival = {s["label"]: s for s in doc["summary"] if s["metric"] == "mm_survival"}
    kill_time = {s["label"]: s for s in doc["summary"] if s["metric"] == "mm_time_to_kill"}
    expect(len(survival) == 12, f"{len(survival)} cells")
    safe, exposed = "activity=0.02, delay_ms=10.0", "activity=1.0, delay_ms=2000.0"
    expect(survival[safe]["mean"] >= 0.9, f"kill probability at {safe}: {survival[safe]}")
    expect(survival[exposed]["mean"] <= 0.1, f"kill probability at {exposed}: {survival[exposed]}")
    for s in survival.values():
        expect(s["wilson_low"] <= s["mean"] <= s["wilson_high"], f"Wilson interval of {s}")
    expect(survival[exposed]["wilson_high"] < 0.25, f"Wilson upper bound {survival[exposed]}")
    expect(kill_time[exposed]["mean"] < 60.0 and kill_time[safe]["mean"] > 50.0,
           f"time to kill {kill_time[exposed]['mean']} and {kill_time[safe]['mean']}")


CASES = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}

if __name__ == "__main__":
    if CASE not in CASES:
        fail(f"unknown case {CASE}; cases: {', '.join(CASES)}")
    CASES[CASE]()
    print(f"ok: {CASE}")
