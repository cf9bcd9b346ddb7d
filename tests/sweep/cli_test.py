#!/usr/bin/env python3
"""CLI-level tests of `proteus sweep` / `proteus validate`, one case per ctest test.

Usage: cli_test.py CASE PROTEUS_BINARY FIXTURES_DIR WORK_DIR
Panels are compared with compare_panels.py (every /runs and /cells dataset byte for byte).
"""
import os
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare_panels  # noqa: E402

CASE, PROTEUS, FIXTURES, WORK = sys.argv[1:5]
SMALL = os.path.join(FIXTURES, "small.toml")
ROWS = 48  # small.toml: 4 cells x 12 repetitions
REPS = 12


def path(name):
    return os.path.join(WORK, name)


def sweep_cmd(config, out, ranks=None, extra=()):
    cmd = [PROTEUS, "sweep", config, "--out", out, "--quiet", *extra]
    if ranks is not None:
        cmd = ["mpirun", "--oversubscribe", "-np", str(ranks), *cmd]
    return cmd


def run(cmd, delay_ms=None, expect=0, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    if delay_ms is not None:
        env["PROTEUS_SWEEP_RUN_DELAY_MS"] = str(delay_ms)
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=100)
    if expect is not None and p.returncode != expect:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}, expected {expect}\n{p.stdout}\n{p.stderr}")
    return p


def start(cmd, delay_ms, out, running_s):
    """Starts a sweep writing `out` and returns once it has been running for `running_s`
    seconds after creating the panel (so slow start-up under load does not matter)."""
    if os.path.exists(out):
        os.remove(out)
    env = dict(os.environ, PROTEUS_SWEEP_RUN_DELAY_MS=str(delay_ms))
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not os.path.exists(out):
        expect(time.monotonic() < deadline and p.poll() is None, "the sweep did not create its panel")
        time.sleep(0.01)
    time.sleep(running_s)
    return p


def reference():
    out = path("reference.h5")
    if os.path.exists(out):
        os.remove(out)
    run(sweep_cmd(SMALL, out))
    return out


def expect_same(a, b):
    if compare_panels.main(a, b) != 0:
        sys.exit(f"/runs or /cells of {a} and {b} differ")


def done_rows(panel):
    try:
        f = h5py.File(panel, "r")
    except OSError:
        # A killed panel is still marked open for writing (superblock version 3, see
        # docs/panel-schema.md "Integrity"); count the rows of a copy with the mark cleared.
        copy = panel + ".copy"
        shutil.copy(panel, copy)
        subprocess.run(["h5clear", "-s", copy], check=True)
        f = h5py.File(copy, "r")
    with f:
        return int((f["runs/status"][()] != 255).sum())


def expect(condition, message):
    if not condition:
        sys.exit(message)


def case_ranks():
    ref = reference()
    # 1 rank under mpirun, 2 and 3 ranks, fixed and adaptive batches, with slow runs so that
    # every rank gets work.
    for ranks, extra in [(1, ["--batch", "5"]), (2, []), (3, ["--batch", "1"]), (3, [])]:
        out = path(f"ranks{ranks}.h5")
        run(sweep_cmd(SMALL, out, ranks, ["--overwrite", *extra]), delay_ms=10)
        expect_same(ref, out)
        with h5py.File(out, "r") as f:
            used = set(f["timing/rank"][()].tolist())
            expect(f.attrs["ranks"] == ranks, f"ranks attribute {f.attrs['ranks']} != {ranks}")
        expect(used == set(range(ranks)), f"{ranks} ranks but runs came from ranks {sorted(used)}")


def case_late_requests():
    """Each worker's second opening request reaches rank 0 only after rank 0 may have run every
    row itself (PROTEUS_SWEEP_REQUEST_GAP_MS): the sweep must still answer both requests of
    every worker and end with the 1-rank panel. (Rank 0 once counted a worker done after its
    first stop reply, and this sweep hung.)"""
    ref = reference()
    out = path("late.h5")
    run(sweep_cmd(SMALL, out, 3, ["--overwrite"]),
        env_extra={"PROTEUS_SWEEP_REQUEST_GAP_MS": "300"})
    expect_same(ref, out)


def case_kill_resume():
    ref = reference()
    out = path("killed.h5")
    p = start(sweep_cmd(SMALL, out, extra=["--flush-seconds", "0.05"]), 40, out, 0.6)
    p.send_signal(signal.SIGKILL)
    p.wait()
    # The panel itself may be torn by a kill inside a flush (its checksums then refuse it); the
    # journal beside it holds every flushed row, and --resume rebuilds from it
    # (docs/panel-schema.md). So the killed sweep is checked through the journal, not h5py.
    expect(p.returncode == -signal.SIGKILL, f"the sweep ended by itself ({p.returncode})")
    journal = out + ".journal"
    expect(os.path.exists(journal) and os.path.getsize(journal) > 0,
           "a killed sweep keeps its journal")
    run(sweep_cmd(SMALL, out, 2, ["--resume"]), delay_ms=5)
    expect(done_rows(out) == ROWS, "resume did not finish every row")
    expect_same(ref, out)


def case_sigterm_resume():
    ref = reference()
    out = path("terminated.h5")
    p = start(sweep_cmd(SMALL, out), 40, out, 0.6)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=30)
    expect(p.returncode == 3, f"SIGTERM: exit {p.returncode}, expected 3\n{err}")
    expect("--resume" in err, f"the interruption message should mention --resume: {err}")
    with h5py.File(out, "r") as f:  # a valid, closed file
        expect(f.attrs["complete"] == 0, "interrupted panel marked complete")
        done = int((f["runs/status"][()] != 255).sum())
    expect(0 < done < ROWS, f"SIGTERM 0.6 s in should leave a partial panel, got {done}")
    run(sweep_cmd(SMALL, out, extra=["--resume"]))
    with h5py.File(out, "r") as f:
        expect(f.attrs["complete"] == 1, "resumed panel not marked complete")
    expect_same(ref, out)


def case_sigterm_mpirun():
    out = path("terminated2.h5")
    p = start(sweep_cmd(SMALL, out, 2), 100, out, 0.6)
    p.send_signal(signal.SIGTERM)  # mpirun forwards it to every rank, as SLURM does
    _, err = p.communicate(timeout=30)
    expect("interrupted" in err, f"rank 0 did not report the interruption: {err}")
    done = done_rows(out)
    expect(0 < done < ROWS, f"expected a partial panel, got {done} rows")
    run(sweep_cmd(SMALL, out, 2, ["--resume"]))
    expect_same(reference(), out)


def case_parity_violation():
    config = os.path.join(FIXTURES, "parity_violation.toml")
    out = path("parity.h5")
    if os.path.exists(out):
        os.remove(out)
    p = run(sweep_cmd(config, out), expect=2)
    expect("agents.informed.activity = 0.03 vs 0.06" in p.stderr, f"missing key/values: {p.stderr}")
    expect(p.stderr.startswith("error: "), f"not an error line: {p.stderr}")
    expect(not os.path.exists(out), "parity violation must stop before creating the panel")
    p = run([PROTEUS, "validate", config], expect=2)
    expect("parity: VIOLATED" in p.stdout, p.stdout)


def case_resume_mismatch():
    ref = reference()
    changed = path("changed.toml")
    with open(SMALL) as f:
        text = f.read()
    with open(changed, "w") as f:
        f.write(text.replace("duration_s = 2.0", "duration_s = 3.0").replace("master_seed = 7",
                                                                            "master_seed = 8"))
    p = run(sweep_cmd(changed, ref, extra=["--resume"]), expect=2)
    expect("run.duration_s: 2.0 -> 3.0" in p.stderr, f"differing key not named: {p.stderr}")
    expect("sweep.master_seed: 7 -> 8" in p.stderr, f"differing key not named: {p.stderr}")


def case_existing_output():
    ref = reference()
    before = os.path.getmtime(ref)
    p = run(sweep_cmd(SMALL, ref), expect=2)
    expect("--overwrite" in p.stderr, p.stderr)
    expect(os.path.getmtime(ref) == before, "the existing panel was touched")
    run(sweep_cmd(SMALL, ref, extra=["--overwrite"]))
    run(sweep_cmd(SMALL, path("missing.h5"), extra=["--resume"]), expect=2)


def case_config_error():
    bad = path("bad.toml")
    with open(SMALL) as f:
        text = f.read()
    with open(bad, "w") as f:
        f.write(text.replace("repetitions = 12", "repetitions = 0"))
    p = run([PROTEUS, "validate", bad], expect=2)
    # repetitions is on line 9, column 15 of small.toml.
    expect(f"error: {bad}:9:15: sweep.repetitions = 0 is out of range: allowed [1, 4294967295]\n"
           == p.stderr, p.stderr)
    with open(bad, "w") as f:
        f.write(text.replace('"agents.informed.activity" = [0.06, 0.03]',
                             '"agents.informed.activity" = [0.06, 1.5]'))
    p = run(sweep_cmd(bad, path("bad.h5"), 2), expect=2)
    expect(f"error: {bad}:14:30: cell 2 (activity=1.5, value_ms=1.0): " in p.stderr, p.stderr)


def case_validate():
    p = run([PROTEUS, "validate", SMALL])
    expect("runs: 48 (4 cells x 12 repetitions)" in p.stdout, p.stdout)
    expect("parity: ok" in p.stdout, p.stdout)
    expect("   3  activity=0.03, value_ms=5.0  [clob]" in p.stdout, p.stdout)


def case_panel_schema():
    import pandas as pd

    ref = reference()
    with h5py.File(ref, "r") as f:
        runs = f["runs"]
        for name in ["cell", "rep", "seed", "status", "events"]:
            expect(name in runs, f"missing /runs/{name}")
        metrics = [n for n in runs if runs[n].dtype == np.float64]
        expect(len(metrics) >= 10, f"expected the metric columns, got {metrics}")
        for n in metrics:
            expect(runs[n].shape == (ROWS,), f"{n} has shape {runs[n].shape}")
            expect(runs[n].attrs["units"] != "" and runs[n].attrs["description"] != "", n)
            expect(runs[n].compression == "gzip" and runs[n].shuffle, f"{n} not shuffle+deflate")
        expect(runs["mm_pnl"].attrs["units"] == "payoff", runs["mm_pnl"].attrs["units"])
        expect(runs["time_to_exec"].attrs["units"] == "ms", runs["time_to_exec"].attrs["units"])
        rows = np.arange(ROWS)
        expect((runs["cell"][()] == rows // REPS).all(), "cell column is not row // repetitions")
        expect((runs["rep"][()] == rows % REPS).all(), "rep column is not row % repetitions")
        expect((runs["status"][()] == 0).all(), "status not ok")
        seeds = runs["seed"][()].reshape(4, REPS)
        expect((seeds == seeds[0]).all(), "cells of one repetition must share the seed (CRN)")
        expect(len(set(seeds[0].tolist())) == REPS, "repetitions must have distinct seeds")
        cells = f["cells"]
        expect(cells["agents.informed.activity"][()].tolist() == [0.06, 0.06, 0.03, 0.03],
               str(cells["agents.informed.activity"][()]))
        expect(cells["label"].asstr()[()].tolist()[1] == "activity=0.06, value_ms=5.0",
               str(cells["label"][()]))
        expect(cells["mechanism"].asstr()[()].tolist() == ["clob"] * 4, "mechanism column")
        expect(f.attrs["schema_version"] == 1 and len(f.attrs["config_sha256"]) == 64, "attrs")
        with open(SMALL, "rb") as cfg:
            import hashlib
            expect(f.attrs["config_sha256"] == hashlib.sha256(cfg.read()).hexdigest(), "sha256")
        expect(f.attrs["complete"] == 1 and f.attrs["master_seed"] == 7, "root attributes")
        expect(len(f["errors/row"]) == 0, "no errors expected")
        frame = pd.DataFrame({n: runs[n][()] for n in runs})
    expect(frame.shape == (ROWS, len(metrics) + 5), f"DataFrame shape {frame.shape}")
    dump = subprocess.run(["h5dump", "-d", "/runs/cell", ref], capture_output=True, text=True)
    expect(dump.returncode == 0 and "DATASPACE  SIMPLE { ( 48 ) / ( H5S_UNLIMITED ) }" in dump.stdout,
           dump.stdout[:500])


def case_run_failures():
    ref = reference()
    out = path("failures.h5")
    p = run(sweep_cmd(SMALL, out, 2, ["--overwrite"]), delay_ms=5,
            env_extra={"PROTEUS_SWEEP_FAIL_ROWS": "3,17"})
    expect("warning: 2 of 48 runs failed" in p.stderr, p.stderr)
    with h5py.File(ref, "r") as r, h5py.File(out, "r") as f:
        status = f["runs/status"][()]
        expect(status.tolist() == [2 if i in (3, 17) else 0 for i in range(ROWS)], str(status))
        expect(f["errors/row"][()].tolist() == [3, 17], str(f["errors/row"][()]))
        expect(f["errors/cell"][()].tolist() == [0, 1] and f["errors/rep"][()].tolist() == [3, 5],
               "errors cell/rep")
        expect(all("injected failure" in m for m in f["errors/message"].asstr()[()]), "messages")
        ok = status == 0
        for name in r["runs"]:
            a, b = r["runs"][name][()], f["runs"][name][()]
            if name == "status":
                continue
            expect(a[ok].tobytes() == b[ok].tobytes(), f"/runs/{name} differs on ok rows")
        expect(np.isnan(f["runs/mm_pnl"][3]), "a failed run's metrics are NaN")


def case_fail_fast():
    out = path("failfast.h5")
    p = run(sweep_cmd(SMALL, out, extra=["--overwrite", "--fail-fast"]), expect=1,
            env_extra={"PROTEUS_SWEEP_FAIL_ROWS": "3"})
    expect("--fail-fast" in p.stderr, p.stderr)
    done = done_rows(out)
    expect(4 <= done < ROWS, f"--fail-fast should stop early, {done} rows done")
    run(sweep_cmd(SMALL, out, extra=["--resume"]))
    expect(done_rows(out) == ROWS, "resume after --fail-fast did not finish")


def case_crash_aborts():
    out = path("crash.h5")
    started = time.monotonic()
    p = run(sweep_cmd(SMALL, out, 3, ["--overwrite"]), delay_ms=10, expect=None,
            env_extra={"PROTEUS_SWEEP_CRASH_RANK": "1"})
    expect(p.returncode != 0, "a crashing rank must fail the job")
    expect("error: rank 1: injected crash" in p.stderr, p.stderr)
    expect(time.monotonic() - started < 30, "the job did not end promptly")


def shard_cmd(shard, out, ranks=None, extra=()):
    return sweep_cmd(SMALL, out, ranks, ["--shard", shard, *extra])


def owned_rows(index, count):
    """Rows shard index/count owns in small.toml, from the documented rule: repetitions
    [floor(I * 12 / N), floor((I + 1) * 12 / N)) of every cell."""
    first, last = index * REPS // count, (index + 1) * REPS // count
    return {c * REPS + r for c in range(ROWS // REPS) for r in range(first, last)}


def make_shards(prefix, count=3, env_extra=None):
    shards = []
    for i in range(count):
        out = path(f"{prefix}{i}.h5")
        if os.path.exists(out):
            os.remove(out)
        run(shard_cmd(f"{i}/{count}", out, 2 if i == 1 else None), delay_ms=2, env_extra=env_extra)
        shards.append(out)
    return shards


def merge(out, shards, expect_code=0):
    if os.path.exists(out):
        os.remove(out)
    return run([PROTEUS, "merge", out, *shards], expect=expect_code)


def case_shard_merge():
    ref = reference()
    shards = make_shards("shard")
    for i, shard in enumerate(shards):
        with h5py.File(shard, "r") as f:
            expect((f.attrs["shard_index"], f.attrs["shard_count"], f.attrs["total_runs"]) ==
                   (i, 3, ROWS), f"shard attributes of {shard}")
            expect(f.attrs["complete"] == 1, f"{shard}: a finished shard is complete")
            done = set(np.flatnonzero(f["runs/status"][()] != 255).tolist())
        expect(done == owned_rows(i, 3), f"shard {i}/3 ran rows {sorted(done)}")
    merged = path("merged.h5")
    p = merge(merged, shards)
    expect("merged 48 runs from 3 panels" in p.stderr, p.stderr)
    expect_same(ref, merged)
    with h5py.File(merged, "r") as f:
        expect(f.attrs["complete"] == 1 and "shard_count" not in f.attrs, "merged root attributes")
    # Failed runs travel with their shard: /runs and /errors as in the one-job panel.
    fail = {"PROTEUS_SWEEP_FAIL_ROWS": "3,17"}
    failing_ref = path("failing_ref.h5")
    run(sweep_cmd(SMALL, failing_ref, extra=["--overwrite"]), env_extra=fail)
    merged = path("merged_failing.h5")
    p = merge(merged, make_shards("failing", env_extra=fail))
    expect("warning: 2 of 48 runs failed" in p.stderr, p.stderr)
    expect_same(failing_ref, merged)
    with h5py.File(merged, "r") as f:
        expect(sorted(f["errors/row"][()].tolist()) == [3, 17], str(f["errors/row"][()]))
        expect(all("injected failure" in m for m in f["errors/message"].asstr()[()]), "messages")


def case_shard_resume():
    out = path("shard1.h5")
    p = start(shard_cmd("1/3", out), 100, out, 0.5)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=30)
    expect(p.returncode == 3, f"SIGTERM: exit {p.returncode}, expected 3\n{err}")
    done = done_rows(out)
    expect(0 < done < 16, f"expected a partial shard, got {done} rows")
    partial = make_shards("other")
    p = merge(path("partial.h5"), [partial[0], out, partial[2]], expect_code=2)
    expect(f"missing runs (cell/rep):" in p.stderr and f"({16 - done} run" in p.stderr, p.stderr)
    p = run(shard_cmd("2/3", out, extra=["--resume"]), expect=2)
    expect("holds shard 1/3, but this command runs shard 2/3" in p.stderr, p.stderr)
    p = run(sweep_cmd(SMALL, out, extra=["--resume"]), expect=2)
    expect("holds shard 1/3, but this command runs the whole sweep" in p.stderr, p.stderr)
    run(shard_cmd("1/3", out, 2, ["--resume"]))
    with h5py.File(out, "r") as f:
        expect(f.attrs["complete"] == 1, "resumed shard not complete")
        done = set(np.flatnonzero(f["runs/status"][()] != 255).tolist())
    expect(done == owned_rows(1, 3), f"resumed shard ran rows {sorted(done)}")
    merged = path("merged.h5")
    merge(merged, [partial[0], out, partial[2]])
    expect_same(reference(), merged)


def case_merge_checks():
    shards = make_shards("shard")
    out = path("merged.h5")
    p = merge(out, [shards[0], shards[2]], expect_code=2)
    # Shard 1/3 holds repetitions 4..7: its 16 runs are missing, the first named in order.
    expect("missing runs (cell/rep): 0/4, 0/5, 0/6, 0/7, 1/4, 1/5, 1/6, 1/7, 2/4, 2/5, ... "
           "(16 runs)" in p.stderr, p.stderr)
    expect(not os.path.exists(out), "a failed merge must not create the output")
    p = merge(out, [shards[0], shards[1], shards[2], shards[1]], expect_code=2)
    expect("runs in more than one input (cell/rep): 0/4, 0/5" in p.stderr and "(16 runs)" in
           p.stderr, p.stderr)
    expect("missing" not in p.stderr, p.stderr)
    p = merge(out, [reference(), shards[0]], expect_code=2)
    expect("runs in more than one input (cell/rep): 0/0, 0/1, 0/2, 0/3, 1/0" in p.stderr, p.stderr)
    changed = path("changed.toml")
    with open(SMALL) as f:
        text = f.read()
    with open(changed, "w") as f:
        f.write(text.replace("duration_s = 2.0", "duration_s = 3.0"))
    other = path("changed1.h5")
    run(sweep_cmd(changed, other, extra=["--overwrite", "--shard", "1/3"]))
    p = merge(out, [shards[0], other, shards[2]], expect_code=2)
    expect("different configs" in p.stderr and "run.duration_s: 2.0 -> 3.0" in p.stderr, p.stderr)
    expect(not os.path.exists(out), "a failed merge must not create the output")
    merge(out, shards)
    p = run([PROTEUS, "merge", out, *shards], expect=2)
    expect("--overwrite" in p.stderr, p.stderr)
    run([PROTEUS, "merge", "--overwrite", out, *shards])
    expect_same(reference(), out)


def case_shard_usage():
    out = path("usage.h5")
    if os.path.exists(out):
        os.remove(out)
    for bad in ["3/3", "1", "x/2"]:
        p = run(shard_cmd(bad, out), expect=2)
        expect(f"--shard {bad}: expected I/N" in p.stderr, p.stderr)
    p = run(shard_cmd("0/13", out, 2), expect=2)
    expect("13 shards but only 12 repetitions" in p.stderr, p.stderr)
    expect(p.stderr.count("error:") == 1, f"one error line from rank 0: {p.stderr}")
    expect(not os.path.exists(out), "a usage error must not create the panel")


def case_horizons():
    """metrics.as_horizons_ms decides the adverse-selection columns: other horizons give other
    columns and values, and every other column is unchanged (horizons only observe)."""
    base = reference()
    with open(SMALL) as f:
        text = f.read()
    config = path("horizons.toml")
    with open(config, "w") as f:
        f.write(text + "\n[metrics]\nas_horizons_ms = [50.0, 1000.0, 2500.0]\n")
    out = path("horizons.h5")
    if os.path.exists(out):
        os.remove(out)
    run(sweep_cmd(config, out, 2))
    with h5py.File(base, "r") as a, h5py.File(out, "r") as b:
        ra, rb = a["runs"], b["runs"]
        as_a = sorted(n for n in ra if n.startswith("as_loss_"))
        as_b = sorted(n for n in rb if n.startswith("as_loss_"))
        expect(as_a == ["as_loss_100ms", "as_loss_10s", "as_loss_1s"], str(as_a))
        expect(as_b == ["as_loss_1s", "as_loss_2500ms", "as_loss_50ms"], str(as_b))
        expect(b.attrs["as_horizons_ms"].tolist() == [50.0, 1000.0, 2500.0],
               str(b.attrs["as_horizons_ms"]))
        for name in ra:
            horizon = name.rsplit("_", 1)[-1]
            if name.startswith("as_") and horizon != "1s":
                continue  # a horizon the other panel does not have
            expect(ra[name][()].tobytes() == rb[name][()].tobytes(), f"/runs/{name} changed")
        for name in ["as_loss_50ms", "as_loss_2500ms"]:
            v = rb[name][()]
            expect(np.isfinite(v).all(), f"{name} has NaN")
            expect((v != rb["as_loss_1s"][()]).any(), f"{name} equals as_loss_1s in every row")
        expect(rb["as_loss_50ms"].attrs["units"] == "payoff", "units attribute")
    p = run([PROTEUS, "report", out, "--no-write", "--format", "json"])
    expect('"as_loss_1s"' in p.stdout and '"as_loss_50ms"' not in p.stdout,
           "report's default adverse-selection column is the horizon nearest 1 s")
    p = run([PROTEUS, "report", out, "--no-write", "--metric", "as_loss_2500ms"])
    expect("as_loss_2500ms" in p.stdout, p.stdout)
    p = run([PROTEUS, "report", out, "--no-write", "--metric", "as_loss_10s"], expect=2)
    expect("unknown metric 'as_loss_10s'" in p.stderr, p.stderr)
    p = run([PROTEUS, "sim", "--from", out, "--cell", "2", "--rep", "5"])
    expect("matches panel: yes" in p.stdout, p.stdout)


if __name__ == "__main__":
    os.makedirs(WORK, exist_ok=True)
    globals()[f"case_{CASE}"]()
    print(f"{CASE}: ok")
