// Test-only fault injection: parses PROTEUS_TEST_KILL_AT / PROTEUS_TEST_FAIL_AT once.
#include "sweep/fault_points.hpp"

#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

namespace proteus::sweep {
namespace {

struct Trigger {
  std::string point;
  long long at = 0;  ///< 1-based pass count; 0 = never
};

Trigger parse(const char* variable) {
  Trigger t;
  const char* text = std::getenv(variable);
  if (text == nullptr) return t;
  const std::string value(text);
  const auto colon = value.rfind(':');
  t.point = value.substr(0, colon);
  t.at = colon == std::string::npos ? 1 : std::atoll(value.c_str() + colon + 1);
  return t;
}

struct Counters {
  Trigger kill = parse("PROTEUS_TEST_KILL_AT");
  Trigger fail = parse("PROTEUS_TEST_FAIL_AT");
  std::map<std::string, long long, std::less<>> kill_count;
  std::map<std::string, long long, std::less<>> fail_count;
  std::mutex mutex;
};

Counters& counters() {
  static Counters c;
  return c;
}

bool hit(const Trigger& t, std::map<std::string, long long, std::less<>>& count,
         std::string_view point) {
  if (t.at <= 0 || point != t.point) return false;
  auto it = count.find(point);
  if (it == count.end()) it = count.emplace(std::string(point), 0).first;
  return ++it->second == t.at;
}

}  // namespace

void reach(std::string_view point) {
  Counters& c = counters();
  if (c.kill.at <= 0) return;
  const std::lock_guard lock(c.mutex);
  if (hit(c.kill, c.kill_count, point)) std::raise(SIGKILL);
}

bool inject_failure(std::string_view point) {
  Counters& c = counters();
  if (c.fail.at <= 0) return false;
  const std::lock_guard lock(c.mutex);
  return hit(c.fail, c.fail_count, point);
}

}  // namespace proteus::sweep
