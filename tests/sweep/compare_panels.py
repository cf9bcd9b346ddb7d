#!/usr/bin/env python3
"""Compares the /runs (and /cells) datasets of two panels byte for byte; exit 1 on any difference."""
import sys

import h5py


def datasets(f, group):
    out = {}
    f[group].visititems(lambda name, obj: out.__setitem__(name, obj) if isinstance(obj, h5py.Dataset) else None)
    return out


def main(a_path, b_path, groups=("runs", "cells")):
    differences = []
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        for group in groups:
            da, db = datasets(a, group), datasets(b, group)
            if sorted(da) != sorted(db):
                differences.append(f"/{group}: columns differ: {sorted(set(da) ^ set(db))}")
            for name in sorted(set(da) & set(db)):
                x, y = da[name], db[name]
                if x.dtype != y.dtype or x.shape != y.shape:
                    differences.append(f"/{group}/{name}: {x.dtype}{x.shape} vs {y.dtype}{y.shape}")
                    continue
                xv, yv = x[()], y[()]
                if x.dtype.kind == "O":
                    same = list(xv) == list(yv)
                else:
                    same = xv.tobytes() == yv.tobytes()
                if not same:
                    differences.append(f"/{group}/{name}: bytes differ")
        if "runs" in groups and len(a["runs/status"]) == 0:
            differences.append("empty panel")
    for d in differences:
        print(d)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
