"""Loads a Proteus panel (docs/panel-schema.md) into pandas: runs joined with their cells,
the /summary and /contrasts tables `proteus report` writes, and the units of every column."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import h5py
import numpy as np
import pandas as pd

# /cells columns that are not swept axes.
CELL_META = ("label", "mechanism", "scenario", "contrast_group", "is_baseline")
STATUS_OK = 0


class PanelError(Exception):
    """A file that cannot be read as a panel or an experiment folder (message names it)."""


def _column(ds: h5py.Dataset):
    if h5py.check_string_dtype(ds.dtype) is not None:
        return ds.asstr()[()]
    return ds[()]


def _attr(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _table(group: h5py.Group) -> pd.DataFrame:
    return pd.DataFrame({name: _column(ds) for name, ds in group.items()
                         if isinstance(ds, h5py.Dataset) and ds.ndim == 1})


def axis_units_from_name(key: str) -> str:
    """The unit a config key names by the config's rule (`..._ms`, `..._s`), else ""."""
    if key.endswith("_ms"):
        return "ms"
    if key.endswith("_s"):
        return "s"
    return ""


@dataclass
class Panel:
    """One panel in memory.

    runs: every /runs row (all statuses; `ok()` keeps status 0) joined with its /cells row
          (label, mechanism and every swept axis; not the scenario text).
    cells: /cells, indexed by cell number, including `scenario`.
    summary, contrasts: the /summary and /contrasts tables, or None when `proteus report`
          has not written them.
    units: column name -> units, for /runs metrics and the /cells axes that carry them.
    attrs: the root attributes (config text, master_seed, repetitions, ...).
    axes: the swept keys (the /cells columns that are not label, mechanism, ...).
    """

    path: str
    runs: pd.DataFrame
    cells: pd.DataFrame
    summary: pd.DataFrame | None
    contrasts: pd.DataFrame | None
    units: dict = field(default_factory=dict)
    descriptions: dict = field(default_factory=dict)
    attrs: dict = field(default_factory=dict)
    axes: list = field(default_factory=list)
    report_attrs: dict = field(default_factory=dict)

    def ok(self) -> pd.DataFrame:
        """The finished runs with status 0 (the rows `proteus report` uses)."""
        return self.runs[self.runs["status"] == STATUS_OK]

    def unit(self, name: str) -> str:
        if name in self.units:
            return self.units[name]
        return axis_units_from_name(name)

    def label(self, name: str) -> str:
        """`name [units]` for axis labels, `name` alone when no unit is known."""
        u = self.unit(name)
        return f"{name} [{u}]" if u else name

    def metrics(self) -> list:
        return [c for c in self.runs.columns if c in self.units and c not in self.axes
                and c not in ("events",)]


def load(path: str) -> Panel:
    """Reads the panel at `path` (an .h5 file, or an experiment folder holding panel.h5)."""
    if os.path.isdir(path):
        path = os.path.join(path, "panel.h5")
    if not os.path.exists(path):
        raise PanelError(f"{path}: no such file")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise PanelError(f"{path}: cannot open as HDF5: {e}") from e
    with f:
        for group in ("runs", "cells"):
            if group not in f:
                raise PanelError(f"{path}: not a Proteus panel (no /{group} group)")
        attrs = {k: _attr(v) for k, v in f.attrs.items()}
        cells = _table(f["cells"])
        cells.index.name = "cell"
        runs = _table(f["runs"])
        units, descriptions = {}, {}
        for group in ("runs", "cells"):
            for name, ds in f[group].items():
                if "units" in ds.attrs:
                    units[name] = _attr(ds.attrs["units"])
                if "description" in ds.attrs:
                    descriptions[name] = _attr(ds.attrs["description"])
        summary = _table(f["summary"]) if "summary" in f else None
        contrasts = _table(f["contrasts"]) if "contrasts" in f else None
        report_attrs = {k: _attr(v) for k, v in f["summary"].attrs.items()} if "summary" in f else {}
    axes = [c for c in cells.columns if c not in CELL_META]
    joined = runs.merge(cells.drop(columns=["scenario"], errors="ignore"),
                        left_on="cell", right_index=True, how="left", sort=False)
    return Panel(path=path, runs=joined, cells=cells, summary=summary, contrasts=contrasts,
                 units=units, descriptions=descriptions, attrs=attrs, axes=axes,
                 report_attrs=report_attrs)
