// The signal handler and the nesting count behind InterruptScope (one thread per rank).
#include "sweep/interrupt.hpp"

#include <csignal>

namespace proteus::sweep {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;
int g_scope_depth = 0;
struct sigaction g_old_term {};
struct sigaction g_old_int {};

extern "C" void on_interrupt(int /*signal*/) {
  g_interrupted = 1;
}

}  // namespace

InterruptScope::InterruptScope() {
  if (g_scope_depth++ > 0) return;
  g_interrupted = 0;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, &g_old_term);
  sigaction(SIGINT, &action, &g_old_int);
}

InterruptScope::~InterruptScope() {
  if (--g_scope_depth > 0) return;
  sigaction(SIGTERM, &g_old_term, nullptr);
  sigaction(SIGINT, &g_old_int, nullptr);
}

bool InterruptScope::interrupted() {
  return g_interrupted != 0;
}

}  // namespace proteus::sweep
