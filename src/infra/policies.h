// Security and DR policies. IDs are checkov's where checkov has the same rule (so a reader can
// look them up), DR_* where the rule is ours. A block may carry a written exemption,
// "# checkov:skip=<ID>:<reason>", which turns its violation into a listed waiver.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "infra/finding.h"
#include "infra/stack.h"

namespace dr::infra {

struct Violation {
  const Module* module = nullptr;
  const Block* block = nullptr;
  std::string message;
};

struct Policy {
  std::string id;
  std::string rejects;  // one line: what the policy rejects
  std::function<void(const Stack&, std::vector<Violation>&)> run;
  // Non-empty: why the policy cannot judge this stack (it is then listed as skipped).
  std::function<std::string(const Stack&)> skip_reason = nullptr;
};

const std::vector<Policy>& policies();

struct PolicyResult {
  std::vector<Finding> findings;
  std::vector<Waiver> waivers;
  std::vector<std::string> skipped;  // "<ID>: reason" for policies with nothing to judge
  int passed = 0;
};

PolicyResult check_policies(const Stack& stack);

// Registration of each group (one file per group of resources).
void add_data_policies(std::vector<Policy>& out);
void add_compute_policies(std::vector<Policy>& out);
void add_network_policies(std::vector<Policy>& out);
void add_dr_policies(std::vector<Policy>& out);

}  // namespace dr::infra
