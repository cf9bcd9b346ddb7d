"""Python side of Proteus panels: `load` a panel into pandas, the data behind each figure
(`figdata`), the figures (`plots`) and the `proteus-plot` command (`plot`).
docs/analysis.md shows each of them."""
from .panel import Panel, PanelError, load
from .report import Source, open_source

__all__ = ["Panel", "PanelError", "Source", "load", "open_source"]
