#!/usr/bin/env python3
"""Compares a predecessor scenario (S1 CLOB, S2 FBA, S3 RFQ) run in Proteus with the
predecessor's per-seed outcomes in ../shared/reference/predecessor-runs (docs/validation.md).

For every compared column: two-sample Kolmogorov-Smirnov p >= 0.01 and |mean difference| <= 3
standard errors of the difference. A failing column names itself, both means and both SDs.
Columns that cannot match for a shown reason are listed in EXCEPTIONS with that reason (and in
docs/validation.md); they are printed, never dropped silently. Missing reference data fail.

usage: compare_predecessor.py S1|S2|S3 --proteus BIN [--configs DIR] [--reference DIR]
                              [--reference-file CSV] [--set KEY=VALUE]... [--reps N]
                              [--markdown FILE]

--reference-file and --set compare another parameter point of a scenario (e.g. other
predecessor runs with 250 ms batches: --set mechanism.fba.delta_ms=250) the same way.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
from scipy import stats

REPO = Path(__file__).resolve().parents[2]

SCENARIOS = {
    # id: (config, repetitions = rows of the reference file)
    "S1": ("predecessor-default.toml", 1000),
    "S2": ("predecessor-fba.toml", 200),
    "S3": ("predecessor-rfq.toml", 200),
}

# Reference column -> ("metrics" | "diagnostics", our name). C_* columns are the predecessor's
# runs measured with this project's metric definitions (docs/metrics.md).
COLUMNS = {
    "C_mm_pnl": ("metrics", "mm_pnl"),
    "C_mm_final_inventory": ("metrics", "mm_final_inventory"),
    "C_mm_max_drawdown": ("metrics", "mm_max_drawdown"),
    "C_mm_sharpe": ("metrics", "mm_sharpe"),
    "C_mm_inventory_var": ("metrics", "mm_inventory_var"),
    "C_as_loss_100ms": ("metrics", "as_loss_100ms"),
    "C_as_loss_1s": ("metrics", "as_loss_1s"),
    "C_as_loss_10s": ("metrics", "as_loss_10s"),
    "C_exec_error": ("metrics", "exec_error"),
    "C_slippage": ("metrics", "slippage"),
    "C_tte": ("metrics", "time_to_exec"),
    "C_fill_prob": ("metrics", "fill_prob"),
    "C_price_rmse": ("metrics", "price_rmse"),
    "C_realized_vol": ("metrics", "realized_vol"),
    "C_book_spread": ("metrics", "quoted_spread"),
    "C_book_depth": ("metrics", "depth"),
    "mm_quoted_spread": ("metrics", "mm_quoted_spread"),
    "n_trades": ("metrics", "trade_count"),
    "n_mm_fills": ("metrics", "mm_fills"),
    "volume": ("metrics", "volume"),
    "n_mm_self": ("diagnostics", "n_mm_self"),
    "n_mm_vs_trader": ("diagnostics", "n_mm_vs_trader"),
    "n_mm_vs_inf": ("diagnostics", "n_mm_vs_inf"),
    "n_mm_vs_noise": ("diagnostics", "n_mm_vs_noise"),
    "n_trader_trader": ("diagnostics", "n_trader_trader"),
    "n_trades_after_T": ("diagnostics", "n_trades_after_T"),
    "mm_traded_volume": ("diagnostics", "mm_traded_volume"),
    "mm_self_volume": ("diagnostics", "mm_self_volume"),
    "n_mm_orders": ("diagnostics", "n_mm_orders"),
    "n_inf_orders": ("diagnostics", "n_inf_orders"),
    "n_noise_orders": ("diagnostics", "n_noise_orders"),
    "n_rfq_quotes": ("diagnostics", "n_rfq_quotes"),
    "mm_order_size_mean": ("diagnostics", "mm_order_size_mean"),
    "inf_order_size_mean": ("diagnostics", "inf_order_size_mean"),
    "noise_order_size_mean": ("diagnostics", "noise_order_size_mean"),
    "n_mm_decisions": ("diagnostics", "n_mm_decisions"),
    "n_mm_one_sided_decisions": ("diagnostics", "n_mm_one_sided_decisions"),
}

# Columns that are not compared in a scenario, each with the reason (docs/validation.md).
NOT_APPLICABLE = {
    "S1": {
        "n_rfq_quotes": "no RFQ in a CLOB run: NaN in every reference row",
    },
    "S2": {
        "n_rfq_quotes": "no RFQ in an FBA run: NaN in every reference row",
        "C_slippage": "no public book under FBA (NaN in every reference row; ours NaN too)",
        "C_book_spread": "no public book under FBA (NaN in every reference row; ours NaN too)",
        "C_book_depth": "no public book under FBA (NaN in every reference row; ours 0: no "
                        "book, no depth)",
    },
    "S3": {
        "C_slippage": "no public book under RFQ (NaN in every reference row; ours NaN too)",
        "C_book_spread": "no public book under RFQ (NaN in every reference row; ours NaN too)",
        "C_book_depth": "no public book under RFQ (NaN in every reference row; ours 0: no "
                        "book, no depth)",
        "mm_quoted_spread": "the RFQ dealer keeps no two-sided quote (NaN in every reference "
                            "row; ours NaN too)",
        "mm_order_size_mean": "dealer quotes are not orders: no MM orders (NaN in every "
                              "reference row; ours NaN too)",
        "n_mm_decisions": "the predecessor's RFQ run has no MM agent (NaN in every reference "
                          "row); our dealer answers requests and makes no decisions (0)",
        "n_mm_one_sided_decisions": "the predecessor's RFQ run has no MM agent (NaN in every "
                                    "reference row); our dealer makes no decisions (0)",
    },
}

# Columns compared and printed but whose failure is explained and does not fail the test:
# scenario -> column -> reason (with its evidence in docs/validation.md).
EXCEPTIONS = {
    "S1": {},
    "S2": {},
    "S3": {},
}

KS_ALPHA = 0.01
MAX_SE = 3.0


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def read_reference(path):
    if not path.is_file():
        fail(f"{path}: reference data missing (the predecessor's per-seed runs; set "
             "PROTEUS_REFERENCE_DIR or -DPROTEUS_REFERENCE_DIR to their folder)")
    with path.open() as f:
        header = f.readline().strip().split(",")
        rows = [line.strip().split(",") for line in f if line.strip()]
    if not rows:
        fail(f"{path}: no rows")
    table = {}
    for j, name in enumerate(header):
        table[name] = np.array([float(r[j]) for r in rows])
    return table


def run_proteus(binary, config, reps, overrides):
    cmd = [str(binary), "sim", str(config), "--reps", str(reps), "--format", "json",
           "--diagnostics"]
    for o in overrides:
        cmd += ["--set", o]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        fail(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()[:2000]}")
    runs = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    if len(runs) != reps:
        fail(f"{config}: {len(runs)} runs returned, {reps} asked")
    for r in runs:
        if r["status"] != "ok":
            fail(f"{config} rep {r['rep']}: status {r['status']}: {r['message']}")

    def value(v):
        return float("nan") if v is None else float(v)

    ours = {}
    for ref_name, (group, name) in COLUMNS.items():
        if name not in runs[0][group]:
            fail(f"proteus output has no {group} column '{name}' (for {ref_name})")
        ours[ref_name] = np.array([value(r[group][name]) for r in runs])
    return ours


def compare(ref, ours):
    """(ks_p, mean difference / SE, passed) over the non-NaN values of each sample."""
    a = ref[~np.isnan(ref)]
    b = ours[~np.isnan(ours)]
    if len(a) < 2 or len(b) < 2:
        return float("nan"), float("nan"), False
    with warnings.catch_warnings():
        # Ties (counts) can defeat the exact distribution; SciPy then uses the asymptotic one.
        warnings.filterwarnings("ignore", message="ks_2samp: Exact calculation unsuccessful")
        ks_p = float(stats.ks_2samp(a, b).pvalue)
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    diff = b.mean() - a.mean()
    if se == 0.0:
        z = 0.0 if diff == 0.0 else float("inf")
    else:
        z = abs(diff) / se
    return ks_p, z, ks_p >= KS_ALPHA and z <= MAX_SE


def describe(x):
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return "NaN", float("nan"), float("nan"), 0
    sd = x.std(ddof=1) if len(x) > 1 else 0.0
    return f"{x.mean():.6g} ± {sd:.3g}", x.mean(), sd, len(x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--proteus", required=True)
    parser.add_argument("--configs", default=str(REPO / "configs"))
    parser.add_argument("--reference", default=os.environ.get(
        "PROTEUS_REFERENCE_DIR", str(REPO.parent / "shared" / "reference" / "predecessor-runs")))
    parser.add_argument("--reference-file", help="reference CSV (default: REFERENCE/<id>.csv)")
    parser.add_argument("--set", action="append", default=[], dest="overrides",
                        help="config override passed to proteus sim --set")
    parser.add_argument("--reps", type=int, help="repetitions (default: the reference's rows)")
    parser.add_argument("--markdown", help="also write the comparison table (markdown) here")
    args = parser.parse_args()

    config_name, expected_rows = SCENARIOS[args.scenario]
    ref_file = Path(args.reference_file or Path(args.reference) / f"{args.scenario}.csv")
    ref = read_reference(ref_file)
    n_ref = len(next(iter(ref.values())))
    if not args.reference_file and n_ref != expected_rows:
        fail(f"{args.scenario}.csv has {n_ref} rows, expected {expected_rows}")
    for column in COLUMNS:
        if column not in ref:
            fail(f"{args.scenario}.csv has no column {column}")
    reps = args.reps or n_ref
    ours = run_proteus(args.proteus, Path(args.configs) / config_name, reps, args.overrides)

    not_applicable = NOT_APPLICABLE[args.scenario]
    exceptions = EXCEPTIONS[args.scenario]
    lines = [f"| column | predecessor mean ± sd | Proteus mean ± sd | KS p | "
             f"\\|diff\\| / SE | result |", "|---|---|---|---|---|---|"]
    failures = []
    for column in COLUMNS:
        ref_text, ref_mean, ref_sd, _ = describe(ref[column])
        our_text, our_mean, our_sd, _ = describe(ours[column])
        if column in not_applicable:
            ref_all_nan = bool(np.all(np.isnan(ref[column])))
            if not ref_all_nan:
                fail(f"{column} is listed as not applicable in {args.scenario} but the "
                     "reference has values")
            lines.append(f"| {column} | {ref_text} | {our_text} | | | n/a: "
                         f"{not_applicable[column]} |")
            continue
        ks_p, z, passed = compare(ref[column], ours[column])
        verdict = "pass" if passed else "FAIL"
        if not passed and column in exceptions:
            verdict = f"explained: {exceptions[column]}"
        elif not passed:
            failures.append(f"{column}: predecessor mean {ref_mean:.6g} sd {ref_sd:.6g}, "
                            f"Proteus mean {our_mean:.6g} sd {our_sd:.6g} "
                            f"(KS p = {ks_p:.3g}, |diff| = {z:.2f} SE)")
        lines.append(f"| {column} | {ref_text} | {our_text} | {ks_p:.3g} | {z:.2f} | "
                     f"{verdict} |")
    table = "\n".join(lines)
    settings = "".join(f" --set {o}" for o in args.overrides)
    print(f"{args.scenario}: {config_name}{settings}, {reps} repetitions against {n_ref} "
          f"predecessor seeds ({ref_file})")
    print(table)
    if args.markdown:
        Path(args.markdown).write_text(table + "\n")
    if failures:
        print(f"\n{args.scenario}: {len(failures)} column(s) differ:", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
        sys.exit(1)
    print(f"\n{args.scenario}: every compared column matches (KS p >= {KS_ALPHA}, "
          f"|diff| <= {MAX_SE} SE)")


if __name__ == "__main__":
    main()
