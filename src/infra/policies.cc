#include "infra/policies.h"

#include <set>

#include "infra/source_map.h"

namespace dr::infra {

const std::vector<Policy>& policies() {
  static const std::vector<Policy> all = [] {
    std::vector<Policy> out;
    add_data_policies(out);
    add_compute_policies(out);
    add_network_policies(out);
    add_dr_policies(out);
    return out;
  }();
  return all;
}

PolicyResult check_policies(const Stack& stack) {
  PolicyResult result;
  for (const Policy& p : policies()) {
    if (p.skip_reason) {
      if (std::string why = p.skip_reason(stack); !why.empty()) {
        result.skipped.push_back(p.id + ": " + why);
        continue;
      }
    }
    std::vector<Violation> found;
    p.run(stack, found);
    bool failed = false;
    std::set<const Block*> reported;
    for (const Violation& v : found) {
      const Block& b = *v.block;
      if (!reported.insert(&b).second) continue;  // one finding per block and policy
      const SkipComment* skip = nullptr;
      auto skips = skip_comments(b.file->text(), b.lines);
      for (const auto& s : skips)
        if (s.check == p.id) skip = &s;
      if (skip != nullptr && !skip->reason.empty()) {
        result.waivers.push_back({p.id, b.file->display, skip->line, b.address(), skip->reason});
        continue;
      }
      failed = true;
      std::string why =
          skip != nullptr ? " (a checkov:skip without a written reason does not count)" : "";
      result.findings.push_back(
          {p.id, b.file->display, b.lines.first, b.address(), v.message + why});
    }
    if (!failed) ++result.passed;
  }
  return result;
}

}  // namespace dr::infra
