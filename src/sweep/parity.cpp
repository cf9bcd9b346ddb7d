// Which cells a sweep contrasts (contrast groups, baseline cells) and the check that those
// cells differ only in their treatment (declared in sweep_config.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "engine/config.hpp"
#include "sweep/sweep_config.hpp"

namespace proteus::sweep {

bool is_baseline_cell(const SweepPlan& plan, const Cell& cell) {
  if (plan.baseline.empty()) return false;
  for (const auto& b : plan.baseline) {
    auto it = std::find_if(cell.settings.begin(), cell.settings.end(),
                           [&](const Setting& s) { return s.key == b.key; });
    if (it == cell.settings.end() || !(it->value == b.value)) return false;
  }
  return true;
}

std::vector<ContrastGroup> contrast_groups(const SweepPlan& plan) {
  const bool mechanism_is_treatment = std::find(plan.treatment.begin(), plan.treatment.end(),
                                                kMechanismKey) != plan.treatment.end();
  // A mechanism-specific axis belongs to the treatment when the mechanism is treated: its cells
  // exist only for one mechanism, so they cannot be matched across mechanisms.
  auto grouping_axis = [&](const Axis& axis) {
    return !axis.treatment && !(mechanism_is_treatment && !axis.mechanism.empty());
  };
  // Cells with equal points on every non-treatment axis; the map orders groups by that key.
  std::map<std::vector<std::size_t>, std::vector<std::size_t>> by_key;
  for (std::size_t c = 0; c < plan.cells.size(); ++c) {
    std::vector<std::size_t> key;
    for (std::size_t a = 0; a < plan.axes.size(); ++a) {
      if (grouping_axis(plan.axes[a])) key.push_back(plan.cells[c].point[a]);
    }
    by_key[key].push_back(c);
  }
  std::vector<ContrastGroup> groups;
  for (auto& [_, members] : by_key) {
    ContrastGroup group;
    group.members = std::move(members);
    for (std::size_t c : group.members) {
      if (is_baseline_cell(plan, plan.cells[c])) {
        group.baseline = c;
        break;
      }
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

std::vector<ParityViolation> check_parity(const SweepPlan& plan) {
  const bool mechanism_is_treatment = std::find(plan.treatment.begin(), plan.treatment.end(),
                                                kMechanismKey) != plan.treatment.end();
  // Keys the treatment may change: the treatment keys themselves (not the other keys of a
  // zip group they belong to) and, when the mechanism is treated, the mechanism.* keys.
  const std::set<std::string> owned(plan.treatment.begin(), plan.treatment.end());
  // Per-class latency keys inherit latency.default.*, so a treated default key also owns the
  // same channel field of every class profile.
  auto inherits_owned = [&](const std::string& key) {
    const auto inherited = engine::latency_default_key(key);
    return inherited && owned.contains(*inherited);
  };
  auto is_owned = [&](const std::string& key) {
    return owned.contains(key) || inherits_owned(key) ||
           (mechanism_is_treatment && key.starts_with("mechanism."));
  };
  std::vector<ParityViolation> violations;
  for (const auto& group : contrast_groups(plan)) {
    const std::size_t reference =
        group.baseline != kNotApplicable ? group.baseline : group.members.front();
    const auto& members = group.members;
    const auto ref_keys = engine::resolved_keys(plan.cells[reference].spec);
    for (std::size_t c : members) {
      if (c == reference) continue;
      const auto keys = engine::resolved_keys(plan.cells[c].spec);
      std::set<std::string> all;
      for (const auto& [k, _v] : ref_keys) all.insert(k);
      for (const auto& [k, _v] : keys) all.insert(k);
      for (const auto& k : all) {
        if (is_owned(k)) continue;
        const auto a = ref_keys.find(k);
        const auto b = keys.find(k);
        const std::string va = a == ref_keys.end() ? "(absent)" : a->second;
        const std::string vb = b == keys.end() ? "(absent)" : b->second;
        if (va != vb) violations.push_back({reference, c, k, va, vb});
      }
    }
  }
  std::sort(violations.begin(), violations.end(), [](const auto& x, const auto& y) {
    return std::tie(x.cell, x.key) < std::tie(y.cell, y.key);
  });
  return violations;
}

std::vector<std::string> describe(const SweepPlan& plan,
                                  const std::vector<ParityViolation>& violations) {
  std::vector<std::string> out;
  out.reserve(violations.size());
  for (const auto& v : violations) {
    out.push_back(fmt::format(
        "cell {} ({}) vs cell {} ({}): {} = {} vs {}", v.cell, plan.cells[v.cell].label,
        v.reference_cell, plan.cells[v.reference_cell].label, v.key, v.value, v.reference_value));
  }
  return out;
}

}  // namespace proteus::sweep
