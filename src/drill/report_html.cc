#include "drill/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <sstream>

#include "drill/timeline.h"

namespace dr::drill {

namespace {

constexpr double kBucketMs = 100;
constexpr double kWidth = 1100;
constexpr double kLeft = 50;
constexpr double kRight = 60;
constexpr double kLabelRow = 13;   // one row of marker labels
constexpr double kBandStrip = 30;  // two rows of band labels above the plot
constexpr double kPlotHeight = 284;
constexpr double kBottom = 40;
constexpr double kCharWidth = 6.2;      // an 11 px label's average glyph width, generously
constexpr double kBandCharWidth = 5.8;  // the same for a 10 px band label

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string ms(const std::optional<double>& v) {
  return v ? std::to_string(std::llround(*v)) + " ms" : "n/a";
}

// SVG coordinates with one decimal: enough for a 1100 px chart, and short.
std::string n(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string whole(double v) {
  return std::to_string(std::llround(v));
}

struct Marker {
  double at_ms;
  std::string label;
  std::string color;
  bool show_time = true;  // runbook steps leave their times to the runbook table
  int row = 0;            // which label row (0 at the top), so labels never overlap
  std::string text() const {
    return show_time ? label + " (" + std::to_string(std::llround(at_ms)) + " ms)" : label;
  }
};

std::vector<Marker> markers(const DrillReport& report) {
  const auto& e = report.events;
  std::vector<Marker> out;
  if (e.fault_ms) out.push_back({*e.fault_ms, "fault", "#d62728"});
  if (e.decision_ms) out.push_back({*e.decision_ms, "decision", "#9467bd"});
  for (const auto& step : e.runbook) out.push_back({step.start_ms, step.name, "#7f7f7f", false});
  if (e.runbook_end_ms) out.push_back({*e.runbook_end_ms, "runbook end", "#7f7f7f"});
  if (e.promotion_ms) out.push_back({*e.promotion_ms, "promotion", "#1f77b4"});
  if (report.result.first_ack_after_fault_ms)
    out.push_back({*report.result.first_ack_after_fault_ms, "recovery", "#2ca02c"});
  if (e.heal_ms) out.push_back({*e.heal_ms, "heal", "#8c564b"});
  std::ranges::stable_sort(out, {}, &Marker::at_ms);
  return out;
}

class Chart {
 public:
  Chart(double span_ms, double max_count, double max_latency, int label_rows)
      : span_ms_(std::max(span_ms, kBucketMs)),
        max_count_(std::max(max_count, 1.0)),
        max_latency_(std::max(max_latency, 1.0)),
        top_(8 + kLabelRow * std::max(label_rows, 1) + kBandStrip) {}

  double x(double at_ms) const { return kLeft + at_ms / span_ms_ * plot_w(); }
  double y_count(double count) const { return top_ + plot_h() * (1 - count / max_count_); }
  double y_latency(double latency) const {
    return top_ + plot_h() * (1 - std::min(latency, max_latency_) / max_latency_);
  }
  double plot_w() const { return kWidth - kLeft - kRight; }
  double plot_h() const { return kPlotHeight; }
  double top() const { return top_; }
  double bottom() const { return top_ + plot_h(); }
  double height() const { return bottom() + kBottom; }
  double band_y() const { return top_ - kBandStrip + 2; }
  double span_ms() const { return span_ms_; }
  double max_count() const { return max_count_; }
  double max_latency() const { return max_latency_; }

 private:
  double span_ms_;
  double max_count_;
  double max_latency_;
  double top_;
};

void line(std::ostringstream& svg, double x1, double y1, double x2, double y2,
          const std::string& attrs) {
  svg << "<line x1=\"" << n(x1) << "\" y1=\"" << n(y1) << "\" x2=\"" << n(x2) << "\" y2=\"" << n(y2)
      << "\" " << attrs << "/>";
}

void text(std::ostringstream& svg, double x, double y, const std::string& attrs,
          const std::string& content) {
  svg << "<text x=\"" << n(x) << "\" y=\"" << n(y) << "\" " << attrs << ">" << escape(content)
      << "</text>";
}

void axes(std::ostringstream& svg, const Chart& c) {
  const double right = kLeft + c.plot_w();
  line(svg, kLeft, c.bottom(), right, c.bottom(), "class=\"axis\"");
  line(svg, kLeft, c.top(), kLeft, c.bottom(), "class=\"axis\"");
  line(svg, right, c.top(), right, c.bottom(), "class=\"axis\"");
  // Time ticks every second (every 10 s on a long drill).
  const double step = c.span_ms() > 30'000 ? 10'000 : 1000;
  for (double t = 0; t <= c.span_ms(); t += step) {
    line(svg, c.x(t), c.bottom(), c.x(t), c.bottom() + 4, "class=\"axis\"");
    text(svg, c.x(t), c.bottom() + 16, "class=\"tick\" text-anchor=\"middle\"",
         whole(t / 1000) + "s");
  }
  text(svg, kLeft + c.plot_w() / 2, c.bottom() + 32, "class=\"tick\" text-anchor=\"middle\"",
       "time since drill start");
  text(svg, kLeft - 4, c.top() + 4, "class=\"tick\" text-anchor=\"end\"", whole(c.max_count()));
  text(svg, kLeft - 4, c.bottom(), "class=\"tick\" text-anchor=\"end\"", "0");
  const double mid = c.top() + c.plot_h() / 2;
  text(svg, 14, mid,
       "class=\"tick\" text-anchor=\"middle\" transform=\"rotate(-90 14 " + n(mid) + ")\"",
       "ops per 100 ms");
  text(svg, right + 4, c.top() + 4, "class=\"tick\"", whole(c.max_latency()) + " ms");
  text(svg, right + 4, c.bottom(), "class=\"tick\"", "0 ms");
  text(svg, right + 4, mid, "class=\"tick\"", "latency");
}

void bars(std::ostringstream& svg, const Chart& c, const std::vector<Bucket>& buckets) {
  const double w = std::max(1.0, c.x(kBucketMs) - c.x(0) - 1);
  for (const auto& b : buckets) {
    double base = 0;
    const std::pair<std::size_t, const char*> layers[] = {
        {b.ok, "ok"}, {b.failed, "failed"}, {b.unknown, "unknown"}};
    for (const auto& [count, cls] : layers) {
      if (count == 0) continue;
      const double top = base + static_cast<double>(count);
      svg << "<rect x=\"" << n(c.x(b.start_ms)) << "\" y=\"" << n(c.y_count(top)) << "\" width=\""
          << n(w) << "\" height=\"" << n(c.y_count(base) - c.y_count(top)) << "\" class=\"" << cls
          << "\"><title>" << whole(b.start_ms) << " ms: " << count << " " << cls
          << "</title></rect>";
      base = top;
    }
  }
}

// One polyline per run of consecutive buckets with operations: a gap with no operations is
// left empty, never bridged by a line that suggests latencies nobody measured.
void latency_lines(std::ostringstream& svg, const Chart& c, const std::vector<Bucket>& buckets) {
  std::string p50, max;
  auto flush = [&] {
    if (!p50.empty()) {
      svg << "<polyline points=\"" << max << "\" class=\"lat-max\"/>";
      svg << "<polyline points=\"" << p50 << "\" class=\"lat-p50\"/>";
    }
    p50.clear();
    max.clear();
  };
  for (const auto& b : buckets) {
    if (!b.p50_latency_ms) {
      flush();
      continue;
    }
    const std::string mid = n(c.x(b.start_ms + kBucketMs / 2));
    p50 += mid + "," + n(c.y_latency(*b.p50_latency_ms)) + " ";
    max += mid + "," + n(c.y_latency(*b.max_latency_ms)) + " ";
  }
  flush();
}

// Greedy rows: each label takes the first row where it starts right of the previous label's
// end, so labels of markers close together (a runbook's steps) never overlap. Returns the rows.
int place_labels(std::vector<Marker>& marks, const Chart& c) {
  std::vector<double> row_end;  // x where each row's last label ends
  for (auto& m : marks) {
    const double start = c.x(m.at_ms) + 2;
    const double end = start + kCharWidth * static_cast<double>(m.text().size()) + 6;
    std::size_t row = 0;
    while (row < row_end.size() && row_end[row] > start) ++row;
    if (row == row_end.size()) row_end.push_back(0);
    row_end[row] = end;
    m.row = static_cast<int>(row);
  }
  return static_cast<int>(row_end.size());
}

void marker_lines(std::ostringstream& svg, const Chart& c, const std::vector<Marker>& marks) {
  for (const auto& m : marks) {
    const double x = c.x(m.at_ms);
    const double label_y = 18 + kLabelRow * m.row;
    line(svg, x, label_y + 3, x, c.bottom(), "stroke=\"" + m.color + "\" class=\"marker\"");
    text(svg, x + 2, label_y, "fill=\"" + m.color + "\" class=\"mlabel\"", m.text());
  }
}

struct Band {
  std::string name;
  std::optional<double> from, to;
};

// The RTO's phases as bands from the fault to the recovery, each where it happened.
std::vector<Band> bands(const DrillReport& report) {
  const auto& e = report.events;
  const auto& recovery = report.result.first_ack_after_fault_ms;
  std::optional<double> traffic_from = e.runbook_end_ms;
  if (traffic_from && recovery && *recovery < *traffic_from) traffic_from = recovery;
  return {{"detect", e.fault_ms, e.decision_ms},
          {"decide", e.decision_ms, e.runbook_start_ms},
          {"execute", e.runbook_start_ms, e.runbook_end_ms},
          {"traffic", traffic_from, recovery}};
}

// Band labels share the strip above the plot in two rows; a label that fits in neither (a 3 ms
// phase between two others) is left to the band's tooltip and the summary table, never drawn
// over another.
void phase_bands(std::ostringstream& svg, const Chart& c, const DrillReport& report) {
  double row_end[2] = {0, 0};
  for (const auto& b : bands(report)) {
    if (!b.from || !b.to || *b.to < *b.from) continue;
    const double x1 = c.x(*b.from), x2 = c.x(*b.to);
    svg << "<rect x=\"" << n(x1) << "\" y=\"" << n(c.band_y()) << "\" width=\""
        << n(std::max(x2 - x1, 1.0)) << "\" height=\"" << n(c.bottom() - c.band_y())
        << "\" class=\"band " << b.name << "\" data-from-ms=\"" << whole(*b.from)
        << "\" data-to-ms=\"" << whole(*b.to) << "\"><title>" << b.name << ": "
        << whole(*b.to - *b.from) << " ms</title></rect>";
    const std::string label = b.name + " " + whole(*b.to - *b.from) + " ms";
    const double start = x1 + 2;
    const double end = start + kBandCharWidth * static_cast<double>(label.size()) + 4;
    for (int row = 0; row < 2; ++row) {
      if (row_end[row] > start) continue;
      text(svg, start, c.band_y() + 10 + 12 * row, "class=\"bandlabel\"", label);
      row_end[row] = end;
      break;
    }
  }
}

// Every lost acknowledged write, where it started: the RPO on the time axis.
void lost_marks(std::ostringstream& svg, const Chart& c, const CheckResult& r) {
  auto mark = [&](const Operation& op, const char* kind) {
    const double x = c.x(op.start_ms);
    const double y = c.bottom();
    svg << "<path d=\"M" << n(x) << " " << n(y - 10) << " l-4 10 h8 z\" class=\"lost\"><title>lost "
        << kind << " " << escape(op.key) << " (started " << whole(op.start_ms)
        << " ms)</title></path>";
  };
  for (const auto& op : r.lost) mark(op, "order");
  for (const auto& op : r.lost_sessions) mark(op, "session");
}

std::string timeline_svg(const DrillReport& report, const History& history) {
  auto buckets = bucket_history(history, kBucketMs);
  auto marks = markers(report);
  double span = buckets.empty() ? kBucketMs : buckets.back().start_ms + kBucketMs;
  for (const auto& m : marks) span = std::max(span, m.at_ms + kBucketMs);
  double max_count = 0, max_latency = 0;
  for (const auto& b : buckets) {
    max_count = std::max(max_count, static_cast<double>(b.total()));
    if (b.max_latency_ms) max_latency = std::max(max_latency, *b.max_latency_ms);
  }
  // The rows depend on x only, which does not depend on the rows: place with a provisional chart.
  const int rows = place_labels(marks, Chart(span, max_count, max_latency, 1));
  Chart chart(span, max_count, max_latency, rows);
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << whole(kWidth) << " "
      << whole(chart.height()) << "\" width=\"" << whole(kWidth) << "\" height=\""
      << whole(chart.height()) << "\" role=\"img\" aria-label=\"drill timeline\">";
  phase_bands(svg, chart, report);
  axes(svg, chart);
  bars(svg, chart, buckets);
  latency_lines(svg, chart, buckets);
  lost_marks(svg, chart, report.result);
  marker_lines(svg, chart, marks);
  svg << "</svg>";
  return svg.str();
}

// "2026-12-02 15:44:26.123 UTC"
std::string utc_time(std::int64_t unix_ms) {
  if (unix_ms <= 0) return "n/a";
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%s.%03d UTC", buf, static_cast<int>(unix_ms % 1000));
  return out;
}

// {"rate": 40, "fault_at_s": 4} -> "rate 40, fault_at_s 4"
std::string parameters_text(const nlohmann::json& parameters) {
  std::string out;
  if (!parameters.is_object()) return "n/a";
  for (const auto& [k, v] : parameters.items())
    out += (out.empty() ? "" : ", ") + k + " " + (v.is_string() ? v.get<std::string>() : v.dump());
  return out.empty() ? "n/a" : out;
}

std::string resolved(std::size_t present, std::size_t absent) {
  if (present + absent == 0) return "none";
  return std::to_string(present + absent) + ": " + std::to_string(present) + " found written, " +
         std::to_string(absent) + " absent";
}

void row(std::ostringstream& html, std::string_view name, const std::string& value) {
  html << "<tr><th>" << escape(name) << "</th><td>" << escape(value) << "</td></tr>\n";
}

constexpr std::string_view kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;max-width:1160px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}
.verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:600}
.pass{background:#2ca02c}.fail{background:#d62728}.warn{background:#c77c02}.muted{color:#777}
table{border-collapse:collapse;font-size:14px}th,td{border:1px solid #ddd;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f5f5f5;font-weight:600}
svg{border:1px solid #ddd;background:#fff}
.axis{stroke:#999;stroke-width:1}.tick{font-size:11px;fill:#555}
rect.ok{fill:#8fd18f}rect.failed{fill:#f4a259}rect.unknown{fill:#b39ddb}
.lat-p50{fill:none;stroke:#1f77b4;stroke-width:1.5}.lat-max{fill:none;stroke:#1f77b4;stroke-width:1;stroke-dasharray:4 3;opacity:.7}
.marker{stroke-width:1.5;stroke-dasharray:5 3}.mlabel{font-size:11px}
.band{opacity:.35}.band.detect{fill:#fde0a0}.band.decide{fill:#f9c0c0}.band.execute{fill:#c6dbef}.band.traffic{fill:#c7e9c0}
.bandlabel{font-size:10px;fill:#444}path.lost{fill:#d62728}
table.header{margin-bottom:6px}
.legend span{display:inline-block;margin-right:16px;font-size:13px}.sw{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
code{font-size:12px}
)";

}  // namespace

std::string render_html(const DrillReport& report, const History& history) {
  const auto& c = report.result;
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>drill "
       << escape(report.scenario) << "</title><style>" << kStyle << "</style></head><body>\n";
  const std::string verdict = verdict_text(report);
  const char* verdict_class = !report.passed ? "fail" : verdict == "PASSED" ? "pass" : "warn";
  html << "<h1>Drill: " << escape(report.scenario) << " <span class=\"verdict " << verdict_class
       << "\">" << escape(verdict) << "</span></h1>\n";
  html << "<table class=\"header\">\n";
  row(html, "started", utc_time(report.started_at_unix_ms));
  if (!report.run.run_id.empty()) row(html, "run", report.run.run_id);
  row(html, "parameters", parameters_text(report.run.parameters));
  row(html, "topology before",
      report.run.topology_before.empty() ? "n/a" : report.run.topology_before);
  row(html, "topology after",
      report.run.topology_after.empty() ? "n/a" : report.run.topology_after);
  row(html, "controller's decision",
      report.events.decision_reason.empty()
          ? (report.events.decision_action.empty() ? "none" : report.events.decision_action)
          : report.events.decision_action + ": " + report.events.decision_reason);
  row(html, "failover id", report.events.failover_id.empty() ? "none" : report.events.failover_id);
  row(html, "read back from", report.readback_source.empty() ? "n/a" : report.readback_source);
  html
      << "</table>\n<div class=\"muted\">times on the chart are ms since the drill started</div>\n";

  html << "<h2>Timeline</h2>\n<div class=\"legend\">"
          "<span><i class=\"sw\" style=\"background:#8fd18f\"></i>ok</span>"
          "<span><i class=\"sw\" style=\"background:#f4a259\"></i>failed</span>"
          "<span><i class=\"sw\" style=\"background:#b39ddb\"></i>unknown</span>"
          "<span><i class=\"sw\" style=\"background:#1f77b4\"></i>p50 latency (dashed: max)</span>"
          "<span><i class=\"sw\" style=\"background:#d62728\"></i>lost acknowledged write</span>"
          "<span><i class=\"sw\" style=\"background:#fde0a0\"></i>detect / decide / execute / "
          "traffic</span>"
          "</div>\n"
       << timeline_svg(report, history) << "\n";

  html << "<h2>Summary</h2>\n<table>\n";
  row(html, "acknowledged / failed / unknown",
      std::to_string(c.acked) + " / " + std::to_string(c.failed) + " / " +
          std::to_string(c.unknown));
  row(html, "lost acknowledged writes (RPO)", std::to_string(c.lost.size()));
  row(html, "RPO window", ms(c.rpo_window_ms));
  row(html, "unknown outcome (orders), after read-back",
      resolved(c.unknown_present.size(), c.unknown_absent));
  if (c.sessions_checked) {
    row(html, "lost acknowledged session writes (RPO)",
        std::to_string(c.lost_sessions.size()) +
            (c.lost_sessions.empty() ? "" : " over " + ms(c.session_rpo_window_ms)));
    row(html, "unknown outcome (sessions), after read-back",
        resolved(c.unknown_sessions_present.size(), c.unknown_sessions_absent));
  } else {
    row(html, "session writes", "not read back");
  }
  if (c.servers_checked) {
    std::string writable;
    for (const auto& w : c.writable_servers) writable += (writable.empty() ? "" : ", ") + w;
    std::string silent;
    for (const auto& u : c.unanswered_servers) silent += (silent.empty() ? "" : "; ") + u;
    row(html, "writable servers at read-back",
        (writable.empty() ? "none" : writable) +
            (silent.empty() ? "" : " (not answering: " + silent + ")"));
  }
  row(html, "unexpected values", std::to_string(c.unexpected.size()));
  row(html, "split-brain writes", std::to_string(c.split_brain.size()));
  row(html, "RTO (client view)",
      ms(c.rto_ms) + (report.rto_target_ms ? " (target " + ms(report.rto_target_ms) + ")" : ""));
  row(html, "detect / decide / execute / traffic",
      ms(c.phases.detect_ms) + " / " + ms(c.phases.decide_ms) + " / " + ms(c.phases.execute_ms) +
          " / " + ms(c.phases.traffic_ms));
  html << "</table>\n";

  html << "<h2>Promises</h2>\n<table><tr><th>promise</th><th>verdict</th><th>finding</th></tr>\n";
  for (const auto& p : report.promises)
    html << "<tr><td>" << escape(p.name) << "</td><td><span class=\"verdict "
         << (p.passed ? "pass\">pass" : "fail\">fail") << "</span>"
         << (p.enforced ? "" : " <span class=\"muted\">(reported, not enforced)</span>")
         << "</td><td>" << escape(p.sentence) << "</td></tr>\n";
  html << "</table>\n";

  if (!report.events.runbook.empty()) {
    html << "<h2>Runbook</h2>\n<table><tr><th>step</th><th>start</th><th>duration</th>"
            "<th>outcome</th></tr>\n";
    for (const auto& s : report.events.runbook)
      html << "<tr><td>" << escape(s.name) << "</td><td>" << std::llround(s.start_ms)
           << " ms</td><td>" << std::llround(s.end_ms - s.start_ms) << " ms</td><td>"
           << escape(s.outcome) << "</td></tr>\n";
    html << "</table>\n";
  }

  if (!c.lost.empty() || !c.lost_sessions.empty()) {
    constexpr std::size_t kShown = 100;
    html << "<h2>Lost acknowledged writes</h2>\n<table><tr><th>key</th><th>start</th>"
            "<th>committed by</th></tr>\n";
    std::vector<Operation> lost = c.lost;
    lost.insert(lost.end(), c.lost_sessions.begin(), c.lost_sessions.end());
    std::ranges::stable_sort(lost, {}, &Operation::start_ms);
    for (std::size_t i = 0; i < std::min(kShown, lost.size()); ++i)
      html << "<tr><td><code>" << escape(lost[i].key) << "</code></td><td>"
           << std::llround(lost[i].start_ms) << " ms</td><td>"
           << escape(lost[i].kind == OpKind::kSession ? "(session)" : lost[i].committed_by)
           << "</td></tr>\n";
    html << "</table>\n";
    if (lost.size() > kShown)
      html << "<p class=\"muted\">and " << lost.size() - kShown
           << " more (see the JSON report)</p>\n";
  }
  html << "</body></html>\n";
  return html.str();
}

}  // namespace dr::drill
