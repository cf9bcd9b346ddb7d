"""`python3 -m proteus_panel SOURCE --out DIR` is proteus-plot."""
import sys

from .plot import main

sys.exit(main())
