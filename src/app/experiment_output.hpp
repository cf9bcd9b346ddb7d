// The files of an experiment folder (docs/experiments.md, /work/notes/experiment-folder.md):
// report.json, report.md, report.csv, verdicts.csv and metadata.json.
#pragma once

#include <string>
#include <vector>

#include "experiment/run.hpp"

namespace proteus::app {

/// What metadata.json records about the session besides the run itself.
struct SessionInfo {
  std::string command;
  std::string start_time;
  std::string end_time;
  double wall_time_s = 0.0;
  int ranks = 1;
  std::vector<std::string> targets;
  std::string regime;
};

/// Writes report.json, report.md, report.csv, verdicts.csv and metadata.json into run.folder.
void write_experiment_folder(const experiment::ExperimentRun& run, const SessionInfo& session);

/// The verdicts, secondary notes, interactions, frontier and precision as text for the terminal
/// (also the top of report.md).
std::string findings_markdown(const experiment::ExperimentRun& run);

}  // namespace proteus::app
