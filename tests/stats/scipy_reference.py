#!/usr/bin/env python3
"""Independent reference values for proteus::stats, computed with SciPy and NumPy at test time.

Usage: scipy_reference.py OUTPUT.txt
Writes one line per named vector, "name v1 v2 ...", with Python's round-trip float repr.
Inputs (seeded NumPy fixtures) are written alongside the expected values so the C++ test
feeds exactly these numbers to proteus::stats and compares. Nothing here reads our C++ code:
SciPy/NumPy give the answers, and where SciPy has no public routine (Holm, BH, Hedges' J,
SplitMix64, expected shortfall) the formula is written from its published definition.
"""
import math
import sys

import numpy as np
import scipy
import scipy.special
import scipy.stats as st

out_lines = []


def put(name, values):
    values = np.atleast_1d(np.asarray(values, dtype=float))
    out_lines.append(name + " " + " ".join(repr(float(v)) for v in values))


def t_interval(mean, se, df, level):
    low, high = st.t.interval(level, df, loc=mean, scale=se)
    return [low, high]


rng = np.random.default_rng(20261121)

# --- per-sample summary -------------------------------------------------------------
x = rng.normal(10.0, 3.0, 30)
put("summary.x", x)
n = len(x)
sd = np.std(x, ddof=1)
se = st.sem(x)
put("summary.expected", [np.mean(x), sd, se])
put("summary.ci95", t_interval(np.mean(x), se, n - 1, 0.95))
put("summary.ci90", t_interval(np.mean(x), se, n - 1, 0.90))

# --- paired contrast (common random numbers: shared base) ----------------------------
base = rng.normal(0.0, 1.0, 25)
a = base + rng.normal(0.3, 0.5, 25)
b = base + rng.normal(0.0, 0.5, 25)
put("paired.a", a)
put("paired.b", b)
res = st.ttest_rel(a, b)
d = a - b
put("paired.t_p", [res.statistic, res.pvalue])
ci = res.confidence_interval(0.95)
put("paired.ci95", [ci.low, ci.high])
ci = res.confidence_interval(0.99)
put("paired.ci99", [ci.low, ci.high])
put("paired.mean_sd", [np.mean(d), np.std(d, ddof=1)])
put("paired.d_z", [np.mean(d) / np.std(d, ddof=1)])
put("paired.vrf", [(np.var(a, ddof=1) + np.var(b, ddof=1)) / np.var(d, ddof=1)])


def hedges_j(df):
    # Hedges (1981): J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)). SciPy's gamma directly while
    # it is far from overflow; beyond, the gamma-ratio series Gamma(x+1/2)/Gamma(x) =
    # sqrt(x) (1 - 1/8x + 1/128x^2 + 5/1024x^3 - 21/32768x^4 + ...) (DLMF 5.11.13), x = (m-1)/2,
    # whose truncation error is below 1e-16 there (log-gamma differences lose ~1e-11 at m = 1e5).
    if df <= 300:
        return scipy.special.gamma(df / 2) / (math.sqrt(df / 2) * scipy.special.gamma((df - 1) / 2))
    x = (df - 1) / 2
    ratio = math.sqrt(x) * (1 - 1 / (8 * x) + 1 / (128 * x**2) + 5 / (1024 * x**3) - 21 / (32768 * x**4))
    return ratio / math.sqrt(df / 2)


# --- Welch contrast, unequal sizes and variances -------------------------------------
wa = rng.normal(1.0, 2.0, 18)
wb = rng.normal(0.0, 1.0, 27)
put("welch.a", wa)
put("welch.b", wb)
res = st.ttest_ind(wa, wb, equal_var=False)
va, vb = np.var(wa, ddof=1) / len(wa), np.var(wb, ddof=1) / len(wb)
df = (va + vb) ** 2 / (va**2 / (len(wa) - 1) + vb**2 / (len(wb) - 1))
diff = np.mean(wa) - np.mean(wb)
put("welch.t_p_df", [res.statistic, res.pvalue, df])
ci = res.confidence_interval(0.95) if hasattr(res, "confidence_interval") else None
welch_ci = t_interval(diff, math.sqrt(va + vb), df, 0.95)
if ci is not None:
    assert abs(ci.low - welch_ci[0]) < 1e-12 and abs(ci.high - welch_ci[1]) < 1e-12
put("welch.ci95", welch_ci)
pooled_df = len(wa) + len(wb) - 2
pooled_sd = math.sqrt(((len(wa) - 1) * np.var(wa, ddof=1) + (len(wb) - 1) * np.var(wb, ddof=1)) / pooled_df)
cohen = diff / pooled_sd
put("welch.cohen_hedges", [cohen, hedges_j(pooled_df) * cohen])
put("hedges_j.df", [2, 3, 5, 10, 38, 100, 1000, 1e5])
put("hedges_j.value", [hedges_j(m) for m in [2, 3, 5, 10, 38, 100, 1000, 1e5]])

# --- BCa on a fixed bootstrap distribution -------------------------------------------
class FixedDistribution:
    """What scipy.stats.bootstrap accepts as bootstrap_result: only the distribution is read."""

    def __init__(self, values):
        self.bootstrap_distribution = np.asarray(values)


def bca_from_definition(data, boot, level):
    # Efron & Tibshirani (1993) eqs. 14.14-14.15, ties with the estimate counted half.
    est = np.mean(data)
    frac = (np.sum(boot < est) + np.sum(boot <= est)) / (2 * len(boot))
    z0 = st.norm.ppf(frac)
    jack = np.array([np.mean(np.delete(data, i)) for i in range(len(data))])
    dj = jack.mean() - jack
    acc = np.sum(dj**3) / (6 * np.sum(dj**2) ** 1.5)
    out = []
    for z in (st.norm.ppf((1 - level) / 2), st.norm.ppf((1 + level) / 2)):
        alpha = st.norm.cdf(z0 + (z0 + z) / (1 - acc * (z0 + z)))
        out.append(np.quantile(boot, alpha))
    return out, z0, acc


def scipy_intervals(data, boot, level):
    got = {}
    for method in ("BCa", "percentile"):
        r = st.bootstrap((data,), np.mean, n_resamples=0, confidence_level=level, method=method,
                         bootstrap_result=FixedDistribution(boot))
        got[method] = [r.confidence_interval.low, r.confidence_interval.high]
    mine, z0, acc = bca_from_definition(data, boot, level)
    assert np.allclose(mine, got["BCa"], rtol=1e-12, atol=0), (mine, got["BCa"])
    return got, z0, acc


bdata = rng.lognormal(0.0, 1.0, 25)
idx = rng.integers(0, len(bdata), size=(2000, len(bdata)))
boot = bdata[idx].mean(axis=1)
put("bca.data", bdata)
put("bca.boot", boot)
for level, tag in ((0.95, "95"), (0.90, "90")):
    got, z0, acc = scipy_intervals(bdata, boot, level)
    put("bca.bca" + tag, got["BCa"])
    put("bca.percentile" + tag, got["percentile"])
    put("bca.z0_a" + tag, [z0, acc])

# --- SplitMix64 (Steele, Lea & Flood 2014; Vigna's splitmix64.c) ---------------------
M64 = (1 << 64) - 1


def splitmix64(seed, index):
    z = (seed + (index + 1) * 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


# 64-bit integers do not survive a double; write them as two exact 32-bit halves.
for seed in (0, 1234567, M64):
    vals = []
    for i in (0, 1, 2, 1000, 1 << 40):
        v = splitmix64(seed, i)
        vals += [v >> 32, v & 0xFFFFFFFF]
    put("splitmix.seed%d" % (0 if seed == 0 else (1 if seed == 1234567 else 2)), vals)

# --- whole bootstrap pipeline: our resampling scheme written independently ------------
pdata = rng.gamma(2.0, 1.5, 15)
seed, nres = 42, 500
boot_p = np.array([
    np.mean([pdata[(splitmix64(seed, r * len(pdata) + j) * len(pdata)) >> 64] for j in range(len(pdata))])
    for r in range(nres)
])
put("pipeline.data", pdata)
put("pipeline.seed_resamples", [seed, nres])
got, _, _ = scipy_intervals(pdata, boot_p, 0.95)
put("pipeline.bca95", got["BCa"])
put("pipeline.percentile95", got["percentile"])

# --- Wilson score interval -----------------------------------------------------------
cases = [(0, 20, 0.95), (1, 29, 0.95), (15, 148, 0.95), (81, 263, 0.95), (20, 20, 0.95),
         (37, 50, 0.95), (81, 263, 0.99), (500, 1000, 0.90)]
for k, nn, level in cases:
    ci = st.binomtest(k, nn).proportion_ci(confidence_level=level, method="wilson")
    put("wilson.%d_%d_%g" % (k, nn, level), [k, nn, level, ci.low, ci.high])

# --- quantiles (numpy default method "linear") ---------------------------------------
qs = [0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0]
qx = rng.standard_t(3, 101)
put("quantile.x", qx)
put("quantile.q", qs)
put("quantile.expected", np.quantile(qx, qs))
qsmall = rng.normal(0, 1, 7)
put("quantile.small", qsmall)
put("quantile.small_expected", np.quantile(qsmall, qs))

# --- VaR / CVaR (losses positive) and max drawdown -----------------------------------
pnl = rng.normal(0.1, 1.0, 500) - rng.exponential(2.0, 500) * (rng.uniform(size=500) < 0.05)
put("tail.pnl", pnl)
losses = -pnl
for level, tag in ((0.95, "95"), (0.99, "99"), (0.5, "50")):
    var = np.quantile(losses, level)
    put("tail.var_cvar" + tag, [level, var, losses[losses >= var].mean()])
path = np.cumsum(rng.normal(0.0, 1.0, 1000))
put("drawdown.path", path)
put("drawdown.expected", [np.max(np.maximum.accumulate(path) - path)])


# --- Holm and Benjamini-Hochberg from their definitions ------------------------------
def holm(p):
    # Holm (1979): reject H_(1..k) while p_(i) <= alpha / (m - i + 1); adjusted value is the
    # smallest alpha rejecting H_(i): max over j <= i of (m - j + 1) p_(j), capped at 1.
    m = len(p)
    order = sorted(range(m), key=lambda i: (p[i], i))
    adj = [0.0] * m
    for rank, i in enumerate(order):
        adj[i] = min(1.0, max((m - j) * p[order[j]] for j in range(rank + 1)))
    return adj


def bh(p):
    # Benjamini & Hochberg (1995): reject H_(1..k) for the largest k with p_(k) <= k alpha / m;
    # adjusted value is the smallest such alpha: min over j >= i of m p_(j) / j, capped at 1.
    m = len(p)
    order = sorted(range(m), key=lambda i: (p[i], i))
    adj = [0.0] * m
    for rank, i in enumerate(order):
        adj[i] = min(1.0, min(m * p[order[j]] / (j + 1) for j in range(rank, m)))
    return adj


pv = list(rng.uniform(0.0, 0.08, 10)) + [0.5, 0.02, 0.02, 0.9, 1e-6]
put("multiple.p", pv)
put("multiple.holm", holm(pv))
put("multiple.bh", bh(pv))

with open(sys.argv[1], "w") as f:
    f.write("# generated by tests/stats/scipy_reference.py with scipy %s, numpy %s\n"
            % (scipy.__version__, np.__version__))
    f.write("\n".join(out_lines) + "\n")
print("wrote %d reference vectors to %s" % (len(out_lines), sys.argv[1]))
