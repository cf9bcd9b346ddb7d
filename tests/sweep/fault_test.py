#!/usr/bin/env python3
"""Fault injection against `proteus sweep` and the panel readers, one case per ctest test.

Usage: fault_test.py CASE PROTEUS_BINARY FIXTURES_DIR WORK_DIR
Kills at named write points (PROTEUS_TEST_KILL_AT), SIGKILL of the whole job at random
moments, full disks (a small tmpfs as root, PROTEUS_TEST_FAIL_AT otherwise), flipped bytes in
every dataset type, a second writer and orphaned ranks. Every resumed panel must equal an
uninterrupted one (compare_panels.py: /runs and /cells byte for byte). FAULT_TRIALS=100 makes
`random_kill` run 100 trials instead of 5.
"""
import os
import random
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
ROWS = 48
TIMEOUT = 60  # no reader may take longer than this on a damaged panel


def path(name):
    return os.path.join(WORK, name)


def expect(condition, message):
    if not condition:
        sys.exit(message)


def clean(out):
    for suffix in ("", ".journal", ".lock", ".rebuild"):
        if os.path.exists(out + suffix):
            os.remove(out + suffix)


def sweep_cmd(out, ranks=None, extra=(), config=SMALL):
    cmd = [PROTEUS, "sweep", config, "--out", out, "--quiet", *extra]
    if ranks is not None:
        cmd = ["mpirun", "--oversubscribe", "-np", str(ranks), *cmd]
    return cmd


def run(cmd, expect_code=0, env=None, timeout=TIMEOUT):
    full = dict(os.environ, **(env or {}))
    p = subprocess.run(cmd, env=full, capture_output=True, text=True, timeout=timeout)
    if expect_code is not None and p.returncode != expect_code:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}, expected {expect_code}\n{p.stdout}\n{p.stderr}")
    return p


def reference(config=SMALL, name="reference.h5"):
    out = path(name)
    clean(out)
    run(sweep_cmd(out, config=config))
    return out


def expect_same(ref, out):
    expect(compare_panels.main(ref, out) == 0, f"/runs or /cells of {ref} and {out} differ")
    expect(not os.path.exists(out + ".journal"), f"{out}.journal left after a complete sweep")
    expect(not os.path.exists(out + ".lock"), f"{out}.lock left after the sweep")
    with h5py.File(out, "r") as f:
        expect(f.attrs["complete"] == 1, "resumed panel not complete")


def resume(out, ranks=None, env=None, expect_code=0):
    return run(sweep_cmd(out, ranks, ["--resume"]), expect_code=expect_code, env=env)


def one_line_error(stderr, needle):
    """One `error:` line holding the cause (HDF5 put it on a second line before)."""
    lines = [l for l in stderr.splitlines() if l.strip()]
    expect(len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0],
           f"expected one error line with {needle!r}: {stderr}")


# --- kills at named write points -----------------------------------------------------------

POINTS = [("journal_mid_record", 3), ("journal_synced", 3), ("hdf5_between_datasets", 40),
          ("hdf5_before_flush", 3), ("hdf5_after_flush", 3), ("before_journal_delete", 1)]


def case_kill_points():
    ref = reference()
    for point, n in POINTS:
        out = path(f"kill_{point}.h5")
        clean(out)
        env = {"PROTEUS_TEST_KILL_AT": f"{point}:{n}", "PROTEUS_SWEEP_RUN_DELAY_MS": "3"}
        p = run(sweep_cmd(out, extra=["--flush-seconds", "0.01"]), expect_code=None, env=env)
        expect(p.returncode == -signal.SIGKILL, f"{point}: exit {p.returncode}, expected SIGKILL")
        expect(os.path.exists(out + ".journal"), f"{point}: the journal must survive the kill")
        resume(out)
        expect_same(ref, out)


# --- SIGKILL of the whole job at random moments --------------------------------------------

def kill_trial(ref, out, rng, ranks):
    clean(out)
    env = dict(os.environ, PROTEUS_SWEEP_RUN_DELAY_MS="10")
    p = subprocess.Popen(sweep_cmd(out, ranks, ["--flush-seconds", "0.01"]), env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    # From the moment the job creates its lock (MPI start-up takes a variable time) to a bit
    # past its natural end (48 runs x 10 ms on 2 ranks).
    deadline = time.monotonic() + 30
    while not os.path.exists(out + ".lock") and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    time.sleep(rng.uniform(0.0, 0.35))
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    if not os.path.exists(out) and not os.path.exists(out + ".journal"):
        return "killed before anything was created"
    p = run(sweep_cmd(out, None, ["--resume"]))
    expect_same(ref, out)
    if "note: rebuilt" in p.stderr:
        return "ok, rebuilt from the journal"
    if "note: wrote" in p.stderr:
        return "ok, journaled runs written in"
    return "ok, panel intact"


def case_random_kill():
    ref = reference()
    trials = int(os.environ.get("FAULT_TRIALS", "5"))
    rng = random.Random(int(os.environ.get("FAULT_SEED", "12")))
    outcomes = {}
    for t in range(trials):
        outcome = kill_trial(ref, path("random_kill.h5"), rng, 2)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    print(f"random_kill: {trials} trials: {outcomes}")


# --- full disk -------------------------------------------------------------------------------

BIG = None


def big_config():
    """small.toml with 400 repetitions: 1,600 rows, enough to fill a small tmpfs."""
    config = path("big.toml")
    with open(SMALL) as f:
        text = f.read()
    with open(config, "w") as f:
        f.write(text.replace("repetitions = 12", "repetitions = 400").replace(
            "duration_s = 2.0", "duration_s = 0.2"))
    return config


def disk_full_then_resume(out, env, config, free_space):
    p = run(sweep_cmd(out, extra=["--flush-seconds", "0.01"], config=config), expect_code=1, env=env)
    one_line_error(p.stderr, "No space left on device")
    expect("signal" not in p.stderr.lower(), p.stderr)
    return p


def case_enospc_tmpfs():
    if os.geteuid() != 0:
        print("enospc_tmpfs: not root, covered by enospc_injected")
        return
    config = big_config()
    ref = reference(config, "big_reference.h5")
    size = os.path.getsize(ref)
    mnt = path("tmpfs")
    os.makedirs(mnt, exist_ok=True)
    subprocess.run(["umount", mnt], capture_output=True)
    # Room for about half of the panel and its journal.
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size // 2 // 4096 * 4096 + 4096}",
                    "tmpfs", mnt], check=True)
    try:
        out = os.path.join(mnt, "full.h5")
        disk_full_then_resume(out, {"PROTEUS_SWEEP_RUN_DELAY_MS": "0.2"}, config, None)
        # 1. Moved with its journal to a roomy disk.
        moved = path("moved.h5")
        clean(moved)
        shutil.move(out, moved)
        shutil.move(out + ".journal", moved + ".journal")
        if os.path.exists(out + ".lock"):
            os.remove(out + ".lock")
        run(sweep_cmd(moved, extra=["--resume"], config=config))
        expect_same(ref, moved)
        # 2. In place, after space is freed.
        clean(out)
        disk_full_then_resume(out, {"PROTEUS_SWEEP_RUN_DELAY_MS": "0.2"}, config, None)
        subprocess.run(["mount", "-o", "remount,size=64m", mnt], check=True)
        run(sweep_cmd(out, extra=["--resume"], config=config))
        expect_same(ref, out)
        # sim --events onto a full disk: one error line, exit 1 (was an uncaught
        # std::system_error, signal 6).
        clean(out)
        subprocess.run(["mount", "-o", "remount,size=64k", mnt], check=True)
        scenario = os.path.join(FIXTURES, "..", "..", "..", "configs", "quickstart.toml")
        p = run([PROTEUS, "sim", scenario, "--events", os.path.join(mnt, "events.jsonl")],
                expect_code=1)
        one_line_error(p.stderr, "No space left on device")
    finally:
        subprocess.run(["umount", mnt], capture_output=True)


def case_enospc_injected():
    ref = reference()
    for point, n in [("journal_write", 3), ("hdf5_write", 50)]:
        out = path(f"enospc_{point}.h5")
        clean(out)
        env = {"PROTEUS_TEST_FAIL_AT": f"{point}:{n}", "PROTEUS_SWEEP_RUN_DELAY_MS": "3"}
        p = run(sweep_cmd(out, extra=["--flush-seconds", "0.01"]), expect_code=1, env=env)
        one_line_error(p.stderr, "No space left on device")
        moved = path(f"enospc_{point}_moved.h5")
        clean(moved)
        shutil.copy(out, moved)
        shutil.copy(out + ".journal", moved + ".journal")
        resume(moved)
        expect_same(ref, moved)
        resume(out)
        expect_same(ref, out)


# --- flipped bytes ---------------------------------------------------------------------------

def flip(panel, offset):
    with open(panel, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x5A]))


def chunk_offset(panel, name):
    with h5py.File(panel, "r") as f:
        info = f[name].id.get_chunk_info(0)
        return info.byte_offset + info.size // 2


def text_offset(panel, text):
    with open(panel, "rb") as f:
        data = f.read()
    at = data.find(text.encode())
    expect(at >= 0, f"{text!r} not found in {panel}")
    return at + len(text) // 2


def readers_refuse(panel, dataset, journal):
    """report, merge, sim --from and --resume refuse (exit 2) naming `dataset`, within the
    timeout; with a journal, --resume rebuilds instead."""
    for cmd in ([PROTEUS, "report", panel, "--no-write"],
                [PROTEUS, "merge", path("merged_from_damaged.h5"), panel, "--overwrite"],
                [PROTEUS, "sim", "--from", panel, "--cell", "1", "--rep", "2"]):
        p = run(cmd, expect_code=2)
        expect(dataset in p.stderr and p.stderr.startswith("error: "),
               f"{cmd[1]}: the message should name {dataset}: {p.stderr}")
    p = resume(panel, expect_code=None if journal else 2)
    if not journal:
        expect(dataset in p.stderr and ".journal" in p.stderr, p.stderr)
    return p


def case_corrupt():
    ref = reference()
    fail = {"PROTEUS_SWEEP_FAIL_ROWS": "3,17"}
    failing = path("failing.h5")
    clean(failing)
    run(sweep_cmd(failing), env=fail)
    targets = [
        ("runs/mm_pnl", lambda p: chunk_offset(p, "runs/mm_pnl"), ref),
        ("runs/status", lambda p: chunk_offset(p, "runs/status"), ref),
        ("cells/agents.informed.activity", lambda p: chunk_offset(p, "cells/agents.informed.activity"), ref),
        ("cells/scenario", lambda p: text_offset(p, "[agents.informed]"), ref),
        ("errors/message", lambda p: text_offset(p, "injected failure"), failing),
        ("root attribute config", lambda p: text_offset(p, 'name = "small"'), ref),
    ]
    for dataset, where, source in targets:
        damaged = path("damaged.h5")
        clean(damaged)
        shutil.copy(source, damaged)
        flip(damaged, where(damaged))
        readers_refuse(damaged, dataset, journal=False)
    # An interrupted panel keeps its journal: --resume rebuilds the damaged panel from it.
    out = path("interrupted.h5")
    clean(out)
    # Slow runs, and the signal only once the panel exists (MPI start-up can take seconds on a
    # loaded machine; a SIGTERM before the handler is installed would just kill the process).
    p = subprocess.Popen(sweep_cmd(out), env=dict(os.environ, PROTEUS_SWEEP_RUN_DELAY_MS="200"),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (os.path.exists(out) and os.path.exists(out + ".journal")):
        expect(time.monotonic() < deadline and p.poll() is None, "the sweep did not start")
        time.sleep(0.01)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)
    expect(p.returncode == 3, f"SIGTERM: exit {p.returncode}")
    expect(os.path.exists(out + ".journal"), "an interrupted panel keeps its journal")
    flip(out, chunk_offset(out, "runs/status"))
    resume(out)
    expect_same(ref, out)


def case_corrupt_every_byte():
    """Flips every 7th byte of a complete panel in turn: no reader may hang or crash, and any
    difference it does not refuse must not reach /runs or /cells."""
    ref = reference()
    size = os.path.getsize(ref)
    damaged = path("flip.h5")
    counts = {}
    step = int(os.environ.get("FLIP_STEP", "97"))
    for offset in range(0, size, step):
        shutil.copy(ref, damaged)
        flip(damaged, offset)
        p = subprocess.run([PROTEUS, "report", damaged, "--no-write"], capture_output=True,
                           text=True, timeout=TIMEOUT)
        expect(p.returncode in (0, 1, 2), f"offset {offset}: report exit {p.returncode}: {p.stderr}")
        if p.returncode == 0:
            expect(compare_panels.main(ref, damaged) == 0,
                   f"offset {offset}: report accepted a panel whose /runs or /cells changed")
        counts[p.returncode] = counts.get(p.returncode, 0) + 1
    print(f"corrupt_every_byte: {counts} (exit code: flips)")


# --- a read-only panel --------------------------------------------------------------------

def case_readonly_panel():
    ref = reference()
    if os.geteuid() == 0:
        mnt = path("ro")
        os.makedirs(mnt, exist_ok=True)
        subprocess.run(["umount", mnt], capture_output=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt], check=True)
        panel = os.path.join(mnt, "p.h5")
        shutil.copy(ref, panel)
        subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
        cause = "Read-only file system"
    else:
        panel = path("readonly.h5")
        shutil.copy(ref, panel)
        os.chmod(panel, 0o444)
        cause = "Permission denied"
    try:
        p = run([PROTEUS, "report", panel], expect_code=1)
        one_line_error(p.stderr, cause)
        expect("--no-write" in p.stderr, p.stderr)
        run([PROTEUS, "report", panel, "--no-write"])
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", mnt], capture_output=True)


# --- a second writer ---------------------------------------------------------------------

def case_second_writer():
    ref = reference()
    out = path("live.h5")
    clean(out)
    # 48 runs of 2 s: the live sweep outlasts the second commands however slowly they start;
    # it is then interrupted and resumed to check that it was not disturbed.
    p = subprocess.Popen(sweep_cmd(out), env=dict(os.environ, PROTEUS_SWEEP_RUN_DELAY_MS="2000"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not os.path.exists(out + ".lock") or not os.path.exists(out):
        expect(time.monotonic() < deadline, "the sweep did not start")
        time.sleep(0.01)
    time.sleep(0.3)
    size = os.path.getsize(out)
    for extra in (["--overwrite"], ["--resume"]):
        q = run(sweep_cmd(out, extra=extra), expect_code=2)
        expect("being written by another process (pid" in q.stderr, q.stderr)
        expect(f"pid {p.pid} " in q.stderr, f"the holder's pid {p.pid} should be named: {q.stderr}")
    q = run([PROTEUS, "report", out], expect_code=2)
    expect("being written by a running sweep" in q.stderr, q.stderr)
    expect(os.path.getsize(out) >= size, "the live panel was truncated")
    expect(p.poll() is None, "the live sweep ended before the second writers were checked")
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    expect(p.returncode == 3, f"the first sweep should stop resumable (exit 3): {err}")
    run(sweep_cmd(out, extra=["--resume"]))
    expect_same(ref, out)


# --- orphaned ranks ----------------------------------------------------------------------

def lock_held(out):
    """Whether a live process holds the panel's write lock (POSIX and OFD locks conflict)."""
    import fcntl
    try:
        fd = os.open(out + ".lock", os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def ranks_alive(out):
    p = subprocess.run(["pgrep", "-f", f"--out {out}"], capture_output=True, text=True)
    return p.returncode == 0


def case_orphans():
    ref = reference()
    out = path("orphans.h5")
    clean(out)
    p = subprocess.Popen(sweep_cmd(out, 3), env=dict(os.environ, PROTEUS_SWEEP_RUN_DELAY_MS="30"),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not os.path.exists(out):
        expect(time.monotonic() < deadline, "the sweep did not start")
        time.sleep(0.01)
    time.sleep(0.5)
    p.send_signal(signal.SIGKILL)  # mpirun only: its ranks become orphans
    p.wait()
    killed = time.monotonic()
    while lock_held(out) or ranks_alive(out):
        expect(time.monotonic() - killed < 5, "orphaned ranks still run or hold the panel after 5 s")
        time.sleep(0.02)
    print(f"orphans: ranks gone and lock free {time.monotonic() - killed:.2f} s after mpirun "
          "was killed")
    resume(out, 2)
    expect_same(ref, out)


if __name__ == "__main__":
    os.makedirs(WORK, exist_ok=True)
    globals()[f"case_{CASE}"]()
    print(f"{CASE}: ok")
