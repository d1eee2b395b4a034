#include "infra/lint.h"

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>

#include <stdlib.h>

#include "infra/check_dr_budget.h"
#include "infra/check_schema.h"
#include "infra/check_wiring.h"
#include "infra/dr_budget.h"
#include "infra/policies.h"
#include "infra/process.h"
#include "infra/provider_mirror.h"

namespace dr::infra {

namespace fs = std::filesystem;
using State = CheckStatus::State;

int LintReport::count(State s) const {
  return static_cast<int>(std::count_if(checks.begin(), checks.end(),
                                        [&](const CheckStatus& c) { return c.state == s; }));
}

namespace {

void add_group(LintReport& r, const std::vector<std::pair<std::string, std::string>>& ids,
               const std::vector<Finding>& found) {
  for (const auto& [id, what] : ids) {
    bool failed =
        std::any_of(found.begin(), found.end(), [&](const Finding& f) { return f.check == id; });
    r.checks.push_back({id, what, failed ? State::kFailed : State::kPassed, ""});
  }
  r.findings.insert(r.findings.end(), found.begin(), found.end());
}

// The first "Error: ..." line of terraform's output, without its box drawing.
std::string first_error(const std::string& out) {
  std::size_t at = out.find("Error: ");
  if (at == std::string::npos) return out.substr(0, out.find('\n'));
  std::size_t end = out.find('\n', at);
  return out.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// When init refused because this terraform is outside the stack's required_version, what to say
// ("terraform 1.5.7 does not meet the stack's required_version = \">= 1.11.0\""): the machine's
// terraform is at fault then, not the stack.
std::optional<std::string> unsupported_core(const std::string& out) {
  if (out.find("Error: Unsupported Terraform Core version") == std::string::npos)
    return std::nullopt;
  std::string version = "this version";
  const std::string lead = "support Terraform version ";
  if (auto at = out.find(lead); at != std::string::npos) {
    auto end = out.find_first_of(" \n", at + lead.size());
    version = out.substr(at + lead.size(), end == std::string::npos ? end : end - at - lead.size());
    if (version.ends_with('.')) version.pop_back();
  }
  std::string constraint;
  if (auto at = out.find("required_version"); at != std::string::npos) {
    auto end = out.find('\n', at);
    constraint = " (" + out.substr(at, end == std::string::npos ? end : end - at) + ")";
  }
  return "terraform " + version + " does not meet the stack's required_version" + constraint +
         ": install a terraform it allows to validate here";
}

// terraform init writes .terraform/ and a lock file next to the configuration: work on a copy
// so linting never changes the linted tree.
std::expected<fs::path, std::string> scratch_copy(const fs::path& dir) {
  std::string pattern = (fs::temp_directory_path() / "drctl-infra-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return std::unexpected("mkdtemp failed");
  fs::path tmp = pattern;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    fs::path rel = it->path().lexically_relative(dir);
    if (it->is_directory() && rel.filename().string().starts_with(".terraform")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory())
      fs::create_directories(tmp / rel, ec);
    else if (it->is_regular_file() && !rel.filename().string().starts_with(".terraform"))
      fs::copy_file(it->path(), tmp / rel, ec);
  }
  if (ec) return std::unexpected("copying " + dir.string() + ": " + ec.message());
  return tmp;
}

// `terraform fmt -check` where terraform is installed, and `terraform validate` where it can also
// install the providers.
void run_terraform(LintReport& r, const fs::path& dir, bool enabled) {
  const char* fmt_what = "terraform fmt -check -recursive";
  const char* validate_what = "terraform validate";
  if (!enabled || find_on_path("terraform").empty()) {
    std::string why = enabled ? "terraform is not on PATH" : "disabled by --no-terraform";
    r.checks.push_back({"TF_FMT", fmt_what, State::kSkipped, why});
    r.checks.push_back({"TF_VALIDATE", validate_what, State::kSkipped, why});
    return;
  }
  auto fmt = run_process({"terraform", "fmt", "-check", "-recursive", "-no-color", dir.string()},
                         {}, {"CHECKPOINT_DISABLE=1"});
  bool fmt_ok = fmt && fmt->exit_code == 0;
  r.checks.push_back({"TF_FMT", fmt_what, fmt_ok ? State::kPassed : State::kFailed, ""});
  if (!fmt_ok)
    r.findings.push_back({"TF_FMT", dir.string(), 0, "",
                          "terraform fmt would change: " + (fmt ? fmt->out : fmt.error())});
  // init needs hashicorp/aws: from a local mirror (or as the user's own CLI config says), never
  // from the registry behind our back, so that an offline machine validates too.
  auto source = find_provider_source(TerraformEnv::from_process(), terraform_platform());
  if (!source) {
    r.checks.push_back({"TF_VALIDATE", validate_what, State::kSkipped, source.error()});
    return;
  }
  auto config = CliConfig::create(*source);
  if (!config) {
    r.checks.push_back({"TF_VALIDATE", validate_what, State::kSkipped, config.error()});
    return;
  }
  const std::vector<std::string> env = terraform_child_env(*config);
  const std::string what = std::string(validate_what) + " (" + source->describe() + ")";
  auto copy = scratch_copy(dir);
  if (!copy) {
    r.checks.push_back({"TF_VALIDATE", what, State::kSkipped, copy.error()});
    return;
  }
  auto init = run_process({"terraform", "-chdir=" + copy->string(), "init", "-backend=false",
                           "-input=false", "-no-color"},
                          {}, env);
  if (!init || init->exit_code != 0) {
    std::string why = init ? first_error(init->err + init->out) : init.error();
    if (auto old = init ? unsupported_core(init->err + init->out) : std::nullopt) {
      r.checks.push_back({"TF_VALIDATE", what, State::kSkipped, *old});
    } else if (source->kind == ProviderSource::Kind::kMirror) {
      // The mirror holds a provider in the stack's range: init failing is the stack's fault.
      r.checks.push_back({"TF_VALIDATE", what, State::kFailed, ""});
      r.findings.push_back(
          {"TF_VALIDATE", dir.string(), 0, "", "terraform init -backend=false failed: " + why});
    } else {
      // The user's own installation methods may need a network this machine lacks.
      r.checks.push_back({"TF_VALIDATE", what, State::kSkipped,
                          "terraform init -backend=false failed (" + why + ")"});
    }
  } else {
    auto validate =
        run_process({"terraform", "-chdir=" + copy->string(), "validate", "-no-color"}, {}, env);
    bool ok = validate && validate->exit_code == 0;
    r.checks.push_back({"TF_VALIDATE", what, ok ? State::kPassed : State::kFailed, ""});
    if (!ok)
      r.findings.push_back({"TF_VALIDATE", dir.string(), 0, "",
                            validate ? validate->err + validate->out : validate.error()});
  }
  std::error_code ec;
  fs::remove_all(*copy, ec);
}

}  // namespace

LintReport lint_stack(const Stack& stack, const nlohmann::json* schema) {
  LintReport r;
  r.files = stack.file_count;
  r.modules = static_cast<int>(stack.modules.size());
  r.resources = stack.resource_count();

  std::vector<Finding> parse, format;
  for (const auto& f : stack.findings) (f.check == "HCL_PARSE" ? parse : format).push_back(f);
  add_group(r, {{"HCL_PARSE", "every file parses with HashiCorp's HCL parser (@cdktf/hcl2json)"}},
            parse);
  add_group(r,
            {{"HCL_FORMAT", "every file is unchanged by HashiCorp's formatter (@cdktf/hcl-tools)"}},
            format);

  add_group(r,
            {{"WIRING_ARG", "module arguments are declared variables"},
             {"WIRING_REQUIRED", "required variables are passed"},
             {"WIRING_REF", "var./local./module./resource references resolve"},
             {"WIRING_PROVIDER", "passed providers match configuration_aliases"}},
            check_wiring(stack));

  std::vector<std::pair<std::string, std::string>> schema_ids{
      {"SCHEMA_TYPE", "resource and data source types exist in the AWS provider"},
      {"SCHEMA_ARG", "arguments and nested blocks exist"},
      {"SCHEMA_REQUIRED", "required arguments and blocks are present"}};
  if (schema != nullptr) {
    add_group(r, schema_ids, check_schema(stack, *schema));
  } else {
    for (const auto& [id, what] : schema_ids)
      r.checks.push_back({id, what, State::kSkipped, "no provider schema loaded"});
  }

  PolicyResult pol = check_policies(stack);
  for (const Policy& p : policies()) {
    auto skipped = std::find_if(pol.skipped.begin(), pol.skipped.end(),
                                [&](const std::string& s) { return s.starts_with(p.id + ": "); });
    bool failed = std::any_of(pol.findings.begin(), pol.findings.end(),
                              [&](const Finding& f) { return f.check == p.id; });
    if (skipped != pol.skipped.end())
      r.checks.push_back({p.id, p.rejects, State::kSkipped, skipped->substr(p.id.size() + 2)});
    else
      r.checks.push_back({p.id, p.rejects, failed ? State::kFailed : State::kPassed, ""});
  }
  r.findings.insert(r.findings.end(), pol.findings.begin(), pol.findings.end());
  r.waivers = pol.waivers;

  if (stack.root().find("variable", "", kRtoTargetVariable) != nullptr) {
    if (auto t = read_dr_timings(stack)) {
      const DrBudget b = dr_budget(*t);
      r.budget = b.summary();
      r.worst_case_rto_s = b.worst_case_rto_s;
    }
  }
  return r;
}

void defer_to_terraform(LintReport& r) {
  auto ran = [&](const std::string& id) {
    return std::any_of(r.checks.begin(), r.checks.end(), [&](const CheckStatus& c) {
      return c.id == id && c.state != State::kSkipped;
    });
  };
  const bool fmt = ran("TF_FMT"), validate = ran("TF_VALIDATE");
  auto judged_by = [&](const std::string& id) -> const char* {
    if (fmt && id == "HCL_FORMAT") return "terraform fmt judged the formatting (TF_FMT)";
    if (validate && (id.starts_with("WIRING_") || id.starts_with("SCHEMA_")))
      return "terraform validate judged this (TF_VALIDATE)";
    return nullptr;
  };
  for (auto& c : r.checks) {
    if (const char* why = judged_by(c.id); why != nullptr && c.state != State::kSkipped) {
      c.state = State::kSkipped;
      c.note = why;
    }
  }
  std::erase_if(r.findings, [&](const Finding& f) { return judged_by(f.check) != nullptr; });
}

namespace {

// Terraform reads a root module's own *.tf files: a directory without any is not a stack, and
// "0 files, every check passed" about it would be a false all-clear.
std::expected<void, std::string> require_root_module(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::unexpected(dir.string() + ": not a directory");
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() == ".tf" && it->is_regular_file(ec)) return {};
  }
  if (ec) return std::unexpected(dir.string() + ": " + ec.message());
  return std::unexpected(dir.string() +
                         ": no Terraform files (*.tf) here; give a root module's directory "
                         "(e.g. infra/)");
}

}  // namespace

std::expected<LintReport, std::string> lint(const LintOptions& o) {
  if (auto root = require_root_module(o.dir); !root) return std::unexpected(root.error());
  auto tools = find_toolchain(o.tools_dir);
  if (!tools) return std::unexpected(tools.error());
  auto tree = parse_tree(*tools, o.dir);
  if (!tree) return std::unexpected(tree.error());
  auto schema = load_provider_schema(*tools);
  if (!schema) return std::unexpected(schema.error());
  std::string display = o.dir.string();
  while (display.size() > 1 && display.back() == '/') display.pop_back();
  Stack stack = build_stack(*tree, o.dir, display);
  LintReport r = lint_stack(stack, &*schema);
  run_terraform(r, o.dir, o.terraform);
  defer_to_terraform(r);
  return r;
}

std::string render(const LintReport& r, const std::string& dir) {
  std::ostringstream o;
  o << "infra lint " << dir << ": " << r.files << " files, " << r.modules << " modules, "
    << r.resources << " resources\n";
  for (const auto& c : r.checks) {
    const char* mark = c.state == State::kPassed   ? "ok  "
                       : c.state == State::kFailed ? "FAIL"
                                                   : "skip";
    o << "  " << mark << " " << c.id << ": " << c.what;
    if (c.state == State::kSkipped) o << " (skipped: " << c.note << ")";
    o << "\n";
  }
  if (!r.budget.empty()) o << "DR budget: " << r.budget << "\n";
  for (const auto& w : r.waivers)
    o << "waived: " << w.file << ":" << w.line << ": " << w.check << " " << w.block << ": "
      << w.reason << "\n";
  for (const auto& f : r.findings) o << f.to_string() << "\n";
  o << (r.ok() ? "PASS" : "FAIL") << ": " << r.count(State::kPassed) << " checks passed, "
    << r.count(State::kSkipped) << " skipped, " << r.count(State::kFailed) << " failed, "
    << r.waivers.size() << " waived with a written reason\n";
  return o.str();
}

}  // namespace dr::infra
