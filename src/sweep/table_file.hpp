// A small HDF5 table beside a panel (one dataset per column under one group, string attributes
// on the root): how searches store their Pareto frontier for h5py and pandas. No HDF5 types here.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace proteus::sweep {

/// One column: float64 numbers, or (is_string) variable-length UTF-8 strings.
struct TableColumn {
  std::string name;
  std::string description;
  bool is_string = false;
  std::vector<double> numbers;
  std::vector<std::string> strings;
};

/// Creates (truncating) `path` with `/<group>/<column>` datasets and the root `attributes`.
/// Throws PanelError with the HDF5 message when a write fails.
void write_table_file(const std::filesystem::path& path, const std::string& group,
                      const std::vector<TableColumn>& columns,
                      const std::vector<std::pair<std::string, std::string>>& attributes);

}  // namespace proteus::sweep
