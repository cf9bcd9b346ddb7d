"""index.html of an experiment folder: the report (experiment, verdicts, summary, contrasts,
metadata) and every figure, as one static page with relative links."""
from __future__ import annotations

import html
import json
import math
import os

SUMMARY_COLUMNS = ["cell", "label", "metric", "units", "n", "mean", "ci_low", "ci_high", "wilson_low",
                   "wilson_high", "var_5", "cvar_5"]
CONTRAST_COLUMNS = ["cell", "baseline_cell", "label", "baseline_label", "metric", "n",
                    "mean_diff", "ci_low", "ci_high", "p_adjusted", "d_z", "vrf"]


def _plain(v) -> str:
    """One value as short text: numbers to 4 significant digits, an effect (mean_diff with its
    interval) as `metric d [lo, hi] units (n, p)`, other objects as `key: value; ...`."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, dict):
        if "mean_diff" in v:
            text = (f"{v.get('metric', '')} {_plain(v['mean_diff'])} "
                    f"[{_plain(v.get('ci_low'))}, {_plain(v.get('ci_high'))}] {v.get('units', '')}")
            extra = []
            if "n" in v:
                extra.append(f"n = {v['n']}")
            if v.get("p_value") is not None:
                extra.append(f"p = {_plain(v['p_value'])}")
            return text.strip() + (f" ({', '.join(extra)})" if extra else "")
        return "; ".join(f"{k}: {_plain(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return ", ".join(_plain(x) for x in v)
    return str(v)


def _cell(v) -> str:
    cls = ' class="num"' if isinstance(v, (int, float)) and not isinstance(v, bool) else ""
    return f"<td{cls}>{html.escape(_plain(v))}</td>"


def _table(rows: list, columns: list | None = None) -> str:
    if not rows:
        return "<p>(none)</p>"
    if columns is None:
        columns = list(dict.fromkeys(k for r in rows for k in r))
    columns = [c for c in columns if any(c in r for r in rows)]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(_cell(r.get(c)) for c in columns) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _records(df) -> list:
    return [] if df is None else df.to_dict(orient="records")


STYLE = """body{font-family:sans-serif;margin:2em;max-width:1200px}
table{border-collapse:collapse;font-size:12px;margin-bottom:1em}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
td.num{text-align:right}
th{background:#eee}figure{margin:1em 0}img{max-width:100%;border:1px solid #ddd}"""


def write_index(path: str, source, figures: list) -> str:
    """Writes the page at `path`; `figures` holds (title, png path, svg path or None)."""
    base = os.path.dirname(os.path.abspath(path))
    report, parts = source.report, []
    title = "Proteus report"
    exp = report.get("experiment") or {}
    if exp:
        title = f"Experiment {exp.get('name', '')} ({exp.get('preset', '')})"
    parts.append(f"<h1>{html.escape(title)}</h1>")
    parts.append(f"<p>Panel: <code>{html.escape(os.path.relpath(source.panel.path, base))}</code>"
                 f", config SHA-256 <code>{html.escape(str(source.panel.attrs.get('config_sha256', '')))}"
                 f"</code>, level {source.level:g}.</p>")
    if exp:
        parts.append("<h2>Experiment</h2>" + _table([exp]))
    if report.get("verdicts"):
        parts.append("<h2>Verdicts</h2>" + _table(report["verdicts"]))
    parts.append("<h2>Figures</h2>")
    for fig_title, png, svg in figures:
        rel = html.escape(os.path.relpath(png, base))
        link = f' (<a href="{html.escape(os.path.relpath(svg, base))}">SVG</a>)' if svg else ""
        parts.append(f'<figure><img src="{rel}" alt="{html.escape(fig_title)}">'
                     f"<figcaption>{html.escape(fig_title)}{link}</figcaption></figure>")
    parts.append("<h2>Summary</h2>" + _table(_records(source.summary), SUMMARY_COLUMNS))
    parts.append("<h2>Contrasts</h2>" + _table(_records(source.contrasts), CONTRAST_COLUMNS))
    if report.get("notes"):
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{html.escape(_plain(n))}</li>"
                                                     for n in report["notes"]) + "</ul>")
    if source.metadata:
        parts.append("<h2>Metadata</h2>" + _table([{k: v for k, v in source.metadata.items()}]))
    page = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
            f"</title><style>{STYLE}</style></head><body>\n" + "\n".join(parts)
            + "\n</body></html>\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
    return path
