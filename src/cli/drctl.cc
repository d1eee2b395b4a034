// drctl: the operator's command line. Each module registers its own subcommands (commands.h);
// this file only wires them together and turns exceptions into exit codes at the boundary.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"

namespace {
constexpr const char* kVersion = "drctl 0.1";
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"drctl — dr-app's disaster-recovery control tool"};
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);
  app.footer(
      "Exit codes:\n"
      "  0  success\n"
      "  1  the operation failed, or found problems (lint findings, a failed runbook)\n"
      "  2  usage error: bad arguments, options or input; nothing was done\n"
      "  3  lab status: the lab is down or degraded");
  app.add_subcommand("version", "print the version")->callback([] {
    std::cout << kVersion << "\n";
  });
  dr::cli::register_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every other parse error is a usage error (CLI11's own codes
    // are undocumented numbers above 100).
    const int code = app.exit(e);
    return code == 0 ? 0 : dr::cli::kExitUsage;
  } catch (const dr::cli::ExitCode& code) {
    return code.value;
  } catch (const std::exception& e) {
    std::cerr << "drctl: " << e.what() << "\n";
    return dr::cli::kExitFailed;
  }
  return 0;
}
