#!/usr/bin/env python3
"""CLI tests of `proteus experiment` and of adaptive precision / panel growth in `proteus sweep`.

Usage: experiment_test.py CASE PROTEUS_BINARY REPO_DIR WORK_DIR
Expected numbers are computed here from the panel's /runs with NumPy/SciPy, never taken from
the report under test. Panels are compared with tests/sweep/compare_panels.py.
"""
import glob
import hashlib
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
sys.path.insert(0, os.path.join(REPO, "tests", "sweep"))
import compare_panels  # noqa: E402

EXPERIMENTS = os.path.join(REPO, "configs", "experiments")
SMALL = os.path.join(REPO, "tests", "sweep", "fixtures", "small.toml")
VERDICTS = {"better", "worse", "inconclusive", "over_budget", "no_data"}


def fail(msg):
    sys.exit(f"FAIL: {msg}")


def expect(cond, msg):
    if not cond:
        fail(msg)


def run(cmd, expect_code=0, ranks=None, env_extra=None, timeout=170):
    if ranks is not None:
        cmd = ["mpirun", "--oversubscribe", "-np", str(ranks), *cmd]
    env = dict(os.environ, **(env_extra or {}))
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    p.elapsed = time.monotonic() - t0
    if expect_code is not None and p.returncode != expect_code:
        fail(f"{' '.join(cmd)}: exit {p.returncode}, expected {expect_code}\n{p.stdout}\n{p.stderr}")
    return p


def experiment(name, out, preset="quick", extra=(), **kw):
    return run([PROTEUS, "experiment", "run", name, "--preset", preset, "--out", out,
                "--experiments", EXPERIMENTS, "--quiet", *extra], **kw)


def folder(out, name, preset="quick"):
    found = sorted(glob.glob(os.path.join(out, f"{name}-{preset}-" + "[0-9a-f]" * 8)))
    expect(len(found) == 1, f"expected one folder {name}-{preset}-<hash> in {out}, found {found}")
    return found[0]


def load(folder_path, name):
    with open(os.path.join(folder_path, name)) as f:
        return json.load(f)


def rep_values(panel, metric, cell):
    """(values, ok) of one cell, in repetition order."""
    with h5py.File(panel, "r") as f:
        cells = f["runs/cell"][()]
        reps = f["runs/rep"][()]
        rows = np.nonzero(cells == cell)[0]
        rows = rows[np.argsort(reps[rows])]
        values = f["runs"][metric][()][rows]
        ok = f["runs/status"][()][rows] == 0
    return values, ok & np.isfinite(values)


def paired_ci(a, b, level=0.95):
    d = a - b
    n = len(d)
    m = d.mean()
    se = d.std(ddof=1) / np.sqrt(n)
    t = stats.t.ppf((1 + level) / 2, n - 1)
    return m, m - t * se, m + t * se


def check_verdicts(folder_path, better="lower"):
    """Every verdict's numbers agree with the panel and its label follows the rule."""
    report = load(folder_path, "report.json")
    panel = os.path.join(folder_path, "panel.h5")
    exp = report["experiment"]
    metric = exp["primary_endpoint"]["metric"]
    expect(report["verdicts"], "no verdicts in report.json")
    for v in report["verdicts"]:
        expect(v["verdict"] in VERDICTS, f"unknown verdict {v['verdict']}")
        a, oka = rep_values(panel, metric, v["cell"])
        b, okb = rep_values(panel, metric, v["baseline_cell"])
        ok = oka & okb
        m, lo, hi = paired_ci(a[ok], b[ok])
        p = v["primary"]
        expect(p["n"] == int(ok.sum()), f"cell {v['cell']}: n {p['n']} vs {ok.sum()}")
        for key, want in (("mean_diff", m), ("ci_low", lo), ("ci_high", hi)):
            expect(abs(p[key] - want) <= 1e-9 * max(1.0, abs(want)),
                   f"cell {v['cell']}: {key} {p[key]} vs SciPy {want}")
        improves = hi < 0 if better == "lower" else lo > 0
        worsens = lo > 0 if better == "lower" else hi < 0
        if improves:
            expect(v["verdict"] in ("better", "over_budget"), f"cell {v['cell']}: {v}")
            if "budget" in v:
                within = v["budget"]["ci_high"] <= v["budget_limit"]
                expect(v["verdict"] == ("better" if within else "over_budget"), f"{v}")
        elif worsens:
            expect(v["verdict"] == "worse", f"cell {v['cell']}: {v}")
        else:
            expect(v["verdict"] == "inconclusive", f"cell {v['cell']}: {v}")
        expect(metric in v["reason"], f"the reason does not name {metric}: {v['reason']}")
    return report


def check_folder(folder_path, ranks=1):
    for name in ("panel.h5", "report.json", "report.md", "report.csv", "metadata.json", "sweep.toml"):
        expect(os.path.exists(os.path.join(folder_path, name)), f"{name} missing in {folder_path}")
    meta = load(folder_path, "metadata.json")
    with open(os.path.join(folder_path, "sweep.toml"), "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    expect(meta["config_sha256"] == sha, "metadata config_sha256 is not the SHA-256 of sweep.toml")
    expect(folder_path.endswith(sha[:8]), "the folder name does not end in the config hash")
    expect(len(meta["git_commit"]) >= 7 and isinstance(meta["git_dirty"], bool), f"{meta}")
    for key in ("open_mpi", "hdf5", "compiler"):
        expect(meta["versions"][key] and meta["versions"][key] != "unknown", f"versions: {meta}")
    expect(meta["ranks"] == ranks, f"ranks {meta['ranks']} != {ranks}")
    with h5py.File(os.path.join(folder_path, "panel.h5"), "r") as f:
        expect(meta["master_seed"] == int(f.attrs["master_seed"]), "master seed")
        expect(meta["repetitions"] == int(f["runs/rep"][()].max()) + 1, "repetitions")
    expect(meta["wall_time_s"] > 0 and meta["start_time"] <= meta["end_time"], f"{meta}")
    with open(os.path.join(folder_path, "report.md")) as f:
        md = f.read()
    expect("## Verdicts" in md and "Decision rule" in md, "report.md lacks the verdicts")
    return meta


def quick(name):
    out = os.path.join(WORK, "out")
    p = experiment(name, out)
    expect(p.elapsed < 60, f"quick preset of {name} took {p.elapsed:.1f} s (limit 60)")
    f = folder(out, name)
    check_folder(f)
    report = check_verdicts(f)
    expect("Verdicts" in p.stdout, "the terminal output lacks the verdicts")
    print(f"{name} quick: {p.elapsed:.1f} s, verdicts:",
          {v["label"]: v["verdict"] for v in report["verdicts"]})
    return f, report


def case_quick_baseline():
    f, report = quick("baseline")
    # More informed activity must raise the market maker's loss at 1 s in every latency level.
    expect(all(v["verdict"] == "worse" for v in report["verdicts"]), f"{report['verdicts']}")
    check_interactions(f, report)


def check_interactions(f, report):
    panel = os.path.join(f, "panel.h5")
    expect(report["interactions"], "no interaction contrasts")
    for i in report["interactions"]:
        th, bh, tl, bl = i["cells"]
        metric = i["effect"]["metric"]
        vals = [rep_values(panel, metric, c) for c in (th, bh, tl, bl)]
        ok = vals[0][1] & vals[1][1] & vals[2][1] & vals[3][1]
        high = vals[0][0][ok] - vals[1][0][ok]
        low = vals[2][0][ok] - vals[3][0][ok]
        m, lo, hi = paired_ci(high, low)
        expect(abs(i["effect"]["mean_diff"] - m) <= 1e-9 * max(1, abs(m)), f"DiD {i} vs {m}")
        expect(abs(i["effect"]["ci_low"] - lo) <= 1e-9 * max(1, abs(lo)), f"DiD ci {i}")
        expect(i["significant"] == (lo > 0 or hi < 0), f"{i}")


def check_secondary(report):
    sec = report["secondary"]
    expect(sec, "no secondary notes")
    ps = np.array([s["effect"]["p_value"] for s in sec if s["effect"]["p_value"] is not None])
    # Holm, computed here
    order = np.argsort(ps)
    m = len(ps)
    holm = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * ps[i]))
        holm[i] = running
    got = np.array([s["effect"]["p_adjusted"] for s in sec if s["effect"]["p_value"] is not None])
    expect(np.allclose(got, holm, rtol=1e-12, atol=1e-15), f"Holm: {got} vs {holm}")
    for s, h in zip([s for s in sec if s["effect"]["p_value"] is not None], holm):
        expect(s["significant"] == (h < 0.05), f"{s}")


def case_quick_delta():
    f, report = quick("delta")
    check_interactions(f, report)
    check_secondary(report)
    budget = [v for v in report["verdicts"] if "budget" in v]
    expect(all(v["budget"]["metric"] == "time_to_exec" for v in budget), "budget metric")


def case_quick_rfq():
    f, report = quick("rfq")
    cands = report["frontier_candidates"]
    front = report["frontier"]
    expect(front, "empty frontier")
    for p in cands:
        dominated = any(q["protection"] >= p["protection"] and q["error"] <= p["error"] and
                        (q["protection"] > p["protection"] or q["error"] < p["error"]) for q in cands)
        expect(p["on_front"] == (not dominated), f"frontier membership of {p}")
        expect(p["error_ci"][0] <= p["error"] <= p["error_ci"][1], f"error interval {p}")
        expect(p["protection_ci"][0] <= p["protection"] <= p["protection_ci"][1], f"{p}")
    panel = os.path.join(f, "panel.h5")
    for p in front:
        v, ok = rep_values(panel, "price_rmse", p["cell"])
        expect(abs(v[ok].mean() - p["error"]) <= 1e-12 * max(1, abs(p["error"])), f"{p}")


def case_dual_flow_gate():
    out = os.path.join(WORK, "out")
    p = experiment("dual-flow", out, expect_code=2)
    expect("gated" in p.stderr and "delta" in p.stderr and "rfq" in p.stderr,
           f"the refusal does not say why: {p.stderr}")
    expect(not glob.glob(os.path.join(out, "dual-flow-*")), "a refused run created its folder")
    experiment("delta", out)
    p = experiment("dual-flow", out, expect_code=2)
    expect("rfq: no results" in p.stderr and "delta: no results" not in p.stderr, p.stderr)
    experiment("rfq", out)
    # An rfq folder whose panel is incomplete does not count.
    rfq = folder(out, "rfq")
    os.rename(os.path.join(rfq, "report.json"), os.path.join(rfq, "report.json.off"))
    p = experiment("dual-flow", out, expect_code=2)
    expect("no report.json" in p.stderr, f"{p.stderr}")
    os.rename(os.path.join(rfq, "report.json.off"), os.path.join(rfq, "report.json"))
    experiment("dual-flow", out)
    check_verdicts(folder(out, "dual-flow"))


def case_rerun_resumes():
    out = os.path.join(WORK, "out")
    experiment("baseline", out)
    f = folder(out, "baseline")
    shutil.copy(os.path.join(f, "panel.h5"), os.path.join(WORK, "first.h5"))
    first = load(f, "report.json")
    p = experiment("baseline", out)
    expect(folder(out, "baseline") == f, "the rerun made another folder")
    expect(load(f, "metadata.json")["resumed"] is True, "metadata does not say resumed")
    expect(compare_panels.main(os.path.join(WORK, "first.h5"), os.path.join(f, "panel.h5")) == 0,
           "the rerun changed the panel")
    expect(load(f, "report.json")["verdicts"] == first["verdicts"], "verdicts changed on rerun")


def half_widths(panel, metric, reps):
    """Largest t half-width over the cells, using repetitions [0, reps) of each."""
    with h5py.File(panel, "r") as f:
        ncells = len(f["cells/label"])
    worst = 0.0
    for c in range(ncells):
        v, ok = rep_values(panel, metric, c)
        x = v[:reps][ok[:reps]]
        if len(x) == 0:
            continue
        hw = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
        worst = max(worst, hw)
    return worst


def case_target_ranks():
    metric = "as_loss_1s"
    probe = os.path.join(WORK, "probe")
    experiment("delta", probe)
    first = os.path.join(folder(probe, "delta"), "panel.h5")
    target = 0.6 * half_widths(first, metric, 64)  # needs about 2.8x the repetitions
    outs = {}
    for ranks in (1, 3):
        out = os.path.join(WORK, f"r{ranks}")
        experiment("delta", out, extra=("--target", f"{metric}={target!r}"),
                   ranks=ranks if ranks > 1 else None)
        outs[ranks] = folder(out, "delta")
    panel = os.path.join(outs[1], "panel.h5")
    report = load(outs[1], "report.json")
    reps = load(outs[1], "metadata.json")["repetitions"]
    expect(reps > 64 and (reps - 64) % 64 == 0, f"final repetitions {reps}")
    expect(half_widths(panel, metric, reps) <= target, "the final block misses the target")
    expect(half_widths(panel, metric, reps - 64) > target, "it did not stop at the first block meeting the target")
    trace = report["precision"]["trace"]
    expect([b["repetitions"] for b in trace] == list(range(64, reps + 1, 64)), f"trace {trace}")
    expect(report["precision"]["capped"] is False and not report["precision"]["capped_cells"], "capped")
    expect(compare_panels.main(panel, os.path.join(outs[3], "panel.h5")) == 0,
           "1 and 3 ranks give different panels")
    expect(load(outs[3], "metadata.json")["ranks"] == 3, "ranks in metadata")
    # The grown panel equals a panel run at once with the final repetitions.
    text = open(os.path.join(outs[1], "sweep.toml")).read().replace("repetitions = 64", f"repetitions = {reps}")
    flat = os.path.join(WORK, "flat.toml")
    open(flat, "w").write(text)
    run([PROTEUS, "sweep", flat, "--out", os.path.join(WORK, "flat.h5"), "--quiet"])
    expect(compare_panels.main(panel, os.path.join(WORK, "flat.h5")) == 0,
           "the grown panel differs from one run at the final repetitions")


def case_interrupt_resume():
    """An experiment with --target interrupted (SIGTERM) and run again ends with the same panel
    and precision trace as an uninterrupted run."""
    metric = "as_loss_1s"
    probe = os.path.join(WORK, "probe")
    experiment("delta", probe)
    target = 0.6 * half_widths(os.path.join(folder(probe, "delta"), "panel.h5"), metric, 64)
    extra = ("--target", f"{metric}={target!r}")
    whole = os.path.join(WORK, "whole")
    experiment("delta", whole, extra=extra)
    out = os.path.join(WORK, "cut")
    cmd = [PROTEUS, "experiment", "run", "delta", "--preset", "quick", "--out", out,
           "--experiments", EXPERIMENTS, "--quiet", *extra]
    env = dict(os.environ, PROTEUS_SWEEP_RUN_DELAY_MS="4")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not glob.glob(os.path.join(out, "delta-quick-*", "panel.h5")):
        expect(time.monotonic() < deadline and proc.poll() is None, "no panel appeared")
        time.sleep(0.01)
    time.sleep(2.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    expect(proc.returncode == 3 and "run the same command again" in err, f"{proc.returncode}: {err}")
    expect(not os.path.exists(os.path.join(folder(out, "delta"), "report.json")),
           "an interrupted run wrote a report")
    experiment("delta", out, extra=extra)
    a, b = folder(whole, "delta"), folder(out, "delta")
    expect(compare_panels.main(os.path.join(a, "panel.h5"), os.path.join(b, "panel.h5")) == 0,
           "interrupted + resumed differs from the uninterrupted run")
    expect(load(a, "report.json")["precision"]["trace"] == load(b, "report.json")["precision"]["trace"],
           "precision traces differ")
    expect(load(b, "metadata.json")["resumed"] is True, "metadata does not say resumed")


def case_sweep_grow():
    # --resume with more repetitions grows the panel; equal to a fresh panel at that size.
    small = open(SMALL).read()
    grown = os.path.join(WORK, "grown.toml")
    open(grown, "w").write(small)
    out = os.path.join(WORK, "g.h5")
    run([PROTEUS, "sweep", grown, "--out", out, "--quiet"])
    open(grown, "w").write(small.replace("repetitions = 12", "repetitions = 30"))
    run([PROTEUS, "sweep", grown, "--out", out, "--quiet", "--resume"])
    run([PROTEUS, "sweep", grown, "--out", os.path.join(WORK, "fresh.h5"), "--quiet"])
    expect(compare_panels.main(out, os.path.join(WORK, "fresh.h5")) == 0, "grown != fresh")
    # Shrinking is refused.
    open(grown, "w").write(small.replace("repetitions = 12", "repetitions = 20"))
    p = run([PROTEUS, "sweep", grown, "--out", out, "--quiet", "--resume"], expect_code=2)
    expect("only grows" in p.stderr, p.stderr)


def case_grow_killed():
    """SIGKILL at write points during a growth (copy into <panel>.grow, then the new rows): the
    next --resume finishes with the panel of a sweep run at once with the new repetitions."""
    small = open(SMALL).read()
    grown = os.path.join(WORK, "grown.toml")
    fresh = os.path.join(WORK, "fresh.h5")
    open(grown, "w").write(small.replace("repetitions = 12", "repetitions = 30"))
    run([PROTEUS, "sweep", grown, "--out", fresh, "--quiet"])
    for i, point in enumerate(("journal_synced:1", "hdf5_between_datasets:1", "hdf5_after_flush:2",
                               "before_journal_delete:2")):
        out = os.path.join(WORK, f"k{i}.h5")
        open(grown, "w").write(small)
        run([PROTEUS, "sweep", grown, "--out", out, "--quiet"])
        open(grown, "w").write(small.replace("repetitions = 12", "repetitions = 30"))
        p = run([PROTEUS, "sweep", grown, "--out", out, "--quiet", "--resume", "--batch", "4",
                 "--flush-seconds", "0.001"], expect_code=None,
                env_extra={"PROTEUS_TEST_KILL_AT": point, "PROTEUS_SWEEP_RUN_DELAY_MS": "2"})
        expect(p.returncode == -signal.SIGKILL, f"{point}: not killed (exit {p.returncode}) {p.stderr}")
        run([PROTEUS, "sweep", grown, "--out", out, "--quiet", "--resume"])
        expect(compare_panels.main(out, fresh) == 0, f"killed at {point}, resumed: differs from fresh")


def target_sweep(metric):
    """The adaptive sweep both sweep_target cases run on 1 rank: a target of 0.55 x the first
    block's widest half-width, blocks of 6, cap 120. Returns (base panel, target, the sweep
    arguments, the 1-rank panel, its process, its repetitions per cell)."""
    base = os.path.join(WORK, "base.h5")
    run([PROTEUS, "sweep", SMALL, "--out", base, "--quiet"])
    target = 0.55 * half_widths(base, metric, 12)
    args = ("--target", f"{metric}={target!r}", "--block", "6", "--max-repetitions", "120")
    a = os.path.join(WORK, "a.h5")
    p = run([PROTEUS, "sweep", SMALL, "--out", a, "--quiet", *args])
    with h5py.File(a, "r") as f:
        reps = int(f["runs/rep"][()].max()) + 1
    return base, target, args, a, p, reps


def case_sweep_target():
    metric = "mm_pnl"
    base, target, args, a, p, reps = target_sweep(metric)
    expect(reps > 12 and (reps - 12) % 6 == 0, f"{reps}")
    expect(half_widths(a, metric, reps) <= target < half_widths(a, metric, reps - 6),
           "not the first block meeting the target")
    expect("every target met" in p.stderr, p.stderr)
    b = os.path.join(WORK, "b.h5")
    run([PROTEUS, "sweep", SMALL, "--out", b, "--quiet", *args], ranks=3)
    expect(compare_panels.main(a, b) == 0, "1 vs 3 ranks differ")
    # Interrupted mid-way (SIGTERM), then resumed: the same panel.
    c = os.path.join(WORK, "c.h5")
    env = dict(os.environ, PROTEUS_SWEEP_RUN_DELAY_MS="20")
    proc = subprocess.Popen([PROTEUS, "sweep", SMALL, "--out", c, "--quiet", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # SIGTERM only once the panel exists: before that, MPI start-up (seconds on a loaded machine)
    # may not have installed the handler yet and the signal would simply kill the process.
    deadline = time.monotonic() + 60
    while not os.path.exists(c):
        expect(time.monotonic() < deadline and proc.poll() is None, "no panel appeared")
        time.sleep(0.01)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    expect(proc.returncode == 3, f"interrupted sweep exit {proc.returncode}")
    run([PROTEUS, "sweep", SMALL, "--out", c, "--quiet", "--resume", *args])
    expect(compare_panels.main(a, c) == 0, "interrupted + resumed differs")
    # The contrast form: every paired contrast (small.toml: cell 2 vs 0, cell 3 vs 1).
    def contrast_hw(panel, reps):
        worst = 0.0
        for t, b in ((2, 0), (3, 1)):
            x, okx = rep_values(panel, metric, t)
            y, oky = rep_values(panel, metric, b)
            ok = (okx & oky)[:reps]
            d = x[:reps][ok] - y[:reps][ok]
            worst = max(worst, stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d)))
        return worst
    ctarget = 0.6 * contrast_hw(base, 12)
    e = os.path.join(WORK, "e.h5")
    run([PROTEUS, "sweep", SMALL, "--out", e, "--quiet", "--target", f"contrast:{metric}={ctarget!r}",
         "--block", "6", "--max-repetitions", "120"])
    with h5py.File(e, "r") as f:
        creps = int(f["runs/rep"][()].max()) + 1
    expect(creps > 12 and contrast_hw(e, creps) <= ctarget < contrast_hw(e, creps - 6),
           f"contrast target: stopped at {creps}")
    # A cap below the need: stops at the cap and says so.
    d = os.path.join(WORK, "d.h5")
    p = run([PROTEUS, "sweep", SMALL, "--out", d, "--quiet", "--target", f"{metric}={target / 100!r}",
             "--block", "6", "--max-repetitions", "24"])
    expect("cap reached" in p.stderr, p.stderr)


def case_sweep_target_late_request():
    """Blocks of an adaptive sweep on 3 ranks where each worker's second opening request reaches
    rank 0 after rank 0 has run out of rows: every worker must still be answered in its own
    block. (Rank 0 once counted a worker done after its first stop reply; the next block then
    answered the late request with rows the worker ran under the previous block's plan, so
    some rows held another cell's results.)"""
    _, _, args, a, _, reps = target_sweep("mm_pnl")
    expect(reps >= 24, f"the target needs {reps} repetitions: too few blocks to test")
    b = os.path.join(WORK, "b.h5")
    # Under the old rule this hung (the lost request's worker never reached the next block's
    # collectives) or wrote wrong rows; a normal run takes a few seconds.
    run([PROTEUS, "sweep", SMALL, "--out", b, "--quiet", *args], ranks=3,
        env_extra={"PROTEUS_SWEEP_REQUEST_GAP_MS": "300"}, timeout=90)
    expect(compare_panels.main(a, b) == 0, "1 rank vs 3 ranks with late worker requests differ")


def case_list_and_errors():
    p = run([PROTEUS, "experiment", "list", "--experiments", EXPERIMENTS])
    for name in ("baseline", "delta", "rfq", "dual-flow"):
        expect(name in p.stdout, f"list lacks {name}: {p.stdout}")
    expect("gated on delta, rfq" in p.stdout, p.stdout)
    for name in ("baseline", "delta", "rfq", "dual-flow"):
        p = run([PROTEUS, "experiment", "validate", name, "--experiments", EXPERIMENTS])
        for preset in ("quick", "ci", "paper"):
            expect(f"preset {preset}:" in p.stdout and "parity ok" in p.stdout, p.stdout)
    p = run([PROTEUS, "experiment", "validate", "delta", "--preset", "quick", "--experiments", EXPERIMENTS])
    expect("12 cells x 64 repetitions = 768 runs" in p.stdout and "[sweep]" in p.stdout, p.stdout)
    # The generated text's line numbers are those of error messages.
    lines = p.stdout.split("--- generated sweep text (line numbers as in error messages) ---\n")[1].split("\n")
    expect(lines[0].startswith("# Generated by"), lines[0])
    out = os.path.join(WORK, "out")
    p = experiment("nosuch", out, expect_code=2)
    expect("no experiment \"nosuch\"" in p.stderr and "delta" in p.stderr, p.stderr)
    p = experiment("delta", out, preset="huge", expect_code=2)
    expect("no preset \"huge\"" in p.stderr and "quick" in p.stderr, p.stderr)
    p = experiment("delta", out, extra=("--target", "as_loss_1s=-1"), expect_code=2)
    expect("positive finite" in p.stderr, p.stderr)
    p = experiment("delta", out, extra=("--target", "nosuch=1"), expect_code=2)
    expect("unknown metric 'nosuch'" in p.stderr, p.stderr)
    bad = os.path.join(WORK, "bad.toml")
    open(bad, "w").write(open(os.path.join(EXPERIMENTS, "delta.toml")).read()
                         .replace('better = "lower"', 'better = "down"').replace('name = "delta"', 'name = "bad"')
                         .replace('"../fba-delta.toml"', repr(os.path.join(REPO, "configs", "fba-delta.toml")).replace("'", '"')))
    p = run([PROTEUS, "experiment", "run", bad, "--preset", "quick", "--out", out], expect_code=2)
    expect("bad.toml:" in p.stderr and "experiment.primary.better" in p.stderr, p.stderr)
    delta_text = open(os.path.join(EXPERIMENTS, "delta.toml")).read().replace(
        '"../fba-delta.toml"', '"' + os.path.join(REPO, "configs", "fba-delta.toml") + '"')
    for name, text, want in (
            ("typo", delta_text.replace('name = "delta"', 'name = "typo"').replace("requires", "x")
             .replace("master_seed = 20240601", "master_seed = 20240601\nrepetition = 3"),
             "unknown key 'experiment.repetition'"),
            ("other", delta_text, 'experiment.name = "delta" must equal the file name "other"'),
            ("nometric", delta_text.replace('name = "delta"', 'name = "nometric"')
             .replace('metric = "as_loss_1s"\nbetter', 'metric = "as_loss_2s"\nbetter'),
             "metric 'as_loss_2s' is not a column"),
            ("badgrid", delta_text.replace('name = "delta"', 'name = "badgrid"')
             .replace('"agents.informed.activity" = [0.06, 0.12]', '"agents.informed.activity" = [0.06, 1.5]', 1),
             "in the sweep generated from")):
        f = os.path.join(WORK, f"{name}.toml")
        open(f, "w").write(text)
        p = run([PROTEUS, "experiment", "run", f, "--preset", "quick", "--out", out], expect_code=2)
        expect(want in p.stderr and p.stderr.startswith("error: "), f"{name}: {p.stderr}")
        expect(not glob.glob(os.path.join(out, f"{name}-*")), f"{name}: a refused run made a folder")
    p = run([PROTEUS, "--version"])
    expect("commit" in p.stdout, p.stdout)


if __name__ == "__main__":
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    globals()[f"case_{CASE}"]()
    print(f"{CASE}: ok")
