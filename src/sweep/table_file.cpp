// HDF5 tables beside panels (see table_file.hpp).
#include "sweep/table_file.hpp"

#include <fmt/format.h>
#include <hdf5.h>

#include "sweep/hdf5_util.hpp"
#include "sweep/panel_schema.hpp"

namespace proteus::sweep {

void write_table_file(const std::filesystem::path& path, const std::string& group,
                      const std::vector<TableColumn>& columns,
                      const std::vector<std::pair<std::string, std::string>>& attributes) {
  h5::Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                  fmt::format("create {}", path.string()));
  for (const auto& [name, value] : attributes) h5::set_string_attr(file.get(), name.c_str(), value);
  h5::Handle g(H5Gcreate2(file.get(), group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
               H5Gclose, group);
  for (const auto& c : columns) {
    h5::Handle ds = c.is_string
                        ? h5::write_strings(g.get(), c.name, c.strings)
                        : h5::write_column(g.get(), c.name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                           c.numbers.size(), c.numbers.data());
    h5::set_string_attr(ds.get(), schema::kDescriptionAttr, c.description);
    ds.close();
  }
  g.close();
  file.close();
}

}  // namespace proteus::sweep
