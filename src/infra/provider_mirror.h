// Where `terraform init` gets hashicorp/aws from without the network: a local filesystem mirror
// (tests/terraform/lib.sh asks `drctl infra mirror`, which is this search), handed to terraform
// through a CLI config of our own in a private temporary directory. A user's CLI config that says
// how to install providers is honoured as it is.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

namespace dr::infra {

// What the search reads from the environment (a struct, so tests give their own).
struct TerraformEnv {
  std::string dr_mirror;         // $DR_TF_PLUGIN_MIRROR: this directory and no other
  std::string cli_config_file;   // $TF_CLI_CONFIG_FILE, else $HOME/.terraformrc (terraform's own)
  std::string plugin_cache_dir;  // $TF_PLUGIN_CACHE_DIR: laid out like an unpacked mirror
  // Terraform's implied local mirror directories and a few usual roots, in order.
  std::vector<std::filesystem::path> usual_dirs;
  // Where the bounded walk looks when none of the above holds a mirror.
  std::vector<std::filesystem::path> search_roots;

  static TerraformEnv from_process();
};

// terraform's os_arch, e.g. "linux_amd64" (`terraform version -json`), the platform a mirror
// must hold a provider for; this build's platform when terraform cannot say.
std::string terraform_platform();

// hashicorp/aws versions the stack accepts (infra/versions.tf: >= 5.100, < 7.0); pre-releases
// are never chosen by a range, so never by us.
bool in_stack_range(const std::string& version);

// dir holds registry.terraform.io/hashicorp/aws/<version>/<platform>/terraform-provider-aws_*
// (unpacked) or registry.terraform.io/hashicorp/aws/terraform-provider-aws_<version>_<platform>.zip
// (packed) with a version in the stack's range, and no other local user could have written it
// (every directory down to the package owned by root or us and not world-writable).
// platform: e.g. "linux_amd64".
bool is_provider_mirror(const std::filesystem::path& dir, const std::string& platform);

struct ProviderSource {
  enum class Kind { kMirror, kUserConfig } kind = Kind::kMirror;
  std::filesystem::path path;  // the mirror directory, or the user's CLI config file

  std::string describe() const;
};

// $DR_TF_PLUGIN_MIRROR when set (an error if it is not a mirror: no silent fallback), else the
// user's CLI config if it has a provider_installation block, else the first mirror in
// $TF_PLUGIN_CACHE_DIR, the usual directories, or a bounded walk of search_roots. The error says
// where it looked.
std::expected<ProviderSource, std::string> find_provider_source(const TerraformEnv& env,
                                                                const std::string& platform);

// True when a CLI config's text has a provider_installation block (HCL or JSON syntax).
bool configures_provider_installation(const std::string& cli_config_text);

// The CLI config terraform is given through TF_CLI_CONFIG_FILE: for a mirror, a file of ours that
// installs hashicorp/* only from it (never the registry), removed with this object; for a user's
// config, that file, untouched.
class CliConfig {
 public:
  static std::expected<CliConfig, std::string> create(const ProviderSource& source);

  CliConfig(CliConfig&& other) noexcept;
  CliConfig& operator=(CliConfig&&) = delete;
  CliConfig(const CliConfig&) = delete;
  CliConfig& operator=(const CliConfig&) = delete;
  ~CliConfig();

  const std::filesystem::path& path() const { return path_; }

 private:
  CliConfig(std::filesystem::path path, std::filesystem::path owned_dir)
      : path_(std::move(path)), owned_dir_(std::move(owned_dir)) {}

  std::filesystem::path path_;
  std::filesystem::path owned_dir_;  // empty when the file is the user's
};

// The child environment for terraform: the CLI config, no prompts, no version check over the
// network, and no TF_DATA_DIR/TF_WORKSPACE of the user's (init in our scratch copy must not
// write into the user's own data directory). Entries as run_process takes them.
std::vector<std::string> terraform_child_env(const CliConfig& config);

}  // namespace dr::infra
