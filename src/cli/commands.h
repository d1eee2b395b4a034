// Subcommand registration. Each module adds a register_* function here and a call in
// commands.cc; a command that must exit non-zero throws ExitCode after printing its reason.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>

namespace dr::cli {

struct ExitCode {
  int value;
};

// drctl's exit codes, documented in `drctl --help` (drctl.cc) and README.md.
inline constexpr int kExitFailed = 1;    // the operation failed, or found problems
inline constexpr int kExitUsage = 2;     // bad arguments or input: nothing was done
inline constexpr int kExitDegraded = 3;  // `lab status`: the lab is down or degraded

void register_commands(CLI::App& app);
void register_controller_commands(CLI::App& app);  // controller_commands.cc
void register_drill_commands(CLI::App& app);       // drill_command.cc (after drill report)
void register_aws_commands(CLI::App& app);         // aws_commands.cc
void register_lab_lambda_commands(CLI::App& app);  // drctl lab lambda (lambda_command.cc)
// The Lambda's bootstrap: `flag` (--bootstrap) when given, else next to drctl, else the build
// tree's src/lambda/; empty when there is none (lambda_command.cc).
std::filesystem::path find_bootstrap(const std::string& flag);

}  // namespace dr::cli

namespace dr::infra {
void register_infra_commands(CLI::App& app);  // drctl infra lint (infra_commands.cc)
}  // namespace dr::infra

namespace dr::lab {
void register_lab_commands(
    CLI::App& app);  // drctl lab up|status|down|kill|restore (lab_commands.cc)
}  // namespace dr::lab

namespace dr::drill {
void register_drill_report_commands(CLI::App& app);  // drctl drill report (drill_report_command.cc)
}  // namespace dr::drill
