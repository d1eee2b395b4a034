// DR-specific rules no generic scanner knows: failover drift, where the controller runs, the
// Route 53 failover pair, and the DR budget.
#include "infra/check_dr_budget.h"
#include "infra/policy_support.h"

namespace dr::infra {

using namespace policy;
using nlohmann::json;

namespace {

bool ignores(const json* body, const char* attribute) {
  const json* lc = sub(body, "lifecycle");
  return lc != nullptr && lc->contains("ignore_changes") &&
         mentions((*lc)["ignore_changes"], attribute);
}

}  // namespace

void add_dr_policies(std::vector<Policy>& out) {
  out.push_back(
      {"DR_GLOBAL_DRIFT",
       "an Aurora global-database member whose failover a later apply would undo "
       "(no ignore_changes on global_cluster_identifier / replication_source_identifier)",
       [](const Stack& s, std::vector<Violation>& v) {
         each(s, "resource", "aws_rds_cluster", [&](const Module& m, const Block& b) {
           if (!b.body->contains("global_cluster_identifier")) return;
           for (const char* a : {"global_cluster_identifier", "replication_source_identifier"})
             if (!ignores(b.body, a))
               return violation(v, m, b, std::string("lifecycle.ignore_changes lacks ") + a);
         });
       }});
  out.push_back(
      {"DR_CONTROLLER_REGION",
       "a failover controller Lambda deployed outside the secondary region (it must survive "
       "the region it fails over), or a witness (handler \"witness\") outside the third region",
       [](const Stack& s, std::vector<Violation>& v) {
         for (const auto& m : s.modules) {
           auto functions = m->all("resource", "aws_lambda_function");
           if (functions.empty()) continue;
           // A module of witnesses only runs in the third region (aws.witness); any other
           // function module is the controller's.
           bool witness = true;
           for (const Block* f : functions)
             witness &= f->body->contains("handler") && (*f->body)["handler"] == "witness";
           const std::string want = witness ? "aws.witness" : "aws.secondary";
           for (const ModuleCall* call : s.calls_of(*m)) {
             const json* providers = call->block->body->contains("providers")
                                         ? &(*call->block->body)["providers"]
                                         : nullptr;
             if (providers == nullptr || !providers->contains("aws") ||
                 (*providers)["aws"] != "${" + want + "}")
               violation(v, *call->caller, *call->block,
                         witness ? "passes another region's provider to the witness; pass aws = "
                                   "aws.witness (neither the primary nor the secondary region)"
                                 : "passes the primary provider as aws; pass aws = aws.secondary");
           }
         }
       }});
  out.push_back({"DR_ROUTE53_FAILOVER",
                 "Route 53 failover records without a PRIMARY/SECONDARY pair or without health "
                 "checks",
                 [](const Stack& s, std::vector<Violation>& v) {
                   for (const auto& m : s.modules) {
                     bool primary = false, secondary = false;
                     const Block* any_record = nullptr;
                     for (const Block* b : m->all("resource", "aws_route53_record")) {
                       const json* policy = sub(b->body, "failover_routing_policy");
                       if (policy == nullptr) continue;
                       any_record = b;
                       std::string type = policy->value("type", "");
                       primary |= type == "PRIMARY";
                       secondary |= type == "SECONDARY";
                       if (!set(s, *m, b->body, "health_check_id") && type == "PRIMARY")
                         violation(v, *m, *b, "the PRIMARY record has no health_check_id");
                     }
                     if (any_record != nullptr && (!primary || !secondary))
                       violation(v, *m, *any_record,
                                 "failover needs both a PRIMARY and a SECONDARY record");
                   }
                 }});
  out.push_back({"DR_BUDGET",
                 "timings that cannot meet the stack's own RTO target (Route 53 interval x "
                 "threshold + controller period + DB failover + scale-up + DNS TTL), or a "
                 "replication-lag alarm above the RPO target",
                 [](const Stack& s, std::vector<Violation>& v) {
                   auto t = read_dr_timings(s);
                   const Block* target = s.root().find("variable", "", kRtoTargetVariable);
                   if (target == nullptr) return;
                   if (!t) return violation(v, s.root(), *target, t.error());
                   DrBudget b = dr_budget(*t);
                   if (!b.meets_rto() || !b.meets_rpo())
                     violation(v, s.root(), *target, b.summary());
                 },
                 [](const Stack& s) -> std::string {
                   if (s.root().find("variable", "", kRtoTargetVariable) == nullptr)
                     return std::string("the root module declares no ") + kRtoTargetVariable;
                   return {};
                 }});
}

}  // namespace dr::infra
