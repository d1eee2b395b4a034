
#include <chrono>
#include <iostream>
#include <regex>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "infra/lint.h"
#include "infra/provider_mirror.h"

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

  // One search for the scripts too (tests/terraform/lib.sh): the mirror the lint would trust,
  // never one another local user could have written into.
  CLI::App* mirror_cmd = infra->add_subcommand(
      "mirror",
      "print the local hashicorp/aws mirror (>= 5.100, < 7.0) terraform may be pointed at: "
      "$DR_TF_PLUGIN_MIRROR alone when set, else the usual directories, else a bounded walk; "
      "only one no other local user can write into");
  struct MirrorArgs {
    std::string platform;
    bool json = false;
  };
  auto margs = std::make_shared<MirrorArgs>();
  mirror_cmd
      ->add_option("--platform", margs->platform,
                   "terraform's os_arch, e.g. linux_amd64 (default: what `terraform version "
                   "-json` says)")
      // A path component of the mirror's layout: nothing that could walk out of it.
      ->check(CLI::Validator(
          [](const std::string& v) -> std::string {
            static const std::regex os_arch("[a-z0-9]+_[a-z0-9]+");
            return std::regex_match(v, os_arch) ? ""
                                                : "not an os_arch like linux_amd64: '" + v + "'";
          },
          "OS_ARCH"));
  mirror_cmd->add_flag("--json", margs->json, R"(print {"mirror": ...} or {"error": ...})");
  mirror_cmd->callback([margs] {
    TerraformEnv env = TerraformEnv::from_process();
    env.cli_config_file.clear();  // a mirror is asked for, not the user's installation methods
    const std::string platform = margs->platform.empty() ? terraform_platform() : margs->platform;
    auto source = find_provider_source(env, platform);
    if (!source) {
      if (margs->json)
        std::cout << nlohmann::json{{"error", source.error()}, {"platform", platform}}.dump()
                  << "\n";
      else
        std::cerr << "drctl infra mirror: " << source.error() << "\n";
      throw cli::ExitCode{1};
    }
    if (margs->json)
      std::cout << nlohmann::json{{"mirror", source->path.string()}, {"platform", platform}}.dump()
                << "\n";
    else
      std::cout << source->path.string() << "\n";
  });
}

}  // namespace dr::infra
