// `drctl infra lint <dir>`: every offline check over a Terraform stack, in one report.
#pragma once

#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "infra/finding.h"
#include "infra/stack.h"
#include "infra/toolchain.h"

namespace dr::infra {

struct CheckStatus {
  std::string id;
  std::string what;
  enum class State { kPassed, kFailed, kSkipped } state = State::kPassed;
  std::string note;  // skip reason
};

struct LintReport {
  int files = 0;
  int modules = 0;
  int resources = 0;
  std::vector<CheckStatus> checks;
  std::vector<Finding> findings;
  std::vector<Waiver> waivers;
  std::string budget;                   // the DR budget line, when the stack has one
  std::optional<int> worst_case_rto_s;  // its worst case, the sum of its steps

  bool ok() const { return findings.empty(); }
  int count(CheckStatus::State s) const;
};

// All checks over an already built stack (tests use this with fixtures). schema may be null:
// the schema checks are then reported as skipped.
LintReport lint_stack(const Stack& stack, const nlohmann::json* schema);

struct LintOptions {
  std::filesystem::path dir;
  std::optional<std::filesystem::path> tools_dir;
  bool terraform = true;  // run terraform fmt/validate when terraform is on PATH
};

// Our own format, wiring and schema checks repeat what terraform checks: they are the fallback
// for machines without it. Where `terraform fmt` ran (TF_FMT not skipped), HCL_FORMAT is skipped
// and its findings dropped; where `terraform validate` ran, the WIRING_* and SCHEMA_* checks are.
// terraform's verdict is the one that counts. The policies and the DR budget are ours alone.
void defer_to_terraform(LintReport& report);

// Parses, builds and lints; fails only when the tools cannot run.
std::expected<LintReport, std::string> lint(const LintOptions& options);

std::string render(const LintReport& report, const std::string& dir);

}  // namespace dr::infra
