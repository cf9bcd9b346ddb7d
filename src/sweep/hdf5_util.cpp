// RAII handles and checked HDF5 calls shared by the readers and writers of src/sweep.
#include "sweep/hdf5_util.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

#include "sweep/errors.hpp"

namespace proteus::sweep::h5 {

namespace {

struct Stack {
  std::string text;
  int error_number = 0;  ///< errno reported by the lowest file-driver error, if any
};

/// The part of an HDF5 error description before its first ", " detail list ("file write
/// failed: time = Mon ...\n, filename = ..." -> "file write failed"), on one line.
std::string short_desc(std::string_view desc) {
  std::string out(desc.substr(0, desc.find(": time =")));
  out = out.substr(0, out.find(", "));
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

std::string error_stack() {
  Stack stack;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* e, void* data) -> herr_t {
        auto* out = static_cast<Stack*>(data);
        const std::string_view desc = e->desc != nullptr ? e->desc : "?";
        if (const auto at = desc.find("errno = "); at != std::string_view::npos) {
          out->error_number = std::atoi(std::string(desc.substr(at + 8, 6)).c_str());
        }
        if (!out->text.empty()) out->text += "; ";
        out->text +=
            fmt::format("{} ({})", short_desc(desc), e->func_name != nullptr ? e->func_name : "?");
        return 0;
      },
      &stack);
  H5Eclear2(H5E_DEFAULT);
  if (stack.text.empty()) stack.text = "unknown HDF5 error";
  // The cause first, on the same line: "No space left on device (errno 28); ...".
  if (stack.error_number > 0) {
    // With the cause known, the outermost call is context enough.
    return fmt::format("{} (errno {}); {}", std::strerror(stack.error_number), stack.error_number,
                       stack.text.substr(0, stack.text.find("; ")));
  }
  return stack.text;
}

void fail(std::string_view what) {
  throw PanelError(fmt::format("HDF5: {}: {}", what, error_stack()));
}

Handle::Handle(hid_t id, Closer closer, std::string_view what)
    : id_(check(id, what)), closer_(closer) {}

Handle::Handle(Handle&& o) noexcept
    : id_(std::exchange(o.id_, H5I_INVALID_HID)), closer_(o.closer_) {}

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = std::exchange(o.id_, H5I_INVALID_HID);
    closer_ = o.closer_;
  }
  return *this;
}

Handle::~Handle() {
  reset();
}

void Handle::close() {
  if (id_ >= 0) check(closer_(std::exchange(id_, H5I_INVALID_HID)), "close");
}

hid_t Handle::release() noexcept {
  return std::exchange(id_, H5I_INVALID_HID);
}

void Handle::reset() noexcept {
  if (id_ >= 0) closer_(std::exchange(id_, H5I_INVALID_HID));
}

Handle vlen_string_type() {
  Handle t(H5Tcopy(H5T_C_S1), H5Tclose, "copy string type");
  check(H5Tset_size(t.get(), H5T_VARIABLE), "set string size");
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "set string charset");
  return t;
}

Handle open_dataset(hid_t file, const std::string& path) {
  return Handle(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose, path);
}

std::uint64_t extent(hid_t dataset, std::string_view what) {
  Handle space(H5Dget_space(dataset), H5Sclose, what);
  if (check(H5Sget_simple_extent_ndims(space.get()), what) != 1) {
    throw PanelError(fmt::format("{}: expected a 1-D dataset", what));
  }
  hsize_t size = 0;
  check(H5Sget_simple_extent_dims(space.get(), &size, nullptr), what);
  return size;
}

void read_rows(hid_t dataset, hid_t mem_type, std::uint64_t first, std::uint64_t count, void* out,
               std::string_view what) {
  if (count == 0) return;
  Handle file_space(H5Dget_space(dataset), H5Sclose, what);
  const hsize_t start = first;
  const hsize_t n = count;
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &n, nullptr), what);
  Handle mem_space(H5Screate_simple(1, &n, nullptr), H5Sclose, what);
  check(H5Dread(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, out), what);
}

std::vector<std::string> read_strings(hid_t file, const std::string& path) {
  Handle ds = open_dataset(file, path);
  const std::uint64_t n = extent(ds.get(), path);
  Handle file_type(H5Dget_type(ds.get()), H5Tclose, path);
  if (H5Tget_class(file_type.get()) != H5T_STRING) {
    throw PanelError(fmt::format("{}: not a string dataset", path));
  }
  std::vector<std::string> out;
  out.reserve(n);
  if (check(H5Tis_variable_str(file_type.get()), path) > 0) {
    Handle type = vlen_string_type();
    std::vector<char*> ptrs(n, nullptr);
    if (n > 0) {
      check(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), path);
    }
    for (char* p : ptrs) out.emplace_back(p != nullptr ? p : "");
    Handle space(H5Dget_space(ds.get()), H5Sclose, path);
    if (n > 0) check(H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, ptrs.data()), path);
  } else {
    const std::size_t width = H5Tget_size(file_type.get());
    std::vector<char> buffer(n * width);
    if (n > 0) {
      check(H5Dread(ds.get(), file_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()), path);
    }
    for (std::uint64_t i = 0; i < n; ++i) {
      const char* s = buffer.data() + i * width;
      std::size_t len = 0;
      while (len < width && s[len] != '\0') ++len;
      out.emplace_back(s, len);
    }
  }
  return out;
}

bool has_attr(hid_t obj, const char* name) {
  return check(H5Aexists(obj, name), name) > 0;
}

std::string read_string_attr(hid_t obj, const char* name) {
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, name);
  Handle type = vlen_string_type();
  char* data = nullptr;
  check(H5Aread(attr.get(), type.get(), &data), name);
  std::string out = data != nullptr ? data : "";
  H5free_memory(data);
  return out;
}

void set_scalar_attr(hid_t obj, const char* name, hid_t type, const void* value) {
  if (has_attr(obj, name)) check(H5Adelete(obj, name), name);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
  Handle attr(H5Acreate2(obj, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, name);
  check(H5Awrite(attr.get(), type, value), name);
}

void set_string_attr(hid_t obj, const char* name, const std::string& value) {
  Handle type = vlen_string_type();
  const char* data = value.c_str();
  set_scalar_attr(obj, name, type.get(), &data);
}

void set_double_attr(hid_t obj, const char* name, double value) {
  set_scalar_attr(obj, name, H5T_NATIVE_DOUBLE, &value);
}

void set_u64_attr(hid_t obj, const char* name, std::uint64_t value) {
  set_scalar_attr(obj, name, H5T_NATIVE_UINT64, &value);
}

void set_doubles_attr(hid_t obj, const char* name, const std::vector<double>& values) {
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, name);
  Handle attr(H5Acreate2(obj, name, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose, name);
  check(H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, values.data()), name);
}

std::vector<double> read_doubles_attr(hid_t obj, const char* name, std::size_t max_count) {
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, name);
  Handle space(H5Aget_space(attr.get()), H5Sclose, name);
  const hssize_t n = check(H5Sget_simple_extent_npoints(space.get()), name);
  if (static_cast<std::size_t>(n) > max_count) {
    throw PanelError(
        fmt::format("attribute {} has {} values, at most {} expected", name, n, max_count));
  }
  std::vector<double> values(static_cast<std::size_t>(n));
  check(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, values.data()), name);
  return values;
}

Handle write_strings(hid_t group, const std::string& name, const std::vector<std::string>& values) {
  Handle type = vlen_string_type();
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, name);
  Handle ds(H5Dcreate2(group, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                       H5P_DEFAULT),
            H5Dclose, name);
  if (n > 0) {
    check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), name);
  }
  return ds;
}

Handle write_column(hid_t group, const std::string& name, hid_t file_type, hid_t mem_type,
                    std::uint64_t count, const void* values) {
  const hsize_t n = count;
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, name);
  Handle ds(H5Dcreate2(group, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT,
                       H5P_DEFAULT),
            H5Dclose, name);
  if (n > 0) check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), name);
  return ds;
}

}  // namespace proteus::sweep::h5
