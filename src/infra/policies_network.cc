// KMS, SNS, logs, VPC, load balancers, WAF and S3: encryption, exposure and audit trails.
#include "infra/policy_support.h"

namespace dr::infra {

using namespace policy;
using nlohmann::json;

namespace {

// Some block of `type` in m whose `arg` references target.
bool referenced_by(const Module& m, const char* type, const char* arg, const Block& target,
                   const std::function<bool(const Block&)>& also = nullptr) {
  for (const Block* b : m.all("resource", type))
    if (b->body->contains(arg) && references_block((*b->body)[arg], target) && (!also || also(*b)))
      return true;
  return false;
}

bool has_type(const Module& m, const char* type) {
  return !m.all("resource", type).empty();
}

// The load balancers of module m are covered by a WAF association in m, or in a sibling module
// call that is passed something of this module's call (module.alb_primary.alb_arn).
bool alb_has_waf(const Stack& s, const Module& m) {
  if (has_type(m, "aws_wafv2_web_acl_association")) return true;
  auto calls = s.calls_of(m);
  if (calls.empty()) return false;
  for (const ModuleCall* call : calls) {
    bool covered = false;
    for (const ModuleCall* sibling : s.calls_from(*call->caller)) {
      if (sibling->callee == nullptr ||
          !has_type(*sibling->callee, "aws_wafv2_web_acl_association"))
        continue;
      for (const Reference& r : references_in(*sibling->block->body))
        if (r.parts.size() >= 2 && r.parts[0] == "module" && r.parts[1] == call->block->name)
          covered = true;
    }
    if (!covered) return false;
  }
  return true;
}

bool has_managed_group(const json* body, const std::string& group) {
  for (const json* rule : subs(body, "rule"))
    for (const json* st : subs(rule, "statement"))
      for (const json* mg : subs(st, "managed_rule_group_statement"))
        if (mg->value("name", "") == group) return true;
  return false;
}

bool has_rate_rule(const json* body) {
  for (const json* rule : subs(body, "rule"))
    for (const json* st : subs(rule, "statement"))
      if (!subs(st, "rate_based_statement").empty()) return true;
  return false;
}

}  // namespace

void add_network_policies(std::vector<Policy>& out) {
  out.push_back({"CKV_AWS_7", "a KMS key without automatic rotation",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_kms_key", [&](const Module& m, const Block& b) {
                     if (!always(s, m, b.body, "enable_key_rotation", true))
                       violation(v, m, b, "enable_key_rotation is not true");
                   });
                 }});
  out.push_back({"CKV2_AWS_64", "a KMS key without an explicit key policy",
                 [](const Stack& s, std::vector<Violation>& v) {
                   for (const char* type : {"aws_kms_key", "aws_kms_replica_key"})
                     each(s, "resource", type, [&](const Module& m, const Block& b) {
                       if (!set(s, m, b.body, "policy")) violation(v, m, b, "policy is not set");
                     });
                 }});
  out.push_back({"CKV_AWS_26", "an SNS topic without KMS encryption",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_sns_topic", [&](const Module& m, const Block& b) {
                     if (!set(s, m, b.body, "kms_master_key_id"))
                       violation(v, m, b, "kms_master_key_id is not set");
                   });
                 }});
  out.push_back({"CKV_AWS_158", "a CloudWatch log group without KMS encryption",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_cloudwatch_log_group",
                        [&](const Module& m, const Block& b) {
                          if (!set(s, m, b.body, "kms_key_id"))
                            violation(v, m, b, "kms_key_id is not set");
                        });
                 }});
  out.push_back({"CKV_AWS_66", "a CloudWatch log group that keeps logs forever (no retention)",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_cloudwatch_log_group",
                        [&](const Module& m, const Block& b) {
                          if (!set(s, m, b.body, "retention_in_days"))
                            violation(v, m, b, "retention_in_days is not set");
                        });
                 }});
  out.push_back(
      {"CKV2_AWS_11", "a VPC without flow logs", [](const Stack& s, std::vector<Violation>& v) {
         each(s, "resource", "aws_vpc", [&](const Module& m, const Block& b) {
           if (!referenced_by(m, "aws_flow_log", "vpc_id", b))
             violation(v, m, b, "no aws_flow_log has this VPC's vpc_id");
         });
       }});
  out.push_back(
      {"CKV2_AWS_12", "a VPC whose default security group allows traffic",
       [](const Stack& s, std::vector<Violation>& v) {
         each(s, "resource", "aws_vpc", [&](const Module& m, const Block& b) {
           bool closed =
               referenced_by(m, "aws_default_security_group", "vpc_id", b, [](const Block& sg) {
                 return subs(sg.body, "ingress").empty() && subs(sg.body, "egress").empty();
               });
           if (!closed)
             violation(v, m, b, "no aws_default_security_group without rules for this VPC");
         });
       }});
  out.push_back({"CKV_AWS_130", "a subnet that gives public IPs to instances launched in it",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_subnet", [&](const Module& m, const Block& b) {
                     if (sometimes(s, m, b.body, "map_public_ip_on_launch", true))
                       violation(v, m, b, "map_public_ip_on_launch is true");
                   });
                 }});
  out.push_back({"CKV_AWS_2", "a load balancer listener serving plain HTTP (not redirecting)",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_lb_listener", [&](const Module& m, const Block& b) {
                     if (!sometimes(s, m, b.body, "protocol", "HTTP")) return;
                     for (const json* a : subs(b.body, "default_action"))
                       if (a->value("type", "") == "redirect" &&
                           always(s, m, sub(a, "redirect"), "protocol", "HTTPS"))
                         return;
                     violation(v, m, b, "protocol HTTP without a redirect to HTTPS");
                   });
                 }});
  out.push_back({"CKV_AWS_103", "an HTTPS listener allowing TLS older than 1.2",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_lb_listener", [&](const Module& m, const Block& b) {
                     if (!sometimes(s, m, b.body, "protocol", "HTTPS")) return;
                     bool ok = false;
                     for (const Resolved& r : resolve_attr(s, m, *b.body, "ssl_policy")) {
                       ok = r && r->is_string() &&
                            (r->get<std::string>().find("TLS13") != std::string::npos ||
                             r->get<std::string>().find("TLS-1-2") != std::string::npos);
                       if (!ok) break;
                     }
                     if (!ok) violation(v, m, b, "ssl_policy is not a TLS 1.2+ policy");
                   });
                 }});
  out.push_back({"CKV_AWS_131", "a load balancer that forwards invalid HTTP headers",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_lb", [&](const Module& m, const Block& b) {
                     if (!always(s, m, b.body, "drop_invalid_header_fields", true))
                       violation(v, m, b, "drop_invalid_header_fields is not true");
                   });
                 }});
  out.push_back({"CKV_AWS_91", "a load balancer without access logs",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_lb", [&](const Module& m, const Block& b) {
                     const json* logs = sub(b.body, "access_logs");
                     if (!always(s, m, logs, "enabled", true) || !set(s, m, logs, "bucket"))
                       violation(v, m, b, "access_logs needs enabled = true and a bucket");
                   });
                 }});
  out.push_back({"CKV_AWS_150", "a load balancer without deletion protection",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_lb", [&](const Module& m, const Block& b) {
                     if (!always(s, m, b.body, "enable_deletion_protection", true))
                       violation(v, m, b,
                                 "enable_deletion_protection is not true in every instantiation");
                   });
                 }});
  out.push_back({"CKV2_AWS_28", "a load balancer not protected by a WAF web ACL",
                 [](const Stack& s, std::vector<Violation>& v) {
                   for (const auto& m : s.modules)
                     if (has_type(*m, "aws_lb") && !alb_has_waf(s, *m))
                       for (const Block* b : m->all("resource", "aws_lb"))
                         violation(v, *m, *b, "no aws_wafv2_web_acl_association covers it");
                 }});
  out.push_back({"CKV_AWS_192",
                 "a WAF web ACL without AWSManagedRulesKnownBadInputsRuleSet (Log4j)",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_wafv2_web_acl", [&](const Module& m, const Block& b) {
                     if (!has_managed_group(b.body, "AWSManagedRulesKnownBadInputsRuleSet"))
                       violation(v, m, b, "lacks AWSManagedRulesKnownBadInputsRuleSet");
                   });
                 }});
  out.push_back({"DR_WAF_BASELINE",
                 "a WAF web ACL without a rate-based rule and AWSManagedRulesCommonRuleSet",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_wafv2_web_acl", [&](const Module& m, const Block& b) {
                     if (!has_rate_rule(b.body))
                       violation(v, m, b, "has no rate_based_statement rule");
                     else if (!has_managed_group(b.body, "AWSManagedRulesCommonRuleSet"))
                       violation(v, m, b, "lacks AWSManagedRulesCommonRuleSet");
                   });
                 }});
  out.push_back(
      {"CKV2_AWS_31", "a WAF web ACL without logging",
       [](const Stack& s, std::vector<Violation>& v) {
         each(s, "resource", "aws_wafv2_web_acl", [&](const Module& m, const Block& b) {
           if (!referenced_by(m, "aws_wafv2_web_acl_logging_configuration", "resource_arn", b))
             violation(v, m, b, "no aws_wafv2_web_acl_logging_configuration for it");
         });
       }});
  out.push_back({"CKV2_AWS_6", "an S3 bucket without a public access block",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_s3_bucket", [&](const Module& m, const Block& b) {
                     if (!referenced_by(m, "aws_s3_bucket_public_access_block", "bucket", b))
                       violation(v, m, b, "no aws_s3_bucket_public_access_block for it");
                   });
                 }});
  out.push_back(
      {"CKV_AWS_19", "an S3 bucket without default encryption",
       [](const Stack& s, std::vector<Violation>& v) {
         each(s, "resource", "aws_s3_bucket", [&](const Module& m, const Block& b) {
           if (!referenced_by(m, "aws_s3_bucket_server_side_encryption_configuration", "bucket", b))
             violation(v, m, b, "no aws_s3_bucket_server_side_encryption_configuration for it");
         });
       }});
}

}  // namespace dr::infra
