// Internal to src/sweep (include only from .cpp files): expanding the axes of a parsed sweep
// file into its cells.
#pragma once

#include <toml++/toml.h>

#include "sweep/sweep_config.hpp"

namespace proteus::sweep::detail {

/// Fills plan.cells from plan.axes: plain axes in row-major order (the last varies fastest),
/// then the cell mechanism's own axes, each cell with its settings, point and label. First
/// refuses a grid too large for the panel or for memory (kMaxCells, kMaxGridBytes) and
/// mechanism names the engine does not know; `doc` is the parsed sweep file, for positions.
void expand_grid(SweepPlan& plan, const toml::table& doc);

}  // namespace proteus::sweep::detail
