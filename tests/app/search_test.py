#!/usr/bin/env python3
"""CLI tests of `proteus search adversarial|pareto`, `proteus calibrate` and `proteus gate`.

Usage: search_test.py CASE PROTEUS_BINARY REPO_DIR WORK_DIR
Expected numbers are computed here from the panels' /runs with NumPy/SciPy (Wilson intervals,
paired t-intervals, CVaR, domination), never taken from the outputs under test.
"""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
from scipy import stats

CASE, PROTEUS, REPO, WORK = sys.argv[1:5]
MARKET = os.path.join(REPO, "configs", "search", "market.toml")
BASELINE_REGIME = os.path.join(REPO, "configs", "search", "regimes", "baseline.toml")
EXPERIMENTS = os.path.join(REPO, "configs", "experiments")
ADVERSARIAL_SPACE = ["--space", "agents.informed.activity=0.01:1:log",
                     "--space", "agents.market_maker.signal.delay_ms=10:2000:log",
                     "--space", "latent.jump_rate=0:2",
                     "--space", "latent.sigma_eta=0.05:0.6"]
MM_SPACE = ["--space", "agents.market_maker.h0=0.005:0.08:log",
            "--space", "agents.market_maker.kappa=0.0005:0.02:log"]


def fail(msg):
    sys.exit(f"FAIL: {msg}")


def expect(cond, msg):
    if not cond:
        fail(msg)


def run(cmd, expect_code=0, ranks=None, timeout=170):
    if ranks is not None:
        cmd = ["mpirun", "--oversubscribe", "-np", str(ranks), *cmd]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    p.elapsed = time.monotonic() - t0
    if expect_code is not None and p.returncode != expect_code:
        fail(f"{' '.join(cmd)}: exit {p.returncode}, expected {expect_code}\n{p.stdout}\n{p.stderr}")
    return p


def adversarial(out, extra=(), generations=3, **kw):
    return run([PROTEUS, "search", "adversarial", MARKET, *ADVERSARIAL_SPACE,
                "--generations", str(generations), "--population", "8", "--repetitions", "16",
                "--seed", "7", "--top-k", "3", "--out", out, *extra], **kw)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def same_files(a, b, names):
    for name in names:
        expect(read(os.path.join(a, name)) == read(os.path.join(b, name)),
               f"{name} differs between {a} and {b}")


def panel_cells(panel, metric):
    """Per cell, the values of `metric` in repetition order (failed runs NaN)."""
    with h5py.File(panel, "r") as f:
        cells = f["runs/cell"][()]
        reps = f["runs/rep"][()]
        values = f["runs"][metric][()].astype(float)
        ok = f["runs/status"][()] == 0
        values[~ok] = np.nan
        out = []
        for c in range(len(f["cells/label"])):
            rows = np.nonzero(cells == c)[0]
            out.append(values[rows[np.argsort(reps[rows])]])
    return out


def wilson(k, n, level=0.95):
    z = stats.norm.ppf((1 + level) / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def cvar(losses, level=0.95):
    var = np.quantile(losses, level)
    return losses[losses >= var].mean()


def check_rows_against_panels(out, rows, prefix="gen"):
    """Each CSV row's statistics equal what NumPy computes from its generation's panel."""
    for row in rows:
        g, i = int(row["generation"]), int(row["index"])
        panel = os.path.join(out, f"{prefix}-{g:03}.h5")
        surv = panel_cells(panel, "mm_survival")[i]
        pnl = panel_cells(panel, "mm_pnl")[i]
        dd = panel_cells(panel, "mm_max_drawdown")[i]
        kills = int(np.sum(surv == 0))
        n = len(surv)
        expect(int(row["kills"]) == kills and int(row["n"]) == n, f"kills of {g}/{i}")
        lo, hi = wilson(kills, n)
        expect(abs(float(row["kill_wilson_high"]) - hi) < 1e-9, f"Wilson upper of {g}/{i}: {row} vs {hi}")
        expect(abs(float(row["kill_wilson_low"]) - lo) < 1e-9, f"Wilson lower of {g}/{i}")
        expect(abs(float(row["pnl_mean"]) - pnl.mean()) < 1e-9, f"mean P&L of {g}/{i}")
        expect(abs(float(row["drawdown_mean"]) - dd.mean()) < 1e-9, f"mean drawdown of {g}/{i}")
        expect(abs(float(row["drawdown_cvar_95"]) - cvar(dd)) < 1e-9, f"drawdown CVaR of {g}/{i}")
        expect(abs(float(row["pnl_cvar_95"]) - cvar(-pnl)) < 1e-9, f"P&L CVaR of {g}/{i}")


def csv_rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def sim_survival(scenario, rep):
    p = run([PROTEUS, "sim", scenario, "--rep", str(rep), "--format", "json"])
    return json.loads(p.stdout)["metrics"]["mm_survival"]


ADVERSARIAL_OUTPUTS = ["generations.csv", "search.json", "library/library.json",
                       "library/manifest_sha256.json", "library/adv-001.toml",
                       "library/adv-002.toml", "library/adv-003.toml"]


def case_adversarial_ranks():
    one, three = os.path.join(WORK, "one"), os.path.join(WORK, "three")
    p1 = adversarial(one)
    adversarial(three, extra=["--quiet"], ranks=3)
    same_files(one, three, ADVERSARIAL_OUTPUTS)
    expect(p1.stderr.count("search: generation") == 3, f"one progress line per generation:\n{p1.stderr}")
    rows = csv_rows(os.path.join(one, "generations.csv"))
    expect(len(rows) == 24, f"24 candidates, got {len(rows)}")
    check_rows_against_panels(one, rows)
    # The library holds the most lethal candidates: none outside it kills more often.
    index = json.load(open(os.path.join(one, "library", "library.json")))
    top = json.load(open(os.path.join(one, "search.json")))["top"]
    best = max(float(r["kill_p"]) for r in rows)
    expect(abs(top[0]["stats"]["kill_p"] - best) < 1e-12, f"top scenario kill {top[0]} vs best {best}")
    # The base market rarely kills (kill probability over 16 repetitions of the same seed)...
    base_kills = sum(1 - sim_survival(MARKET, r) for r in range(16))
    # ...the failure scenario found kills, and `proteus sim` shows it at the reported reps.
    expect(top[0]["stats"]["kill_p"] >= 0.4 and base_kills <= 2,
           f"search found no failure: top {top[0]['stats']['kill_p']}, base kills {base_kills}/16")
    scenario = os.path.join(one, "library", index["scenarios"][0]["file"])
    killed = top[0]["killed_reps"]
    expect(len(killed) == top[0]["stats"]["kills"] and killed, f"killed reps {killed}")
    for rep in killed[:3]:
        expect(sim_survival(scenario, rep) == 0, f"proteus sim {scenario} --rep {rep}: no kill")
    survived = [r for r in range(16) if r not in killed]
    if survived:
        expect(sim_survival(scenario, survived[0]) == 1, f"rep {survived[0]} should survive")
    print(f"adversarial 1 rank: {p1.elapsed:.2f} s; top kill {top[0]['stats']['kill_p']}")


def case_adversarial_resume():
    fresh, grown, cut = (os.path.join(WORK, n) for n in ("fresh", "grown", "cut"))
    adversarial(fresh, extra=["--quiet"])
    # Two generations, then the same search with three: the first two panels are reused.
    adversarial(grown, generations=2)
    p = adversarial(grown)
    expect(p.stderr.count("(reused)") == 2, f"generations 1-2 reused:\n{p.stderr}")
    same_files(fresh, grown, ADVERSARIAL_OUTPUTS)
    # A panel lost (a run stopped before the generation finished) is run again.
    adversarial(cut, extra=["--quiet"])
    os.remove(os.path.join(cut, "gen-001.h5"))
    p = adversarial(cut)
    expect(p.stderr.count("(reused)") == 2, f"generations 1 and 3 reused:\n{p.stderr}")
    same_files(fresh, cut, ADVERSARIAL_OUTPUTS)


def case_interrupt_resume():
    """SIGTERM inside a generation: exit 3, and the same command again finishes the search with
    the outputs of an uninterrupted one."""
    fresh, stopped = os.path.join(WORK, "fresh"), os.path.join(WORK, "stopped")
    big = ["--repetitions", "1200", "--quiet"]
    cmd = [PROTEUS, "search", "adversarial", MARKET, "--space", "latent.jump_rate=0:2",
           "--space", "latent.sigma_eta=0.05:0.6", "--generations", "2", "--population", "6",
           "--seed", "11", "--top-k", "2", *big]
    run(cmd + ["--out", fresh])
    proc = subprocess.Popen(cmd + ["--out", stopped], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    panel = os.path.join(stopped, "gen-000.h5")
    deadline = time.monotonic() + 60
    while not os.path.exists(panel) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    expect(proc.returncode == 3, f"interrupted search: exit {proc.returncode}, expected 3\n{err}")
    expect("run the same command again to resume" in err, err)
    expect(not os.path.exists(os.path.join(stopped, "search.json")), "no outputs before the end")
    run(cmd + ["--out", stopped])
    same_files(fresh, stopped, ["generations.csv", "search.json", "library/library.json",
                                "library/manifest_sha256.json", "library/adv-001.toml"])


def gate(candidate, out, library, expect_code, ranks=None, extra=()):
    return run([PROTEUS, "gate", candidate, BASELINE_REGIME, "--library", library,
                "--scenario", MARKET, "--repetitions", "32", "--seed", "3", "--out", out,
                "--quiet", *extra], expect_code=expect_code, ranks=ranks)


def regime(name, h0):
    path = os.path.join(WORK, f"{name}.toml")
    with open(path, "w") as f:
        f.write(f"agents.market_maker.h0 = {h0}\nagents.market_maker.kappa = 0.002\n"
                "agents.market_maker.loss_limit = 1.0\n")
    return path


def check_gate_numbers(out):
    """The pooled paired P&L interval and each scenario's kill difference, from the panels."""
    report = json.load(open(os.path.join(out, "gate.json")))
    diffs = []
    level = report["scenario_level"]
    for i, row in enumerate(report["scenarios"]):
        panel = os.path.join(out, f"scenario-{i:03}.h5")
        base, cand = panel_cells(panel, "mm_pnl")
        diffs.extend(cand - base)
        sb, sc = panel_cells(panel, "mm_survival")
        d = (1 - sc) - (1 - sb)
        expect(abs(row["kill_diff"]["mean_diff"] - d.mean()) < 1e-12, f"kill diff of {row['id']}")
        if d.std() > 0:
            t = stats.t.ppf((1 + level) / 2, len(d) - 1)
            lo = d.mean() - t * d.std(ddof=1) / np.sqrt(len(d))
            expect(abs(row["kill_diff"]["ci_low"] - lo) < 1e-9, f"kill CI of {row['id']}")
    diffs = np.array(diffs)
    t = stats.t.ppf(0.975, len(diffs) - 1)
    half = t * diffs.std(ddof=1) / np.sqrt(len(diffs))
    pooled = report["pooled_pnl"]
    expect(abs(pooled["mean_diff"] - diffs.mean()) < 1e-9, "pooled P&L mean")
    expect(abs(pooled["ci_low"] - (diffs.mean() - half)) < 1e-9, "pooled P&L lower bound")
    return report


def case_gate_codes():
    search = os.path.join(WORK, "search")
    adversarial(search, extra=["--quiet"])
    library = os.path.join(search, "library")
    # PASS: a wider half-spread earns more and is killed no more often, on every scenario.
    wide = regime("wide", 0.04)
    p = gate(wide, os.path.join(WORK, "pass"), library, 0)
    report = check_gate_numbers(os.path.join(WORK, "pass"))
    expect(report["verdict"] == "PASS" and report["pooled_pnl"]["ci_low"] > 0, f"PASS: {p.stdout}")
    expect(len(report["scenarios"]) == 4, "3 library scenarios + 1 out-of-sample")
    gate(wide, os.path.join(WORK, "pass3"), library, 0, ranks=3)
    same_files(os.path.join(WORK, "pass"), os.path.join(WORK, "pass3"), ["gate.json", "gate.md"])
    # FAIL: a quarter of the half-spread is killed more often with confidence somewhere.
    tight = regime("tight", 0.005)
    gate(tight, os.path.join(WORK, "fail"), library, 1)
    report = check_gate_numbers(os.path.join(WORK, "fail"))
    expect(report["verdict"] == "FAIL" and any(
        r["kill_diff"]["ci_low"] > 0 for r in report["scenarios"]), "FAIL by the kill guardrail")
    # HOLD: a half-spread 0.5% wider cannot be told apart with 32 repetitions.
    same = regime("same", 0.0201)
    gate(same, os.path.join(WORK, "hold"), library, 2)
    report = check_gate_numbers(os.path.join(WORK, "hold"))
    expect(report["verdict"] == "HOLD" and report["pooled_pnl"]["ci_low"] <= 0 and
           not any(r["broken"] for r in report["scenarios"]), "HOLD")
    # Under mpirun the verdict is the job's exit code too (Open MPI returns rank 0's).
    gate(same, os.path.join(WORK, "hold3"), library, 2, ranks=3)
    same_files(os.path.join(WORK, "hold"), os.path.join(WORK, "hold3"), ["gate.json", "gate.md"])
    # ERROR: a tampered library (one value edited) is refused before any run.
    tampered = os.path.join(WORK, "tampered")
    shutil.copytree(library, tampered)
    path = os.path.join(tampered, "adv-002.toml")
    text = open(path).read().replace("count = 1", "count = 2", 1)
    open(path, "w").write(text)
    p = gate(wide, os.path.join(WORK, "error"), tampered, 3)
    expect("adv-002.toml does not match its manifest" in p.stderr, p.stderr)
    expect(not os.path.exists(os.path.join(WORK, "error", "scenario-000.h5")), "nothing ran")
    # Usage errors are ERROR too (2 keeps its HOLD meaning).
    run([PROTEUS, "gate", wide, "--out", WORK], expect_code=3)
    run([PROTEUS, "gate", wide, BASELINE_REGIME, "--bogus", "--out", WORK], expect_code=3)
    run([PROTEUS, "gate", wide, BASELINE_REGIME, "--out", os.path.join(WORK, "x")], expect_code=3)


def case_library_tampered():
    search = os.path.join(WORK, "search")
    wide = regime("wide", 0.04)
    adversarial(search, extra=["--quiet", "--regime", wide], generations=1)
    library = os.path.join(search, "library")
    # --regime puts the market maker under test into every failure scenario.
    expect("h0 = 0.04\n" in open(os.path.join(library, "adv-001.toml")).read(), "regime applied")
    for name, change, message in [
            ("extra", lambda d: shutil.copy(os.path.join(d, "adv-001.toml"), os.path.join(d, "adv-009.toml")),
             "adv-009.toml is not in the manifest"),
            ("missing", lambda d: os.remove(os.path.join(d, "adv-003.toml")), "adv-003.toml is listed"),
            ("index", lambda d: open(os.path.join(d, "library.json"), "a").write(" "),
             "library.json does not match"),
            ("no_manifest", lambda d: os.remove(os.path.join(d, "manifest_sha256.json")),
             "no manifest_sha256.json")]:
        copy = os.path.join(WORK, name)
        shutil.copytree(library, copy)
        change(copy)
        p = gate(wide, os.path.join(WORK, "out-" + name), copy, 3)
        expect(message in p.stderr, f"{name}: {p.stderr}")


def calibrate(out, ranks=None, extra=()):
    return run([PROTEUS, "calibrate", "baseline", "--preset", "quick", "--experiments", EXPERIMENTS,
                "--fix", "agents.market_maker.loss_limit=1.0", *MM_SPACE, "--candidates", "12",
                "--repetitions", "32", "--seed", "5", "--kill-max", "0.2", "--out", out, *extra],
               ranks=ranks)


def case_calibrate_experiment():
    one, three = os.path.join(WORK, "one"), os.path.join(WORK, "three")
    p = calibrate(one)
    calibrate(three, ranks=3, extra=["--quiet"])
    same_files(one, three, ["calibration.json", "calibration.md", "regime.toml", "candidates.csv"])
    report = json.load(open(os.path.join(one, "calibration.json")))
    rows = csv_rows(os.path.join(one, "candidates.csv"))
    # The rule, re-applied to the screen panel: survivors, then lowest kill bound, highest P&L.
    surv = panel_cells(os.path.join(one, "screen.h5"), "mm_survival")
    pnl = panel_cells(os.path.join(one, "screen.h5"), "mm_pnl")
    keys = []
    for i, s in enumerate(surv):
        hi = wilson(int(np.sum(s == 0)), len(s))[1]
        if hi < 0.2 and pnl[i].mean() > 0:
            keys.append((hi, -pnl[i].mean(), i))
    expect(keys, "some regime survives")
    chosen = min(keys)[2]
    expect(report["chosen"]["index"] == chosen, f"chosen {report['chosen']['index']} vs {chosen}")
    expect(report["survivors"] == len(keys), "survivor count")
    expect(float(rows[chosen]["agents.market_maker.h0"]) == report["regime"]["agents.market_maker.h0"],
           "regime holds the chosen values")
    sens = report["sensitivity"]
    expect(len(sens) == 6 and {s["informed"] for s in sens} == {0.03, 0.12, 0.24}, "sensitivity grid")
    # The regime, fed to the baseline experiment (another seed, 64 repetitions), survives at low
    # informed activity as claimed: kill-probability upper bound below 0.2, mean P&L above 0.
    results = os.path.join(WORK, "results")
    run([PROTEUS, "experiment", "run", "baseline", "--preset", "quick", "--out", results,
         "--experiments", EXPERIMENTS, "--regime", os.path.join(one, "regime.toml"), "--quiet"])
    folder = [d for d in os.listdir(results) if d.startswith("baseline-quick-")][0]
    panel = os.path.join(results, folder, "panel.h5")
    with h5py.File(panel, "r") as f:
        activity = f["cells/agents.informed.activity"][()]
        config = f.attrs["config"]
        config = config.decode() if isinstance(config, bytes) else config
    expect("loss_limit = 1.0" in config, "the regime reached the experiment's scenario")
    low = [c for c, a in enumerate(activity) if abs(a - 0.03) < 1e-12]
    expect(len(low) == 2, f"two low-activity cells, got {low}")
    s_cells = panel_cells(panel, "mm_survival")
    p_cells = panel_cells(panel, "mm_pnl")
    for c in low:
        hi = wilson(int(np.sum(s_cells[c] == 0)), len(s_cells[c]))[1]
        expect(hi < 0.2 and p_cells[c].mean() > 0,
               f"cell {c}: kill upper bound {hi}, mean P&L {p_cells[c].mean()}")
    print(f"calibrate 1 rank: {p.elapsed:.2f} s")


def pareto(out, ranks=None, extra=()):
    return run([PROTEUS, "search", "pareto", MARKET, *MM_SPACE, "--generations", "3",
                "--population", "8", "--repetitions", "16", "--seed", "4", "--out", out, *extra],
               ranks=ranks)


def case_pareto_ranks():
    one, three = os.path.join(WORK, "one"), os.path.join(WORK, "three")
    p = pareto(one)
    pareto(three, ranks=3, extra=["--quiet"])
    same_files(one, three, ["candidates.csv", "frontier.csv", "frontier.json"])
    rows = csv_rows(os.path.join(one, "candidates.csv"))
    expect(len(rows) == 24, "24 candidates")
    check_rows_against_panels(one, rows)
    obj = [(float(r["pnl_mean"]), float(r["kill_wilson_high"]), float(r["drawdown_cvar_95"]))
           for r in rows]

    def dominated(b):
        return any(a[0] >= b[0] and a[1] <= b[1] and a[2] <= b[2] and a != b for a in obj)
    expected = {(r["generation"], r["index"]) for r, o in zip(rows, obj) if not dominated(o)}
    front = {(r["generation"], r["index"]) for r in csv_rows(os.path.join(one, "frontier.csv"))}
    expect(front == expected, f"frontier {sorted(front)} vs {sorted(expected)}")
    # frontier.h5 holds the same rows as frontier.csv, column by column.
    frows = csv_rows(os.path.join(one, "frontier.csv"))
    with h5py.File(os.path.join(one, "frontier.h5"), "r") as f:
        expect(f.attrs["command"] in ("search pareto", b"search pareto"), "frontier.h5 attributes")
        for col in ["generation", "index", "agents.market_maker.h0", "pnl_mean",
                    "kill_wilson_high", "drawdown_cvar_95"]:
            got = f["frontier"][col][()]
            want = np.array([float(r[col]) for r in frows])
            expect(np.array_equal(got, want), f"frontier.h5 {col}: {got} vs {want}")
    print(f"pareto 1 rank: {p.elapsed:.2f} s")


if __name__ == "__main__":
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    globals()[f"case_{CASE}"]()
    print(f"{CASE}: ok")
