"""proteus-plot PANEL_OR_EXPERIMENT_DIR --out DIR: every figure that applies, as PNG and SVG,
and index.html (in the experiment folder, or in DIR for a bare panel)."""
from __future__ import annotations

import argparse
import os
import sys

from . import figdata, plots
from .html import write_index
from .panel import PanelError
from .report import open_source


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="proteus-plot", description=__doc__)
    p.add_argument("source", metavar="PANEL_OR_EXPERIMENT_DIR")
    p.add_argument("--out", required=True, help="folder for the figures (created)")
    p.add_argument("--html", help="where to write index.html (default: the experiment folder, "
                                  "or OUT/index.html for a panel file)")
    p.add_argument("--no-html", action="store_true", help="write the figures only")
    p.add_argument("--only", action="append", default=[],
                   help="make only the figures whose file stem starts with this (repeatable); "
                        "index.html is then written only with --html")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    try:
        source = open_source(args.source)
    except PanelError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    made = []
    for stem, title, make in plots.figure_specs(source):
        if args.only and not any(stem.startswith(o) for o in args.only):
            continue
        try:
            fig = make()
        except figdata.NotApplicable as e:
            if not args.quiet:
                print(f"skipped {stem}: {e}")
            continue
        png, svg = plots.save(fig, args.out, stem)
        made.append((title, png, svg))
        if not args.quiet:
            print(f"wrote {png} {svg}")
    if not made:
        why = ("the panel has no report tables: run `proteus report` on it first"
               if source.summary is None else "none of the selected figures applies")
        print(f"error: {args.source}: no figure written: {why}", file=sys.stderr)
        return 2
    if not args.no_html and (args.html or not args.only):
        path = args.html or (os.path.join(args.source, "index.html") if source.folder
                             else os.path.join(args.out, "index.html"))
        write_index(path, source, made)
        if not args.quiet:
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
