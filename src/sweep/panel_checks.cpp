// What verify_panel() checks, run in its child process: every object header, the root
// attributes, and every dataset of /cells, /runs, /timing and /errors read in full (lengths,
// Fletcher32 checksums, SHA-256 digests of string datasets, status codes, bounded sizes).
#include <fmt/format.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <set>
#include <string_view>

#include "engine/metrics_registry.hpp"
#include "sweep/errors.hpp"
#include "sweep/hdf5_util.hpp"
#include "sweep/panel.hpp"
#include "sweep/panel_format.hpp"
#include "sweep/panel_metrics.hpp"
#include "sweep/panel_schema.hpp"
#include "sweep/sha256.hpp"

namespace proteus::sweep {
namespace {

using h5::check;
using h5::Handle;

constexpr std::uint64_t kBlockRows = 1 << 20;

class Verifier {
 public:
  Verifier(const std::filesystem::path& path, hid_t file, bool checksums,
           format::ProgressFn progress)
      : path_(path), file_(file), checksums_(checksums), progress_(progress) {}

  [[noreturn]] void damaged(std::string_view what, std::string_view why) const {
    throw PanelDamagedError(fmt::format("{}: {} is damaged: {}", path_.string(), what, why));
  }

  /// Runs an HDF5 step on `what`; an HDF5 failure means the object is damaged.
  template <class F>
  auto on(std::string_view what, F&& step) const {
    try {
      return step();
    } catch (const PanelError& e) {
      damaged(what, e.what());
    }
  }

  /// Opens a 1-D dataset, checks its length and (in a checksummed panel) its Fletcher32 filter.
  Handle dataset(const std::string& name, std::uint64_t expected, bool filtered = true) const {
    const std::string what = "dataset /" + name;
    progress_(what);
    return on(what, [&] {
      Handle ds(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose, name);
      const std::uint64_t n = h5::extent(ds.get(), name);
      if (n != expected) {
        damaged(what, fmt::format("{} rows, expected {}", n, expected));
      }
      if (checksums_ && filtered) {
        Handle dcpl(H5Dget_create_plist(ds.get()), H5Pclose, name);
        unsigned flags = 0;
        std::size_t nelmts = 0;
        unsigned config = 0;
        if (H5Pget_filter_by_id2(dcpl.get(), H5Z_FILTER_FLETCHER32, &flags, &nelmts, nullptr, 0,
                                 nullptr, &config) < 0) {
          H5Eclear2(H5E_DEFAULT);
          damaged(what, "no Fletcher32 checksum filter");
        }
      }
      return ds;
    });
  }

  /// Reads a numeric dataset in full, in blocks; `each` sees every block as raw native bytes.
  template <class F>
  void read_numbers(const std::string& name, std::uint64_t rows, F&& each) const {
    Handle ds = dataset(name, rows);
    const std::string what = "dataset /" + name;
    on(what, [&] {
      Handle file_type(H5Dget_type(ds.get()), H5Tclose, name);
      const H5T_class_t cls = H5Tget_class(file_type.get());
      if (cls != H5T_INTEGER && cls != H5T_FLOAT) damaged(what, "not a numeric dataset");
      Handle mem_type(H5Tget_native_type(file_type.get(), H5T_DIR_ASCEND), H5Tclose, name);
      const std::size_t width = H5Tget_size(mem_type.get());
      if (width == 0 || width > 16) damaged(what, "unexpected element size");
      std::vector<unsigned char> block;
      for (std::uint64_t first = 0; first < rows; first += kBlockRows) {
        const std::uint64_t count = std::min(kBlockRows, rows - first);
        block.resize(count * width);
        h5::read_rows(ds.get(), mem_type.get(), first, count, block.data(), name);
        each(first, count, block.data(), width);
        progress_(what);
      }
      return 0;
    });
  }

  /// Reads a string dataset with a bound on its total size and checks its digest.
  std::vector<std::string> read_strings(const std::string& name, std::uint64_t rows) const {
    Handle ds = dataset(name, rows, false);
    const std::string what = "dataset /" + name;
    return on(what, [&] {
      Handle file_type(H5Dget_type(ds.get()), H5Tclose, name);
      if (H5Tget_class(file_type.get()) != H5T_STRING) damaged(what, "not a string dataset");
      std::vector<std::string> values;
      if (check(H5Tis_variable_str(file_type.get()), name) > 0) {
        // The lengths stored in the dataset (covered by Fletcher32) bound what HDF5 reads from
        // the global heap; the file size bounds them all.
        Handle type = h5::vlen_string_type();
        Handle space(H5Dget_space(ds.get()), H5Sclose, name);
        hsize_t bytes = 0;
        check(H5Dvlen_get_buf_size(ds.get(), type.get(), space.get(), &bytes), name);
        if (bytes > file_size_ + rows) {
          damaged(what, fmt::format("strings claim {} bytes in a {}-byte file", bytes, file_size_));
        }
        values = h5::read_strings(file_, name);
      } else {
        values = h5::read_strings(file_, name);
      }
      for (const auto& v : values) {
        if (v.size() > format::kMaxStringBytes) damaged(what, "a string longer than 64 MiB");
      }
      if (checksums_) {
        if (!h5::has_attr(ds.get(), format::kDigestAttr)) damaged(what, "no sha256 attribute");
        const std::string stored = h5::read_string_attr(ds.get(), format::kDigestAttr);
        if (stored != format::strings_digest(values)) {
          damaged(what, "its strings do not match their SHA-256 digest");
        }
      }
      return values;
    });
  }

  /// Names of the datasets of a group, in name order.
  std::vector<std::string> members(const std::string& group) const {
    return on("group /" + group, [&] {
      Handle g(H5Gopen2(file_, group.c_str(), H5P_DEFAULT), H5Gclose, group);
      H5G_info_t info{};
      check(H5Gget_info(g.get(), &info), group);
      if (info.nlinks > 1'000'000) damaged("group /" + group, "too many members");
      std::vector<std::string> names;
      for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t n = H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr,
                                             0, H5P_DEFAULT);
        if (n < 0 || n > 4096) damaged("group /" + group, "unreadable member name");
        std::string name(static_cast<std::size_t>(n) + 1, '\0');
        check(H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(),
                                 name.size(), H5P_DEFAULT),
              group);
        name.resize(static_cast<std::size_t>(n));
        names.push_back(fmt::format("{}/{}", group, name));
      }
      return names;
    });
  }

  bool is_string(const std::string& name) const {
    return on("dataset /" + name, [&] {
      Handle ds(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose, name);
      Handle type(H5Dget_type(ds.get()), H5Tclose, name);
      return H5Tget_class(type.get()) == H5T_STRING;
    });
  }

  void set_file_size(std::uint64_t size) { file_size_ = size; }

 private:
  const std::filesystem::path& path_;
  hid_t file_;
  bool checksums_;
  format::ProgressFn progress_;
  std::uint64_t file_size_ = 0;
};

}  // namespace

namespace format {

void check_panel(const std::filesystem::path& path, ProgressFn progress) {
  check(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), "silence error printing");
  progress("the file structure (superblock, root group)");
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw SweepUsageError(fmt::format("{}: {}", path.string(), ec.message()));
  if (access(path.c_str(), R_OK) != 0) {
    throw PanelError(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  }
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw PanelDamagedError(fmt::format(
        "{}: not a panel (no HDF5 superblock: not an HDF5 file, or its first bytes are damaged)",
        path.string()));
  }
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) {
    const std::string stack = h5::error_stack();
    if (stack.find("already open for write") != std::string::npos) {
      throw PanelDamagedError(
          fmt::format("{}: the file was not closed (the sweep writing it was killed or failed); "
                      "`proteus sweep ... --resume` rebuilds it from {}.journal",
                      path.string(), path.string()));
    }
    throw PanelDamagedError(fmt::format(
        "{}: the file structure (superblock or root group) is damaged: {}", path.string(), stack));
  }
  Handle file(id, H5Fclose, "open");
  const hid_t f = file.get();
  // Every object header of the file (attributes, dataspaces, filter pipelines, links) is
  // loaded once, so its checksum is checked even where no dataset read below touches it.
  progress("the object headers");
  if (H5Ovisit2(
          f, H5_INDEX_NAME, H5_ITER_INC,
          [](hid_t, const char*, const H5O_info_t*, void*) -> herr_t { return 0; }, nullptr,
          H5O_INFO_ALL) < 0) {
    throw PanelDamagedError(
        fmt::format("{}: an object header is damaged: {}", path.string(), h5::error_stack()));
  }
  Verifier v(path, f, false, progress);
  const bool checksums = v.on("root attributes", [&] {
    if (!h5::has_attr(f, schema::kSchemaVersionAttr)) {
      throw SweepUsageError(
          fmt::format("{}: not a panel (no schema_version attribute)", path.string()));
    }
    return h5::has_attr(f, format::kChecksumsAttr);
  });
  Verifier verifier(path, f, checksums, progress);
  verifier.set_file_size(size);
  std::string environment;
  std::uint64_t repetitions = 0;
  verifier.on("root attributes", [&] {
    const std::string config = h5::read_string_attr(f, schema::kConfigAttr);
    const std::string sha = h5::read_string_attr(f, schema::kConfigSha256Attr);
    if (sha256_hex(config) != sha) {
      verifier.damaged("root attribute config", "its text does not match config_sha256");
    }
    environment = h5::read_string_attr(f, schema::kEnvironmentAttr);
    repetitions =
        h5::read_scalar_attr<std::uint64_t>(f, schema::kRepetitionsAttr, H5T_NATIVE_UINT64);
    h5::read_scalar_attr<std::uint64_t>(f, schema::kMasterSeedAttr, H5T_NATIVE_UINT64);
    h5::read_scalar_attr<std::uint8_t>(f, schema::kCompleteAttr, H5T_NATIVE_UINT8);
    h5::read_scalar_attr<int>(f, schema::kRanksAttr, H5T_NATIVE_INT);
    for (const char* name :
         {schema::kSweepNameAttr, schema::kStartTimeAttr, schema::kEndTimeAttr}) {
      h5::read_string_attr(f, name);
    }
    return 0;
  });
  if (repetitions == 0) verifier.damaged("root attribute repetitions", "0 repetitions");
  std::vector<engine::MetricInfo> registry;
  try {
    const engine::MetricRegistry r = read_panel_metrics(f);
    registry.assign(r.begin(), r.end());
  } catch (const std::exception& e) {
    verifier.damaged("root attribute environment", e.what());
  }

  // /cells: every column as long as /cells/label.
  const std::uint64_t cells = verifier.on("dataset /cells/label", [&] {
    Handle label(H5Dopen2(f, schema::kCellsLabel, H5P_DEFAULT), H5Dclose, schema::kCellsLabel);
    return h5::extent(label.get(), schema::kCellsLabel);
  });
  if (cells == 0) verifier.damaged("dataset /cells/label", "no cells");
  for (const auto& name : verifier.members(schema::kCellsGroup)) {
    if (verifier.is_string(name)) {
      verifier.read_strings(name, cells);
    } else {
      verifier.read_numbers(name, cells, [](auto...) {});
    }
  }
  if (cells > std::numeric_limits<std::uint64_t>::max() / repetitions) {
    verifier.damaged("root attribute repetitions", "cells x repetitions overflows");
  }
  const std::uint64_t rows = cells * repetitions;
  if (rows > size * 64 + (1u << 20) && checksums) {
    // Chunks never written are not stored, so a huge sweep may be a small file; only a row
    // count no real sweep has is refused.
    if (rows > (1ull << 40)) verifier.damaged("dataset /runs/status", "absurd row count");
  }

  std::set<std::string> required = {schema::kRunsCell, schema::kRunsRep, schema::kRunsSeed,
                                    schema::kRunsStatus, schema::kRunsEvents};
  for (const auto& m : registry) required.insert(schema::runs_column(m.name));
  for (const auto& name : verifier.members(schema::kRunsGroup)) {
    required.erase(name);
    if (name == schema::kRunsStatus) {
      verifier.read_numbers(name, rows,
                            [&](std::uint64_t first, std::uint64_t count, const unsigned char* data,
                                std::size_t width) {
                              if (width != 1) verifier.damaged("dataset /runs/status", "not uint8");
                              for (std::uint64_t i = 0; i < count; ++i) {
                                if (!schema::is_known_status(data[i])) {
                                  verifier.damaged(
                                      "dataset /runs/status",
                                      fmt::format("row {} holds status {}", first + i, data[i]));
                                }
                              }
                            });
    } else {
      verifier.read_numbers(name, rows, [](auto...) {});
    }
  }
  if (!required.empty()) verifier.damaged("group /runs", "missing /" + *required.begin());
  for (const char* name : {schema::kTimingWallTime, schema::kTimingRank}) {
    verifier.read_numbers(name, rows, [](auto...) {});
  }
  const std::uint64_t errors = verifier.on("dataset /errors/row", [&] {
    Handle ds(H5Dopen2(f, schema::kErrorsRow, H5P_DEFAULT), H5Dclose, schema::kErrorsRow);
    return h5::extent(ds.get(), schema::kErrorsRow);
  });
  if (errors > rows) verifier.damaged("dataset /errors/row", "more error rows than runs");
  verifier.read_numbers(
      schema::kErrorsRow, errors,
      [&](std::uint64_t, std::uint64_t count, const unsigned char* data, std::size_t width) {
        for (std::uint64_t i = 0; i < count; ++i) {
          std::uint64_t row = 0;
          std::memcpy(&row, data + i * width, std::min<std::size_t>(width, 8));
          if (row >= rows)
            verifier.damaged("dataset /errors/row", fmt::format("row {} >= {}", row, rows));
        }
      });
  for (const char* name : {schema::kErrorsCell, schema::kErrorsRep, schema::kErrorsStatus}) {
    verifier.read_numbers(name, errors, [](auto...) {});
  }
  verifier.read_strings(schema::kErrorsMessage, errors);
  file.close();
}

}  // namespace format
}  // namespace proteus::sweep
