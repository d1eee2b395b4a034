#include "drill/run_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace dr::drill {

namespace fs = std::filesystem;

RunFiles run_files(const fs::path& run_dir) {
  return {run_dir,
          run_dir / "run.json",
          run_dir / "history.jsonl",
          run_dir / "readback.json",
          run_dir / "events.json",
          run_dir / "report.json",
          run_dir / "report.html"};
}

std::expected<RunFiles, std::string> create_run_dir(const fs::path& parent,
                                                    const std::string& run_id) {
  if (run_id.empty() || run_id.find('/') != std::string::npos || run_id.starts_with("."))
    return std::unexpected("bad run id '" + run_id + "'");
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return std::unexpected("cannot create " + parent.string() + ": " + ec.message());
  const fs::path dir = parent / run_id;
  // mkdir fails on an existing directory: that is the "never reuse" guarantee.
  if (::mkdir(dir.c_str(), 0755) != 0)
    return std::unexpected(
        "cannot create " + dir.string() + ": " + std::strerror(errno) +
        (errno == EEXIST ? " (an earlier run's files are never overwritten)" : ""));
  return run_files(dir);
}

std::expected<void, std::string> write_new_file(const fs::path& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return std::unexpected("cannot create " + path.string() + ": " + std::strerror(errno) +
                           (errno == EEXIST ? " (reports are never overwritten; choose another "
                                              "path or remove it)"
                                            : ""));
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t w = ::write(fd, content.data() + done, content.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return std::unexpected("error writing " + path.string() + ": " + why);
    }
    done += static_cast<std::size_t>(w);
  }
  if (::close(fd) != 0) return std::unexpected("error writing " + path.string());
  return {};
}

std::expected<void, std::string> save_run(const RunFiles& files, const SavedRun& run) {
  nlohmann::json meta = to_json(run.info);
  meta["scenario"] = run.scenario;
  meta["promise_options"] = {{"async_window_ms", run.options.async_window_ms},
                             {"enforce_rto_target", run.options.enforce_rto_target}};
  if (auto w = write_new_file(files.run, meta.dump(2) + "\n"); !w) return w;
  if (auto w = write_new_file(files.events, to_json(run.events).dump(2) + "\n"); !w) return w;
  if (auto w = write_new_file(files.readback, to_json(run.readback).dump(1) + "\n"); !w) return w;
  if (fs::exists(files.history))
    return std::unexpected(files.history.string() + " exists; not overwriting it");
  return save_history(run.history, files.history);
}

std::expected<SavedRun, std::string> load_run(const fs::path& run_dir) {
  const RunFiles files = run_files(run_dir);
  SavedRun run;
  {
    std::ifstream in(files.run);
    if (!in) return std::unexpected("cannot read " + files.run.string());
    auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return std::unexpected(files.run.string() + ": not a JSON object");
    try {
      run.scenario = j.at("scenario").get<std::string>();
      run.info = run_info_from_json(j);
      const auto o = j.value("promise_options", nlohmann::json::object());
      run.options.async_window_ms = o.value("async_window_ms", run.options.async_window_ms);
      run.options.enforce_rto_target = o.value("enforce_rto_target", false);
    } catch (const nlohmann::json::exception& e) {
      return std::unexpected(files.run.string() + ": " + e.what());
    }
  }
  auto history = load_history(files.history);
  if (!history) return std::unexpected(history.error());
  run.history = std::move(*history);
  auto readback = load_readback(files.readback);
  if (!readback) return std::unexpected(files.readback.string() + ": " + readback.error());
  run.readback = std::move(*readback);
  std::ifstream in(files.events);
  if (!in) return std::unexpected("cannot read " + files.events.string());
  auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  auto events = events_from_json(j);
  if (!events) return std::unexpected(files.events.string() + ": " + events.error());
  run.events = std::move(*events);
  return run;
}

std::expected<DrillReport, std::string> report_of(const SavedRun& run) {
  return build_report(run.scenario, run.history, run.readback, run.events, run.options, run.info);
}

}  // namespace dr::drill
