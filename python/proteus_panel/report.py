"""The numbers figures are drawn from: an experiment folder's report.json (the output of
`proteus report --format json` plus the experiment's keys, /work/notes/experiment-folder.md),
or, for a bare panel, the /summary and /contrasts tables `proteus report` stored in it."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .panel import Panel, PanelError, load

# JSON quantile keys -> the /summary column names.
QUANTILE_COLUMNS = {0.01: "q01", 0.05: "q05", 0.25: "q25", 0.5: "q50", 0.75: "q75",
                    0.95: "q95", 0.99: "q99"}


@dataclass
class Source:
    """What proteus-plot reads: the panel, the report tables and the report's extra keys."""

    panel: Panel
    summary: pd.DataFrame | None
    contrasts: pd.DataFrame | None
    report: dict = field(default_factory=dict)  # report.json as read ({} for a bare panel)
    metadata: dict = field(default_factory=dict)  # metadata.json ({} when absent)
    folder: str | None = None  # the experiment folder, None for a bare panel

    @property
    def level(self) -> float:
        if "level" in self.report and self.report["level"] is not None:
            return float(self.report["level"])
        return float(self.panel.report_attrs.get("level", 0.95))

    def metric_units(self, metric: str) -> str:
        if self.summary is not None and "units" in self.summary:
            rows = self.summary[self.summary["metric"] == metric]
            if len(rows) and isinstance(rows["units"].iloc[0], str) and rows["units"].iloc[0]:
                return rows["units"].iloc[0]
        return self.panel.unit(metric)

    def metric_label(self, metric: str) -> str:
        u = self.metric_units(metric)
        return f"{metric} [{u}]" if u else metric


def _nan(v):
    return np.nan if v is None else v


def summary_from_json(rows: list) -> pd.DataFrame:
    """The report JSON's summary rows as a table with the /summary column names."""
    out = []
    for r in rows:
        row = {k: _nan(v) for k, v in r.items() if k != "quantiles"}
        for q, v in (r.get("quantiles") or {}).items():
            col = QUANTILE_COLUMNS.get(float(q))
            if col:
                row[col] = _nan(v)
        out.append(row)
    return pd.DataFrame(out)


def contrasts_from_json(rows: list) -> pd.DataFrame:
    return pd.DataFrame([{k: _nan(v) for k, v in r.items()} for r in rows])


def _read_json(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise PanelError(f"{path}:{e.lineno}:{e.colno}: invalid JSON: {e.msg}") from e


def open_source(path: str) -> Source:
    """An experiment folder (panel.h5 + report.json [+ metadata.json]) or a panel file."""
    if os.path.isdir(path):
        panel_path = os.path.join(path, "panel.h5")
        if not os.path.exists(panel_path):
            raise PanelError(f"{path}: neither a panel file nor an experiment folder "
                             "(no panel.h5 inside)")
        panel = load(panel_path)
        report_path = os.path.join(path, "report.json")
        report = _read_json(report_path) if os.path.exists(report_path) else {}
        meta_path = os.path.join(path, "metadata.json")
        metadata = _read_json(meta_path) if os.path.exists(meta_path) else {}
        if "summary" in report:
            summary = summary_from_json(report["summary"])
            contrasts = contrasts_from_json(report.get("contrasts", []))
        else:
            summary, contrasts = panel.summary, panel.contrasts
        return Source(panel, summary, contrasts, report, metadata, folder=path)
    panel = load(path)
    return Source(panel, panel.summary, panel.contrasts)
