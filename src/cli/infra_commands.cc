
#include <chrono>
#include <iostream>

#include "cli/commands.h"
#include "infra/lint.h"

namespace dr::infra {

void register_infra_commands(CLI::App& app) {
  CLI::App* infra = app.add_subcommand("infra", "Terraform stack checks (offline)");
  infra->require_subcommand(1);
  CLI::App* lint_cmd = infra->add_subcommand(
      "lint", "parse, format, wiring, schema, policy and DR-budget checks of a Terraform dir");
  struct Args {
    std::string dir;
    std::string tools_dir;
    bool no_terraform = false;
  };
  auto args = std::make_shared<Args>();
  lint_cmd->add_option("dir", args->dir, "the Terraform root module (e.g. infra/)")->required();
  lint_cmd->add_option(
      "--tools-dir", args->tools_dir,
      "the repo's tools/ (default: $DR_TOOLS_DIR, else found from drctl's location)");
  lint_cmd->add_flag("--no-terraform", args->no_terraform,
                     "do not run terraform fmt/validate even if terraform is on PATH");
  lint_cmd->callback([args] {
    auto start = std::chrono::steady_clock::now();
    LintOptions o;
    o.dir = args->dir;
    if (!args->tools_dir.empty()) o.tools_dir = args->tools_dir;
    o.terraform = !args->no_terraform;
    auto report = lint(o);
    if (!report) {
      std::cerr << "drctl infra lint: " << report.error() << "\n";
      throw cli::ExitCode{2};
    }
    std::cout << render(*report, args->dir);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    std::cout << "took " << ms << " ms\n";
    if (!report->ok()) throw cli::ExitCode{1};
  });
}

}  // namespace dr::infra
