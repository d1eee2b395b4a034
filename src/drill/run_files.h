// What one drill run saves, and the recomputation of its report from those files alone: every
// run gets its own directory (<lab>/drills/<run id>/) that is created, never reused, so a second
// drill can never overwrite the first one's reports.
#pragma once

#include <expected>
#include <filesystem>
#include <string>

#include "drill/events.h"
#include "drill/history.h"
#include "drill/promises.h"
#include "drill/readback_set.h"
#include "drill/report.h"

namespace dr::drill {

struct RunFiles {
  std::filesystem::path dir;
  std::filesystem::path run;       // run.json: scenario, parameters, topology, promise options
  std::filesystem::path history;   // history.jsonl
  std::filesystem::path readback;  // readback.json: orders, sessions, every server's read_only
  std::filesystem::path events;    // events.json: fault, controller milestones
  std::filesystem::path report_json;
  std::filesystem::path report_html;
};

RunFiles run_files(const std::filesystem::path& run_dir);

// Creates `parent`/`run_id` (and `parent`); refuses when it already exists.
std::expected<RunFiles, std::string> create_run_dir(const std::filesystem::path& parent,
                                                    const std::string& run_id);

// Writes `content` to a file that must not exist yet (O_EXCL): reports are never overwritten.
std::expected<void, std::string> write_new_file(const std::filesystem::path& path,
                                                const std::string& content);

struct SavedRun {
  std::string scenario;
  RunInfo info;
  PromiseOptions options;
  History history;
  ReadBack readback;
  DrillEvents events;
};

// Saves everything a report is computed from (not the reports themselves).
std::expected<void, std::string> save_run(const RunFiles& files, const SavedRun& run);
std::expected<SavedRun, std::string> load_run(const std::filesystem::path& run_dir);

// The report, computed from a saved run exactly as the drill computed it.
std::expected<DrillReport, std::string> report_of(const SavedRun& run);

}  // namespace dr::drill
