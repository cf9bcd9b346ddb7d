// The layout of a new panel (docs/panel-schema.md): root attributes, /cells, and the
// pre-sized, checksummed /runs, /timing and /errors columns.
#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <limits>
#include <string_view>

#include "engine/metrics_registry.hpp"
#include "proteus/version.hpp"
#include "sweep/hdf5_util.hpp"
#include "sweep/panel.hpp"
#include "sweep/panel_format.hpp"
#include "sweep/panel_schema.hpp"
#include "sweep/sha256.hpp"

namespace proteus::sweep::format {
namespace {

constexpr hsize_t kChunkRows = 8192;
constexpr hsize_t kErrorChunkRows = 256;

using h5::check;
using h5::Handle;
using h5::vlen_string_type;

/// Name inside its group of a schema dataset path.
std::string leaf_name(const char* path) {
  return std::string(schema::leaf(path));
}

template <class T>
void set_attr_number(hid_t obj, const char* name, hid_t type, T value) {
  h5::set_scalar_attr(obj, name, type, &value);
}

/// A pre-sized, extendable, chunked, shuffled and deflated 1-D column.
template <class T>
Handle create_column(hid_t group, const std::string& name, hid_t type, hsize_t rows, T fill) {
  const hsize_t max_rows = H5S_UNLIMITED;
  Handle space(H5Screate_simple(1, &rows, &max_rows), H5Sclose, name);
  Handle props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, name);
  const hsize_t chunk = std::max<hsize_t>(1, std::min(rows, kChunkRows));
  check(H5Pset_chunk(props.get(), 1, &chunk), name);
  check(H5Pset_shuffle(props.get()), name);
  check(H5Pset_deflate(props.get(), 4), name);
  check(H5Pset_fletcher32(props.get()), name);
  check(H5Pset_fill_value(props.get(), type, &fill), name);
  return Handle(
      H5Dcreate2(group, name.c_str(), type, space.get(), H5P_DEFAULT, props.get(), H5P_DEFAULT),
      H5Dclose, name);
}

/// Dataset creation properties of a fixed-size numeric /cells column: chunked so that
/// Fletcher32 applies (contiguous datasets cannot be filtered).
Handle fixed_column_props(hsize_t n, const std::string& name) {
  Handle props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, name);
  const hsize_t chunk = std::max<hsize_t>(1, std::min<hsize_t>(n, kChunkRows));
  check(H5Pset_chunk(props.get(), 1, &chunk), name);
  check(H5Pset_fletcher32(props.get()), name);
  return props;
}

void write_strings(hid_t group, const std::string& name, const std::vector<std::string>& values) {
  Handle type = vlen_string_type();
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, name);
  // HDF5 1.10 filters no variable-length data ("not suitable for filters"): the SHA-256
  // attribute covers these datasets instead.
  Handle ds(H5Dcreate2(group, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                       H5P_DEFAULT),
            H5Dclose, name);
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (n > 0)
    check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), name);
  h5::set_string_attr(ds.get(), format::kDigestAttr, format::strings_digest(values));
}

template <class T>
Handle write_numbers(hid_t group, const std::string& name, hid_t type,
                     const std::vector<T>& values) {
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, name);
  Handle props = fixed_column_props(n, name);
  Handle ds(
      H5Dcreate2(group, name.c_str(), type, space.get(), H5P_DEFAULT, props.get(), H5P_DEFAULT),
      H5Dclose, name);
  if (n > 0) check(H5Dwrite(ds.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), name);
  return ds;
}

/// Units of a numeric swept key, read off the config's naming rule (`..._ms` milliseconds,
/// `..._s` seconds); empty when the name carries none.
std::string_view axis_units(std::string_view key) {
  if (key.ends_with("_ms")) return "ms";
  if (key.ends_with("_s")) return "s";
  return {};
}

/// What a report needs to contrast cells without re-parsing the config: each cell's contrast
/// group and whether it is the group's baseline, and the root attribute `baseline`.
void write_contrast_groups(hid_t file, hid_t cells, const SweepPlan& plan) {
  std::vector<std::uint32_t> group_of(plan.cells.size(), 0);
  std::vector<std::uint8_t> is_baseline(plan.cells.size(), 0);
  const std::vector<ContrastGroup> groups = contrast_groups(plan);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (std::size_t c : groups[g].members) group_of[c] = static_cast<std::uint32_t>(g);
    if (groups[g].baseline != kNotApplicable) is_baseline[groups[g].baseline] = 1;
  }
  write_numbers(cells, leaf_name(schema::kCellsContrastGroup), H5T_NATIVE_UINT32, group_of);
  write_numbers(cells, leaf_name(schema::kCellsIsBaseline), H5T_NATIVE_UINT8, is_baseline);
  std::vector<std::string> parts;
  for (const auto& b : plan.baseline) parts.push_back(b.key + "=" + to_text(b.value));
  h5::set_string_attr(file, schema::kBaselineAttr, fmt::format("{}", fmt::join(parts, ", ")));
}

/// /cells: one row per cell, one dataset per swept key plus label, mechanism and scenario.
void write_cells(hid_t file, const SweepPlan& plan) {
  Handle group(H5Gcreate2(file, schema::kCellsGroup, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
               H5Gclose, "/cells");
  std::vector<std::string> labels;
  std::vector<std::string> mechanisms;
  std::vector<std::string> scenarios;
  for (const auto& cell : plan.cells) {
    labels.push_back(cell.label);
    mechanisms.push_back(cell.mechanism);
    scenarios.push_back(cell.scenario_toml);
  }
  write_strings(group.get(), leaf_name(schema::kCellsLabel), labels);
  write_strings(group.get(), leaf_name(schema::kCellsMechanism), mechanisms);
  write_strings(group.get(), leaf_name(schema::kCellsScenario), scenarios);
  write_contrast_groups(file, group.get(), plan);
  for (const auto& axis : plan.axes) {
    for (std::size_t k = 0; k < axis.keys.size(); ++k) {
      const std::string& key = axis.keys[k];
      bool strings = false;
      bool bools = true;
      for (const auto& point : axis.points) {
        strings = strings || std::holds_alternative<std::string>(point[k]);
        bools = bools && std::holds_alternative<bool>(point[k]);
      }
      auto value_of = [&](const Cell& cell) -> const AxisValue* {
        for (const auto& s : cell.settings) {
          if (s.key == key) return &s.value;
        }
        return nullptr;
      };
      if (strings) {
        std::vector<std::string> col;
        for (const auto& cell : plan.cells) {
          const AxisValue* v = value_of(cell);
          col.push_back(v != nullptr ? to_text(*v) : "");
        }
        write_strings(group.get(), key, col);
      } else if (bools) {
        std::vector<std::uint8_t> col;
        for (const auto& cell : plan.cells) {
          const AxisValue* v = value_of(cell);
          col.push_back(v != nullptr ? std::get<bool>(*v) : std::uint8_t{255});
        }
        write_numbers(group.get(), key, H5T_NATIVE_UINT8, col);
      } else {
        std::vector<double> col;
        for (const auto& cell : plan.cells) {
          const AxisValue* v = value_of(cell);
          if (v == nullptr) {
            col.push_back(std::numeric_limits<double>::quiet_NaN());
          } else if (const auto* i = std::get_if<std::int64_t>(v)) {
            col.push_back(static_cast<double>(*i));
          } else {
            col.push_back(std::get<double>(*v));
          }
        }
        Handle ds = write_numbers(group.get(), key, H5T_NATIVE_DOUBLE, col);
        if (const std::string_view units = axis_units(key); !units.empty())
          h5::set_string_attr(ds.get(), schema::kUnitsAttr, std::string(units));
      }
    }
  }
}

}  // namespace

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void create_layout(hid_t f, const SweepPlan& plan, int ranks, const std::optional<Shard>& shard,
                   const std::string& start_time) {
  set_attr_number(f, schema::kSchemaVersionAttr, H5T_NATIVE_INT, kPanelSchemaVersion);
  set_attr_number(f, format::kChecksumsAttr, H5T_NATIVE_UINT8, std::uint8_t{1});
  h5::set_string_attr(f, schema::kSweepNameAttr, plan.name);
  h5::set_string_attr(f, schema::kConfigAttr, plan.config_text);
  h5::set_string_attr(f, schema::kConfigSha256Attr, sha256_hex(plan.config_text));
  h5::set_string_attr(f, schema::kProteusVersionAttr, kVersion);
  h5::set_string_attr(f, schema::kGitCommitAttr, kGitCommit);
  h5::set_string_attr(f, schema::kEnvironmentAttr, plan.environment);
  set_attr_number(f, schema::kMasterSeedAttr, H5T_NATIVE_UINT64, plan.master_seed);
  set_attr_number(f, schema::kRepetitionsAttr, H5T_NATIVE_UINT64, plan.repetitions);
  set_attr_number(f, schema::kRanksAttr, H5T_NATIVE_INT, ranks);
  h5::set_string_attr(f, schema::kStartTimeAttr, start_time);
  h5::set_string_attr(f, schema::kEndTimeAttr, "");
  set_attr_number(f, schema::kCompleteAttr, H5T_NATIVE_UINT8, std::uint8_t{0});
  if (shard) {
    set_attr_number(f, schema::kShardIndexAttr, H5T_NATIVE_UINT64, shard->index);
    set_attr_number(f, schema::kShardCountAttr, H5T_NATIVE_UINT64, shard->count);
    set_attr_number(f, schema::kTotalRunsAttr, H5T_NATIVE_UINT64, plan.total_runs());
  }

  write_cells(f, plan);

  const hsize_t rows = plan.total_runs();
  const engine::MetricRegistry& registry = plan.metrics;
  h5::set_doubles_attr(f, schema::kAsHorizonsAttr, plan.as_horizons_ms);
  {
    Handle runs(H5Gcreate2(f, schema::kRunsGroup, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                "/runs");
    const hid_t g = runs.get();
    create_column(g, leaf_name(schema::kRunsCell), H5T_STD_U32LE, rows, std::uint32_t{0});
    create_column(g, leaf_name(schema::kRunsRep), H5T_STD_U32LE, rows, std::uint32_t{0});
    create_column(g, leaf_name(schema::kRunsSeed), H5T_STD_U64LE, rows, std::uint64_t{0});
    Handle st = create_column(g, leaf_name(schema::kRunsStatus), H5T_STD_U8LE, rows,
                              schema::kStatusPending);
    h5::set_string_attr(st.get(), "meanings",
                        "0=ok 1=invariant_violation 2=error 255=pending (not run yet)");
    Handle ev =
        create_column(g, leaf_name(schema::kRunsEvents), H5T_STD_U64LE, rows, std::uint64_t{0});
    h5::set_string_attr(ev.get(), schema::kUnitsAttr, "count");
    h5::set_string_attr(ev.get(), schema::kDescriptionAttr, "events processed by the run");
    for (const auto& m : registry) {
      Handle ds = create_column(g, std::string(m.name), H5T_IEEE_F64LE, rows,
                                std::numeric_limits<double>::quiet_NaN());
      h5::set_string_attr(ds.get(), schema::kUnitsAttr, std::string(m.units));
      h5::set_string_attr(ds.get(), schema::kDescriptionAttr, std::string(m.description));
    }
  }
  {
    Handle timing(H5Gcreate2(f, schema::kTimingGroup, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                  H5Gclose, "/timing");
    Handle wall = create_column(timing.get(), leaf_name(schema::kTimingWallTime), H5T_IEEE_F64LE,
                                rows, std::numeric_limits<double>::quiet_NaN());
    h5::set_string_attr(wall.get(), schema::kUnitsAttr, "s");
    h5::set_string_attr(wall.get(), schema::kDescriptionAttr,
                        "wall-clock time of the run (not deterministic)");
    create_column(timing.get(), leaf_name(schema::kTimingRank), H5T_STD_I32LE, rows,
                  std::int32_t{-1});
  }
  {
    Handle errors(H5Gcreate2(f, schema::kErrorsGroup, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                  H5Gclose, "/errors");
    const hid_t g = errors.get();
    create_column(g, leaf_name(schema::kErrorsRow), H5T_STD_U64LE, 0, std::uint64_t{0});
    create_column(g, leaf_name(schema::kErrorsCell), H5T_STD_U32LE, 0, std::uint32_t{0});
    create_column(g, leaf_name(schema::kErrorsRep), H5T_STD_U32LE, 0, std::uint32_t{0});
    create_column(g, leaf_name(schema::kErrorsStatus), H5T_STD_U8LE, 0, std::uint8_t{0});
    Handle type = vlen_string_type();
    const hsize_t zero = 0;
    const hsize_t unlimited = H5S_UNLIMITED;
    Handle space(H5Screate_simple(1, &zero, &unlimited), H5Sclose, schema::kErrorsMessage);
    Handle props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, schema::kErrorsMessage);
    check(H5Pset_chunk(props.get(), 1, &kErrorChunkRows), schema::kErrorsMessage);
    Handle message(H5Dcreate2(g, leaf_name(schema::kErrorsMessage).c_str(), type.get(), space.get(),
                              H5P_DEFAULT, props.get(), H5P_DEFAULT),
                   H5Dclose, schema::kErrorsMessage);
    h5::set_string_attr(message.get(), format::kDigestAttr, format::strings_digest({}));
  }
}

}  // namespace proteus::sweep::format
