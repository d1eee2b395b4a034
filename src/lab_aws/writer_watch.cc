#include "lab_aws/writer_watch.h"

namespace dr::lab_aws {

WatchVerdict WriterWatch::observe(const WriterSample& s) {
  // A new writer (a move ran, or the lab was restored) starts a new history.
  if (s.writer != writer_) {
    writer_ = s.writer;
    gone_in_a_row_ = 0;
    down_since_.reset();
  }
  if (s.writer.empty()) return {WatchVerdict::Kind::kHealthy, "", "the lab names no writer", {}};
  if (s.process_alive && s.answers) {
    gone_in_a_row_ = 0;
    down_since_.reset();
    return {WatchVerdict::Kind::kHealthy, "", s.writer + " answers", {}};
  }
  if (!down_since_) down_since_ = s.at;
  gone_in_a_row_ = s.process_alive ? 0 : gone_in_a_row_ + 1;
  const auto down_for = s.at - *down_since_;
  std::string why;
  if (gone_in_a_row_ >= policy_.gone_samples) {
    why = s.writer + "'s process is gone (" + std::to_string(gone_in_a_row_) + " probes in a row)";
  } else if (s.process_alive && down_for >= policy_.unresponsive_for) {
    why = s.writer + " has not answered for " + std::to_string(down_for.count()) + " ms (limit " +
          std::to_string(policy_.unresponsive_for.count()) + " ms)";
  } else {
    return {WatchVerdict::Kind::kWatching, "",
            s.writer + (s.process_alive ? " does not answer" : "'s process is gone") + " for " +
                std::to_string(down_for.count()) + " ms: watching",
            down_for};
  }
  if (s.standbys.empty())
    return {WatchVerdict::Kind::kLeftToGlobal, "",
            why +
                ", and no replica in another AZ of its region answers: left to the global "
                "failover",
            down_for};
  return {WatchVerdict::Kind::kFailOver, s.standbys.front(),
          why + ": failing over to " + s.standbys.front(), down_for};
}

}  // namespace dr::lab_aws
