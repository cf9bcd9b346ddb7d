#!/usr/bin/env python3
"""Inputs checked before any work: the reproducers of issue 12 (items 1, 2, 3, 10 and 11), each
answered with exit 2 and one `error:` line that names the key or option and the number.

Usage: input_checks_test.py CASE PROTEUS_BINARY SOURCE_DIR WORK_DIR
"""
import os
import resource
import shutil
import subprocess
import sys
import time

CASE, PROTEUS, SOURCE, WORK = sys.argv[1:5]
QUICKSTART = os.path.join(SOURCE, "configs", "quickstart.toml")
SMALL = os.path.join(SOURCE, "tests", "sweep", "fixtures", "small.toml")  # 4 cells


def path(name):
    return os.path.join(WORK, name)


def fail(message):
    sys.exit(f"FAIL: {message}")


def expect(condition, message):
    if not condition:
        fail(message)


def refused(args, *needles, seconds=60.0):
    """Runs proteus with `args`, expects exit 2, one `error:` line containing every needle, and
    an answer within `seconds` (generous: a hang, which some of these inputs caused, never
    answers; MPI start-up alone can take seconds on a loaded machine). Returns stderr."""
    start = time.monotonic()
    p = subprocess.run([PROTEUS, *args], capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - start
    shown = f"proteus {' '.join(a[:60] for a in args)}: exit {p.returncode}\n{p.stderr[:2000]}"
    expect(p.returncode == 2, f"expected exit 2; {shown}")
    lines = p.stderr.splitlines()
    expect(len(lines) == 1 and lines[0].startswith("error: "), f"expected one error line; {shown}")
    for needle in needles:
        expect(needle in lines[0], f"expected {needle!r} in the message; {shown}")
    expect(len(lines[0]) < 600, f"message of {len(lines[0])} characters; {shown}")
    expect(elapsed < seconds, f"took {elapsed:.1f} s (limit {seconds} s); {shown}")
    return lines[0]


DEFAULT_GRID = '"agents.informed.activity" = [0.06, 0.03]\n"latent.sigma_eta" = [0.1, 0.2]\n'


def sweep_file(name, repetitions=12, scenario="", grid=DEFAULT_GRID):
    """A sweep file: `scenario` (dotted keys at the root), [sweep] with `repetitions`, [grid]."""
    out = path(name)
    with open(out, "w") as f:
        f.write(f"{scenario}\n[sweep]\nmaster_seed = 7\nrepetitions = {repetitions}\n"
                f"[grid]\n{grid}")
    return out


def validate_and_sweep_refuse(config, *needles):
    """Both `validate` and `sweep` refuse, and the sweep leaves no panel behind."""
    refused(["validate", config], *needles)
    panel = path("refused.h5")
    if os.path.exists(panel):
        os.remove(panel)
    refused(["sweep", config, "--out", panel, "--quiet"], *needles)
    expect(not os.path.exists(panel), f"a refused sweep created {panel}")


def case_run_count_overflow():
    # Issue item 1: 2^62 + 1 repetitions on 4 cells wrapped to "4 runs"; 2^62 to 0 rows.
    for reps in [2**62 + 1, 2**62, 2**63 - 1, 2**32]:
        config = sweep_file(f"reps_{reps}.toml", repetitions=reps)
        validate_and_sweep_refuse(config, f"sweep.repetitions = {reps} is out of range: "
                                          "allowed [1, 4294967295]")
    # The largest accepted count gives the exact product.
    config = sweep_file("reps_max.toml", repetitions=2**32 - 1)
    p = subprocess.run([PROTEUS, "validate", config], capture_output=True, text=True, timeout=60)
    expect(p.returncode == 0, p.stderr)
    expect(f"runs: {4 * (2**32 - 1)} (4 cells x {2**32 - 1} repetitions)" in p.stdout, p.stdout)
    expect("estimated memory per rank for the grid: 0.0 MiB (limit 1024 MiB)" in p.stdout, p.stdout)
    # 60 s of the default scenario: 600 x 4 decision, step and sample slots + 2160 arrivals.
    expect("estimated events per run: at most 4.56e+03 (limit 1e+08)" in p.stdout, p.stdout)


def case_rep_column():
    # Issue item 2: a shard of a 6,442,450,944-repetition sweep stored rep 2147483646 for
    # 6442450942: /runs/rep is uint32, so such a sweep is refused, sharded or not.
    config = sweep_file("reps_6g.toml", repetitions=6442450944)
    msg = "(the panel stores the repetition index /runs/rep as uint32)"
    validate_and_sweep_refuse(config, "sweep.repetitions = 6442450944", msg)
    refused(["sweep", config, "--out", path("shard.h5"), "--shard", "0/3"], msg)


def case_clock_steps():
    # Issue item 3: steps of 1e-7 ms hung, latent.dt_ms = 1e-9 validated and then every run failed.
    for key, value, needle in [
        ("metrics.sample_ms", "1e-7", "metrics.sample_ms = 1e-07 ms is below the shortest step"),
        ("agents.market_maker.schedule.interval_ms", "1e-7",
         "agents.market_maker.schedule.interval_ms = 1e-07 ms is below the shortest step"),
        ("agents.informed.schedule.interval_ms", "1e-7",
         "agents.informed.schedule.interval_ms = 1e-07 ms is below the shortest step"),
        ("latent.dt_ms", "1e-9", "latent.dt_ms = 1e-09 ms is below the shortest step"),
        ("agents.noise.rate", "1e-10", "agents.noise.rate = 1e-10 per second is below the "
                                       "smallest positive rate"),
        ("agents.noise.rate", "1e-15", "agents.noise.rate = 1e-15 per second"),
        ("agents.noise.rate", "1e-308", "agents.noise.rate = 1e-308 per second"),
        ("latency.default.submit.value_ms", "1e-9", "latency.default.submit.value_ms = 1e-09 ms "
                                                    "is shorter than 1 ns"),
    ]:
        config = sweep_file(f"clock_{key}_{value}.toml", scenario=f"{key} = {value}\n")
        validate_and_sweep_refuse(config, needle)
        refused(["sim", QUICKSTART, "--set", f"{key}={value}"], f"--set {key}={value}: ", needle)


def case_event_budget():
    # A valid step that still asks for absurdly many events: refused with the number.
    config = sweep_file("events.toml", scenario="run.duration_s = 1e7\n")
    validate_and_sweep_refuse(config, "events per run, above the limit of 1e+08",
                              "comes from agents.noise.rate")
    refused(["sim", QUICKSTART, "--set", "latent.dt_ms=0.001", "--set", "run.duration_s=600"],
            "--set latent.dt_ms=0.001: about 6", "events per run, above the limit of 1e+08",
            "(the largest share, 6e+08, comes from latent.dt_ms")


def grid_of(*axes):
    return "".join(f'"{key}" = [{", ".join(str(v) for v in values)}]\n' for key, values in axes)


def case_memory_bound():
    # Issue item 10: 4 x 10^8 cells and a 10^6-value axis ended in bad_alloc after 3-4 GB.
    big = range(1, 20001)
    config = sweep_file("cells_4e8.toml", grid=grid_of(("agents.noise.count", big),
                                                        ("agents.market_maker.count", big)))
    validate_and_sweep_refuse(config, "the grid expands to 400,000,000 cells, which every rank "
                                      "holds resolved", "above the limit of 1024 MiB")
    config = sweep_file("axis_1e6.toml", grid=grid_of(("agents.noise.count", range(1, 10**6 + 1))))
    refused(["validate", config], "the grid expands to 1,000,000 cells")
    config = sweep_file("cells_8e9.toml",
                        grid=grid_of(("agents.noise.count", range(1, 2001)),
                                     ("agents.informed.count", range(1, 2001)),
                                     ("agents.market_maker.count", range(1, 2001))))
    refused(["validate", config], "the grid expands to 8,000,000,000 cells, more than "
                                  "4,294,967,295")
    # Either bound is far below the 3-4 GB these inputs used to take.
    expect_peak_below(400, "a refusal")


def expect_peak_below(limit_mb, what):
    """The children's peak memory so far is below limit_mb, or 3x that under AddressSanitizer
    (the asan preset sets ASAN_OPTIONS; shadow, redzones and quarantine cost about 3x)."""
    if "ASAN_OPTIONS" in os.environ:
        limit_mb *= 3
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    expect(peak_mb < limit_mb, f"{what} peaked at {peak_mb:.0f} MB (limit {limit_mb} MB)")


def case_config_size():
    # /dev/zero as a config read 4.2 GB; a 5 MB string used 640 MB and echoed the whole line.
    refused(["validate", "/dev/zero"], "/dev/zero: larger than 16 MiB", seconds=20)
    refused(["sim", "/dev/zero"], "/dev/zero: larger than 16 MiB", seconds=20)
    huge = "x" * 5_000_000
    scenario = path("huge.toml")
    with open(scenario, "w") as f:
        f.write(f'[run]\nmechanism = "{huge}"\n')
    refused(["sim", scenario], "run.mechanism = \"xxxx", "... (5000000 bytes) is not one of")
    config = sweep_file("huge_sweep.toml", scenario=f'run.mechanism = "{huge}"\n')
    refused(["validate", config], "... (5000000 bytes)")
    expect_peak_below(200, "a 5 MB value")


def case_option_ranges():
    # Issue item 11: readable ranges, no DBL_MAX in 309 digits, no wrap of -1 to 2^64 - 1.
    out = path("x.h5")
    refused(["sweep", SMALL, "--out", out, "--batch", "0"],
            '--batch: must be an integer in [1, 100000], got "0"')
    refused(["sweep", SMALL, "--out", out, "--batch", "-1"], "--batch: must be an integer")
    for value in ["inf", "nan", "0", "-1"]:
        refused(["sweep", SMALL, "--out", out, "--flush-seconds", value],
                f'--flush-seconds: must be a number in [0.001, 86400], got "{value}"')
    refused(["report", out, "--bootstrap", "-1"],
            '--bootstrap: must be an integer in [0, 1000000], got "-1"')
    refused(["sim", QUICKSTART, "--rep", "-1"], '--rep: must be an integer in [0, 4294967295]')
    refused(["sim", QUICKSTART, "--seed", "-1"],
            '--seed: must be an integer in [0, 9223372036854775807], got "-1"')
    refused(["sim", "--from", out, "--cell", "-1"], "--cell: must be an integer")
    expect(not os.path.exists(out), "a refused command created the panel")


def case_usage_messages():
    refused(["validate", WORK], f"{WORK}: is a directory, not a config file")
    refused(["sweep", WORK, "--out", path("d.h5")], f"{WORK}: is a directory, not a config file")
    fbb = sweep_file("fbb.toml", grid='"run.mechanism" = ["clob", "fbb"]\n'
                                      '[grid.per_mechanism.fba]\n"mechanism.fba.delta_ms" = [10, 20]\n')
    msg = refused(["validate", fbb], 'run.mechanism = "fbb" is not one of the allowed values',
                  '(did you mean "fba"?)')
    expect("per_mechanism" not in msg, msg)
    expect(msg.startswith(f"error: {fbb}:"), f"no file position in {msg}")
    refused(["sweep", SMALL, "--out", ""], "--out: must not be empty")
    refused(["report", SMALL, "--out", ""], "--out: must not be empty")
    refused(["bogus"], "unknown command 'bogus' (commands: sim, sweep, validate, merge, report")



def case_same_error_same_code():
    """Errors are mapped to exit codes in one place: the same bad input gives exit 2 and one
    error line naming the file in every command that reads a panel (sim --from used to exit 2
    and report 1 for the same HDF5 failure)."""
    missing = path("missing.h5")
    garbage = path("garbage.h5")
    with open(garbage, "w") as f:
        f.write("not an HDF5 file\n")
    for panel in [missing, garbage]:
        refused(["sim", "--from", panel, "--cell", "0"], panel)
        refused(["report", panel], panel)
        refused(["merge", path("out.h5"), panel], panel)
    # Usage errors found by the commands themselves are exit 2 as well.
    refused(["sim", QUICKSTART, "--from", missing, "--cell", "0"], "give either CONFIG or --from")
    refused(["sim", "--from", missing], "--from needs --cell")
    refused(["report", missing, "--baseline", "activity"], "--baseline activity: expected KEY=VALUE")


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}

if __name__ == "__main__":
    if CASE not in CASES:
        sys.exit(f"unknown case {CASE}; cases: {', '.join(CASES)}")
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    CASES[CASE]()
    print(f"{CASE}: ok")
