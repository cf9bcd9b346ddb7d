#!/usr/bin/env python3
"""Writes a schema-valid synthetic panel (docs/panel-schema.md) for timing `proteus report`.

Usage: make_synthetic_panel.py OUT.h5 [--activities 10] [--latencies 100] [--reps 10000]
Default: 10 x 100 = 1000 cells x 10,000 repetitions = 10 million rows, every market metric
(23 columns) filled with common-random-numbers-like data: a per-repetition shock shared by all
cells plus a cell effect plus noise; 0.1% of rows failed (status 2, NaN metrics).
Time the report with: /usr/bin/time -v proteus report OUT.h5 --metric ... (20 metrics).
"""
import argparse

import h5py
import numpy as np

MARKET_METRICS = [
    "mm_pnl", "mm_sharpe", "mm_max_drawdown", "mm_inventory_var", "mm_final_inventory",
    "mm_fills", "mm_survival", "as_loss_100ms", "as_loss_1s", "as_loss_10s", "exec_error",
    "slippage", "fill_prob", "time_to_exec", "price_rmse", "quoted_spread", "effective_spread",
    "depth", "realized_vol", "shock_half_life", "volume", "trade_count", "message_count"]
CHUNK = 8192


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--activities", type=int, default=10)
    ap.add_argument("--latencies", type=int, default=100)
    ap.add_argument("--reps", type=int, default=10000)
    args = ap.parse_args()
    activities = [round(0.01 * (i + 1), 2) for i in range(args.activities)]
    latencies = [float(i + 1) for i in range(args.latencies)]
    config = (
        "[run]\nduration_s = 1.0\nmechanism = \"clob\"\n\n[sweep]\nname = \"synthetic\"\n"
        "master_seed = 5\nrepetitions = {}\ntreatment = [\"agents.informed.activity\"]\n"
        "baseline = {{ \"agents.informed.activity\" = {} }}\n\n[grid]\n"
        "\"agents.informed.activity\" = [{}]\n\"latency.default.submit.value_ms\" = [{}]\n"
    ).format(args.reps, activities[0], ", ".join(map(str, activities)),
             ", ".join(map(str, latencies)))
    cells = [(a, l) for a in activities for l in latencies]  # last axis fastest
    rows = len(cells) * args.reps
    rng = np.random.default_rng(1)
    vlen = h5py.string_dtype("utf-8")
    with h5py.File(args.out, "w") as f:
        f.attrs["schema_version"] = np.int32(1)
        for k, v in (("sweep_name", "synthetic"), ("config", config), ("config_sha256", ""),
                     ("proteus_version", "synthetic"), ("git_commit", ""),
                     ("environment", "market"), ("start_time", ""), ("end_time", "")):
            f.attrs.create(k, v, dtype=vlen)
        f.attrs["master_seed"] = np.uint64(5)
        f.attrs["repetitions"] = np.uint64(args.reps)
        f.attrs["ranks"] = np.int32(1)
        f.attrs["complete"] = np.uint8(1)
        g = f.create_group("cells")
        g.create_dataset("label", data=[f"activity={a}, value_ms={l}" for a, l in cells],
                         dtype=vlen)
        g.create_dataset("mechanism", data=["clob"] * len(cells), dtype=vlen)
        g.create_dataset("scenario", data=[""] * len(cells), dtype=vlen)
        g["agents.informed.activity"] = np.array([a for a, _ in cells])
        g["latency.default.submit.value_ms"] = np.array([l for _, l in cells])
        runs = f.create_group("runs")

        def column(name, dtype, fill):
            return runs.create_dataset(name, shape=(rows,), maxshape=(None,), dtype=dtype,
                                       chunks=(CHUNK,), shuffle=True, compression="gzip",
                                       compression_opts=4, fillvalue=fill)

        cell_ds = column("cell", "<u4", 0)
        rep_ds = column("rep", "<u4", 0)
        column("seed", "<u8", 0)
        status_ds = column("status", "u1", 255)
        column("events", "<u8", 0)
        metric_ds = [column(m, "<f8", np.nan) for m in MARKET_METRICS]
        for ds in metric_ds:
            ds.attrs["units"] = "1"
            ds.attrs["description"] = "synthetic"
        failed = rng.random(rows) < 0.001
        block_cells = max(1, (1 << 20) // args.reps)
        common = [rng.normal(size=args.reps) for _ in MARKET_METRICS]
        for c0 in range(0, len(cells), block_cells):
            c1 = min(len(cells), c0 + block_cells)
            r0, r1 = c0 * args.reps, c1 * args.reps
            cell_ds[r0:r1] = np.repeat(np.arange(c0, c1, dtype=np.uint32), args.reps)
            rep_ds[r0:r1] = np.tile(np.arange(args.reps, dtype=np.uint32), c1 - c0)
            status_ds[r0:r1] = np.where(failed[r0:r1], 2, 0).astype(np.uint8)
            for m, ds in enumerate(metric_ds):
                effect = np.repeat(0.01 * np.arange(c0, c1) % 0.3, args.reps)
                values = (np.tile(common[m], c1 - c0) + effect
                          + 0.2 * rng.normal(size=r1 - r0))
                values[failed[r0:r1]] = np.nan
                ds[r0:r1] = values
            print(f"cells {c1}/{len(cells)}", flush=True)


if __name__ == "__main__":
    main()
