"""Matplotlib figures drawn from the tables of figdata.py (nothing here computes a statistic)."""
from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from . import figdata as fd  # noqa: E402
from .report import Source  # noqa: E402

# Reproducible SVG ids; no creation date in the files.
plt.rcParams["svg.hashsalt"] = "proteus"
plt.rcParams["figure.dpi"] = 100


def _log_scale(values) -> bool:
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=float)
    return v.size > 1 and v.min() > 0 and v.max() / v.min() >= 20


def _series_plot(ax, df, y, lo, hi, x_axis, x_label):
    """One line with an interval band per series; cells the x axis does not apply to (NaN x)
    become a horizontal reference line with its band over the whole x range."""
    swept = df[np.isfinite(df["x"])] if x_axis else df.iloc[0:0]
    if x_axis and len(swept):
        xs = swept["x"]
        # One colour per value of the other axes (a CLOB reference line shares the colour of
        # the FBA line at the same activity), one marker per mechanism.
        palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        groups = list(dict.fromkeys(df["series"].str.partition(", ")[2]))
        mechs = list(dict.fromkeys(df["mechanism"]))
        markers = "osD^vP*X"

        def color(series):
            return palette[groups.index(series.partition(", ")[2]) % len(palette)]

        for name, g in swept.groupby("series", sort=False):
            g = g.sort_values("x")
            marker = markers[mechs.index(g["mechanism"].iloc[0]) % len(markers)]
            ax.plot(g["x"], g[y], marker=marker, label=name, color=color(name))
            ax.fill_between(g["x"], g[lo], g[hi], alpha=0.2, color=color(name))
        for _, r in df[~np.isfinite(df["x"])].iterrows():
            ax.axhline(r[y], linestyle="--", color=color(r["series"]),
                       label=f"{r['series']} (no {fd.short_name(x_axis)})")
            if np.isfinite(r[lo]) and np.isfinite(r[hi]):
                ax.axhspan(r[lo], r[hi], alpha=0.08, color=color(r["series"]))
        if _log_scale(xs):
            ax.set_xscale("log")
        ticks = sorted(set(xs))
        if len(ticks) <= 12:
            ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
            ax.minorticks_off()
        ax.set_xlabel(x_label)
    else:
        pos = np.arange(len(df))
        ax.errorbar(pos, df[y], yerr=[df[y] - df[lo], df[hi] - df[y]], fmt="o", capsize=3)
        ax.set_xticks(pos, df["label"], rotation=30, ha="right", fontsize=7)
        ax.set_xlabel("cell")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)


def means_figure(source: Source, metric: str, x: str | None = None):
    df = fd.means_data(source, metric, x)
    x_axis = df.attrs["x_axis"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    _series_plot(ax, df, "mean", "ci_low", "ci_high", x_axis,
                 source.panel.label(x_axis) if x_axis else "cell")
    ax.set_ylabel(source.metric_label(metric))
    ax.set_title(f"{metric}: cell means, {source.level:.0%} t-interval")
    fig.tight_layout()
    return fig


def forest_figure(source: Source, metric: str):
    df = fd.forest_data(source, metric)
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.35 * len(df)))
    pos = np.arange(len(df))[::-1]
    df = df.copy()
    undefined = ~np.isfinite(df["mean_diff"].to_numpy(dtype=float))
    ax.errorbar(df["mean_diff"], pos, xerr=[df["mean_diff"] - df["ci_low"],
                                             df["ci_high"] - df["mean_diff"]],
                fmt="s", capsize=3, color="tab:blue")
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_yticks(pos, [f"{a}  vs  {b}" for a, b in zip(df["label"], df["baseline_label"])],
                  fontsize=7)
    for p, vrf, bad in zip(pos, df["vrf"], undefined):
        text = "undefined (n = 0)" if bad else (f"VRF {vrf:.3g}" if np.isfinite(vrf) else "VRF n/a")
        ax.annotate(text, xy=(1.01, p), xycoords=("axes fraction", "data"), fontsize=7,
                    va="center")
    ax.set_xlabel(f"paired difference, cell - baseline: {source.metric_label(metric)}")
    ax.set_title(f"{metric}: paired contrasts, {source.level:.0%} interval", fontsize=10)
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    return fig


def decomposition_figure(source: Source):
    df = fd.decomposition_data(source)
    groups = [g for g in ("pnl", "as") if (df["group"] == g).any()]
    cells = list(dict.fromkeys(df["cell"]))
    labels = [f"{df[df.cell == c]['label'].iloc[0]}" for c in cells]
    fig, axes = plt.subplots(1, len(groups), figsize=(6.5 * len(groups), 2.2 + 0.45 * len(cells)),
                             squeeze=False)
    titles = {"pnl": "market-maker P&L = spread - adverse + fees",
              "as": f"adverse-selection loss at {df.attrs['horizon']} by counterparty"}
    for ax, group in zip(axes[0], groups):
        g = df[df["group"] == group]
        # Parts that are zero in every cell (no snipers, no fees) stay out of the legend.
        parts = [p for p in dict.fromkeys(g["part"])
                 if p != "total" and np.nan_to_num(g[g.part == p]["value"]).any()]
        pos = np.arange(len(cells))[::-1]
        pos_left = np.zeros(len(cells))
        neg_left = np.zeros(len(cells))
        for part in parts:
            vals = np.array([g[(g.cell == c) & (g.part == part)]["value"].iloc[0] for c in cells])
            vals = np.nan_to_num(vals)
            left = np.where(vals >= 0, pos_left, neg_left)
            ax.barh(pos, vals, left=left, height=0.6, label=part)
            pos_left += np.where(vals >= 0, vals, 0)
            neg_left += np.where(vals < 0, vals, 0)
        totals = [g[(g.cell == c) & (g.part == "total")]["value"].iloc[0] for c in cells]
        ax.plot(totals, pos, "kD", label=g[g.part == "total"]["metric"].iloc[0])
        ax.axvline(0.0, color="black", linewidth=0.8)
        ax.set_yticks(pos, labels, fontsize=7)
        ax.set_xlabel(f"mean per run [{source.metric_units('mm_pnl') or 'payoff'}]")
        ax.set_title(titles[group], fontsize=10)
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.6 / (1 + 0.45 * len(cells))),
                  ncol=4)
        ax.grid(alpha=0.3, axis="x")
        ax.margins(x=0.05)
    fig.tight_layout()
    return fig


def survival_figure(source: Source, x: str | None = None):
    df = fd.survival_data(source, x)
    curves = fd.survival_curves(source)
    x_axis = df.attrs["x_axis"]
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.5))
    _series_plot(a, df, "kill", "kill_low", "kill_high", x_axis,
                 source.panel.label(x_axis) if x_axis else "cell")
    a.set_ylabel("kill probability [1]")
    a.set_ylim(-0.02, 1.02)
    a.set_title(f"market-maker kill probability, {source.level:.0%} Wilson band", fontsize=10)
    never = 0
    for cell, g in curves.groupby("cell", sort=True):
        if g["survival"].iloc[-1] == 1.0:
            never += 1  # a flat line at 1: counted in the title instead of drawn
            continue
        b.step(g["t"], g["survival"], where="post",
               label=f"{source.panel.cells.loc[cell, 'label']}")
    b.set_xlabel(f"time to kill, mm_time_to_kill [{source.panel.unit('mm_time_to_kill') or 's'}]")
    b.set_ylabel("share of runs not killed [1]")
    b.set_ylim(-0.02, 1.02)
    b.set_title(f"runs not yet killed over time ({never} cells without a kill not drawn)",
                fontsize=10)
    b.grid(alpha=0.3)
    if b.get_legend_handles_labels()[0] and curves["cell"].nunique() - never <= 16:
        b.legend(fontsize=6)
    fig.tight_layout()
    return fig


def tails_figure(source: Source):
    df = fd.tails_data(source)
    metrics = list(dict.fromkeys(df["metric"]))
    ok = source.panel.ok()
    cells = list(source.panel.cells.index)
    fig, axes = plt.subplots(len(metrics), 1, figsize=(9, 0.8 + (0.35 * len(cells) + 1) * len(metrics)),
                             squeeze=False)
    for ax, metric in zip(axes[:, 0], metrics):
        data = []
        for c in cells:
            v = ok.loc[ok["cell"] == c, metric].to_numpy(dtype=float)
            data.append(v[np.isfinite(v)])
        pos = np.arange(len(cells))[::-1]
        ax.boxplot(data, positions=pos, vert=False, widths=0.5, showfliers=True,
                   flierprops=dict(markersize=2))
        d = df[df["metric"] == metric].set_index("cell").loc[cells]
        ax.plot(d["var_5_at"], pos, "rv", label="95% VaR")
        ax.plot(d["cvar_5_at"], pos, "r^", label="95% CVaR")
        ax.plot(d["var_1_at"], pos, "mv", markerfacecolor="none", label="99% VaR")
        ax.plot(d["cvar_1_at"], pos, "m^", markerfacecolor="none", label="99% CVaR")
        ax.set_yticks(pos, [source.panel.cells.loc[c, "label"] for c in cells], fontsize=7)
        ax.set_xlabel(source.metric_label(metric))
        kind = "loss = value" if d["loss_metric"].iloc[0] else "loss = -P&L"
        ax.set_title(f"{metric} per run, VaR/CVaR marked ({kind})", fontsize=10)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    return fig


def _titled(source: Source, title: str, metric: str) -> str:
    u = source.metric_units(metric)
    return f"{title} [{u}]" if u else title


def frontier_figure(source: Source):
    df = fd.frontier_data(source)
    xm, ym = df.attrs["x_metric"], df.attrs["y_metric"]
    bg = fd.frontier_background(source, xm, ym)
    fig, ax = plt.subplots(figsize=(7.5, 5))
    if len(bg):
        ax.scatter(bg["x"], bg["y"], color="lightgrey", label="all cells", zorder=1)
    d = df.sort_values("x")
    xerr = [d["x"] - d["x_low"], d["x_high"] - d["x"]]
    yerr = [d["y"] - d["y_low"], d["y_high"] - d["y"]]
    ax.errorbar(d["x"], d["y"], xerr=np.nan_to_num(xerr), yerr=np.nan_to_num(yerr), fmt="o-",
                capsize=3, color="tab:red", label="Pareto front", zorder=2)
    # Cell numbers (labels are in index.html's tables); cells at the same point share one.
    for (x, y), g in d.groupby(["x", "y"], sort=False):
        ax.annotate(("cells " if len(g) > 1 else "cell ") + ", ".join(str(c) for c in g["cell"]),
                    (x, y), fontsize=7, xytext=(4, 4), textcoords="offset points")
    ax.set_xlabel(_titled(source, df.attrs["x_title"], xm))
    ax.set_ylabel(_titled(source, df.attrs["y_title"], ym))
    ax.set_title("RFQ frontier (cells on the Pareto front, with intervals)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def precision_figure(source: Source):
    try:
        df = fd.precision_data(source)
    except fd.NotApplicable:
        return _endpoint_precision_figure(source)  # no --target: the achieved half-widths
    fig, ax = plt.subplots(figsize=(7, 4.5))
    metric = df.attrs.get("target_metric")
    what = f"contrast {metric}" if df.attrs.get("target_contrast") else (metric or "")
    ax.plot(df["repetitions"], df["max_half_width"], "o-",
            label=f"largest half-width {what}".rstrip())
    target = df.attrs["target"]
    if target is not None and math.isfinite(target):
        ax.axhline(target, color="tab:green", linestyle="--", label=f"target {target:g}")
    units = f" [{source.metric_units(metric)}]" if metric and source.metric_units(metric) else ""
    ax.set_xlabel("repetitions per cell")
    ax.set_ylabel(f"largest interval half-width{units}")
    twin = ax.twinx()
    twin.plot(df["repetitions"], df["cells_meeting_target"], "s--", color="tab:orange",
              label="targets met")
    if "targets" in df:
        twin.axhline(float(df["targets"].max()), color="tab:orange", linewidth=0.8, alpha=0.5,
                     label="targets in all")
    twin.set_ylabel("targets met [count]")
    twin.set_ylim(bottom=0)
    capped = df.attrs.get("capped_cells") or []
    ax.set_title(f"adaptive precision: {len(df)} blocks, {len(capped)} capped", fontsize=10)
    lines = ax.get_legend_handles_labels()
    lines2 = twin.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], fontsize=7, loc="center right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _endpoint_precision_figure(source: Source):
    df = fd.precision_endpoint_data(source)
    fig, ax = plt.subplots(figsize=(8, 1.5 + 0.35 * len(df)))
    pos = np.arange(len(df))[::-1]
    ax.barh(pos, df["half_width"], height=0.6)
    ax.set_yticks(pos, df["label"], fontsize=7)
    metric = df["metric"].iloc[0] if "metric" in df else ""
    ax.set_xlabel(_titled(source, f"interval half-width of {metric}", metric))
    ax.set_title("precision reached (no --target trace): primary endpoint per cell", fontsize=10)
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    return fig


def figure_specs(source: Source) -> list:
    """(file stem, title, function) of every figure proteus-plot makes for this source."""
    specs = []
    for m in fd.summary_metrics(source):
        specs.append((f"means_{m}", f"{m}: cell means", lambda m=m: means_figure(source, m)))
    for m in fd.contrast_metrics(source):
        specs.append((f"forest_{m}", f"{m}: paired contrasts", lambda m=m: forest_figure(source, m)))
    specs += [
        ("adverse_selection", "Adverse-selection decomposition", lambda: decomposition_figure(source)),
        ("survival", "Survival: kill probability and time to kill", lambda: survival_figure(source)),
        ("pnl_drawdown", "P&L and drawdown distributions with VaR/CVaR", lambda: tails_figure(source)),
        ("frontier", "RFQ frontier", lambda: frontier_figure(source)),
        ("precision", "Adaptive-precision trace", lambda: precision_figure(source)),
    ]
    return specs


def save(fig, out_dir: str, stem: str, formats=("png", "svg")) -> list:
    """Writes the figure as out_dir/stem.<fmt> for each format; returns the paths."""
    import os
    paths = []
    for ext in formats:
        path = os.path.join(out_dir, f"{stem}.{ext}")
        meta = {"Date": None} if ext == "svg" else {"Software": None}
        fig.savefig(path, format=ext, metadata=meta)
        paths.append(path)
    plt.close(fig)
    return paths
