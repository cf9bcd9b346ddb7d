// Test-only fault injection at named write points of the panel writer (DEVELOPERS.md):
// PROTEUS_TEST_KILL_AT=<point>:<n> raises SIGKILL, PROTEUS_TEST_FAIL_AT=<point>:<n> makes the
// write fail with ENOSPC, both the n-th time (1-based) the point is reached in this process.
#pragma once

#include <string_view>

namespace proteus::sweep {

/// Named moments of a flush, in the order they happen.
namespace fault_point {
inline constexpr std::string_view kJournalMidRecord = "journal_mid_record";
inline constexpr std::string_view kJournalSynced = "journal_synced";
inline constexpr std::string_view kHdf5BetweenDatasets = "hdf5_between_datasets";
inline constexpr std::string_view kHdf5BeforeFlush = "hdf5_before_flush";
inline constexpr std::string_view kHdf5AfterFlush = "hdf5_after_flush";
inline constexpr std::string_view kBeforeJournalDelete = "before_journal_delete";
inline constexpr std::string_view kJournalWrite = "journal_write";  ///< failure point only
inline constexpr std::string_view kHdf5Write = "hdf5_write";        ///< failure point only
}  // namespace fault_point

/// Counts a pass through `point`; raises SIGKILL when PROTEUS_TEST_KILL_AT names this pass.
void reach(std::string_view point);

/// Counts a pass through `point`; true when PROTEUS_TEST_FAIL_AT names this pass (the caller
/// then fails as if the write had returned ENOSPC).
bool inject_failure(std::string_view point);

}  // namespace proteus::sweep
