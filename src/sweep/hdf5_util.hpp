// Internal to src/sweep (include only from .cpp files): RAII handles and checked calls over the
// HDF5 C API for readers and writers of panel groups other than /runs (report.cpp).
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace proteus::sweep::h5 {

/// The HDF5 error stack as one line ("desc (function); ..."), clearing it; an errno reported
/// by the file driver comes first as its strerror text.
std::string error_stack();

/// Throws PanelError naming `what` and carrying the HDF5 error stack.
[[noreturn]] void fail(std::string_view what);

/// Returns `result` unless negative, else throws PanelError naming `what` and the HDF5 message.
template <class T>
T check(T result, std::string_view what) {
  if (result < 0) fail(what);
  return result;
}

/// Move-only owner of one hid_t; the destructor closes quietly, close() reports.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  /// Takes `id` (checked: a negative id throws PanelError naming `what`).
  Handle(hid_t id, Closer closer, std::string_view what);
  Handle(Handle&& o) noexcept;
  Handle& operator=(Handle&& o) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle();
  /// The owned id (H5I_INVALID_HID once closed).
  hid_t get() const { return id_; }
  /// Closes now and throws PanelError if HDF5 reports a failure.
  void close();
  /// Gives up the id without closing it (a file whose writes failed is never closed, so
  /// HDF5 does not try to flush into it again).
  hid_t release() noexcept;

 private:
  void reset() noexcept;
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

/// Writes a 1-D float64 array attribute (replacing none: the attribute must not exist).
void set_doubles_attr(hid_t obj, const char* name, const std::vector<double>& values);

/// Reads a 1-D float64 array attribute (at most `max_count` values, else PanelError).
std::vector<double> read_doubles_attr(hid_t obj, const char* name, std::size_t max_count);

/// Variable-length UTF-8 string type (what h5py reads as str through .asstr()).
Handle vlen_string_type();

/// Opens an existing object (dataset) by path.
Handle open_dataset(hid_t file, const std::string& path);

/// Number of elements of a 1-D dataset.
std::uint64_t extent(hid_t dataset, std::string_view what);

/// Reads rows [first, first + count) of a 1-D dataset into `out` converted to `mem_type`.
void read_rows(hid_t dataset, hid_t mem_type, std::uint64_t first, std::uint64_t count, void* out,
               std::string_view what);

/// All strings of a 1-D variable-length or fixed-length string dataset.
std::vector<std::string> read_strings(hid_t file, const std::string& path);

/// Whether the string-valued or numeric attribute `name` exists on `obj`.
bool has_attr(hid_t obj, const char* name);

/// A string attribute (variable-length).
std::string read_string_attr(hid_t obj, const char* name);

/// A scalar numeric attribute converted to `mem_type`.
template <class T>
T read_scalar_attr(hid_t obj, const char* name, hid_t mem_type) {
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, name);
  T value{};
  check(H5Aread(attr.get(), mem_type, &value), name);
  return value;
}

/// Sets (replacing) a scalar attribute of file type `type` from `value` (in that type).
void set_scalar_attr(hid_t obj, const char* name, hid_t type, const void* value);

/// Sets (replacing) a string attribute.
void set_string_attr(hid_t obj, const char* name, const std::string& value);

/// Sets (replacing) a scalar float64 attribute.
void set_double_attr(hid_t obj, const char* name, double value);

/// Sets (replacing) a scalar uint64 attribute.
void set_u64_attr(hid_t obj, const char* name, std::uint64_t value);

/// Creates a 1-D variable-length string dataset `name` in `group` holding `values`.
Handle write_strings(hid_t group, const std::string& name, const std::vector<std::string>& values);

/// Creates a 1-D dataset `name` of file type `file_type` from `values` in memory type `mem_type`.
Handle write_column(hid_t group, const std::string& name, hid_t file_type, hid_t mem_type,
                    std::uint64_t count, const void* values);

}  // namespace proteus::sweep::h5
