// Launch templates, Auto Scaling, Lambda and IAM: instance hardening, controller hardening and
// least privilege.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "infra/policy_support.h"

namespace dr::infra {

using namespace policy;
using nlohmann::json;

namespace {

// Secrets that must never be in user data or a Lambda environment: AWS access keys and
// password-like assignments with a literal value.
bool looks_secret(const std::string& text) {
  static const std::regex key(R"(AKIA[0-9A-Z]{16})");
  static const std::regex assignment(
      R"((?:password|passwd|secret|token)[A-Za-z_]*\s*[=:]\s*["']?[A-Za-z0-9!@#%^&*+/]{6,})",
      std::regex::icase);
  return std::regex_search(text, key) || std::regex_search(text, assignment);
}

// user_data = base64encode(templatefile("${path.module}/user_data.sh.tftpl", {...})): the
// template is what runs, so read it.
std::string user_data_text(const Module& m, const json& value) {
  std::string expr = value.is_string() ? value.get<std::string>() : value.dump();
  static const std::regex tpl(R"re(templatefile\("\$\{path\.module\}/([^"]+)")re");
  std::smatch mt;
  if (std::regex_search(expr, mt, tpl)) {
    std::ifstream in(m.dir / mt[1].str());
    std::ostringstream s;
    s << in.rdbuf();
    return expr + "\n" + s.str();
  }
  return expr;
}

// Actions that accept no resource-level permission, so "*" is the only valid Resource.
const std::set<std::string> kResourceStarOnly{
    "xray:PutTraceSegments",         "xray:PutTelemetryRecords",
    "cloudwatch:PutMetricData",      "ec2:DescribeInstances",
    "ec2:DescribeNetworkInterfaces", "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",    "autoscaling:DescribeAutoScalingGroups",
    "rds:DescribeGlobalClusters",    "elasticloadbalancing:DescribeTargetHealth",
    "cloudwatch:DescribeAlarms",     "cloudwatch:GetMetricStatistics",
    "logs:CreateLogDelivery",        "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",        "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",        "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",        "logs:PutResourcePolicy"};

std::vector<std::string> strings_of(const json* v) {
  std::vector<std::string> out;
  if (v == nullptr) return out;
  if (v->is_string()) out.push_back(v->get<std::string>());
  if (v->is_array())
    for (const auto& x : *v)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

}  // namespace

void add_compute_policies(std::vector<Policy>& out) {
  out.push_back({"CKV_AWS_79", "a launch template that does not require IMDSv2 tokens",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_launch_template", [&](const Module& m, const Block& b) {
                     if (!always(s, m, sub(b.body, "metadata_options"), "http_tokens", "required"))
                       violation(v, m, b, "metadata_options.http_tokens is not \"required\"");
                   });
                 }});
  out.push_back(
      {"CKV_AWS_341", "a launch template whose metadata hop limit exceeds 1",
       [](const Stack& s, std::vector<Violation>& v) {
         each(s, "resource", "aws_launch_template", [&](const Module& m, const Block& b) {
           if (!always(s, m, sub(b.body, "metadata_options"), "http_put_response_hop_limit", 1))
             violation(v, m, b, "metadata_options.http_put_response_hop_limit is not 1");
         });
       }});
  out.push_back({"CKV_AWS_88", "an instance or launch template giving instances a public IP",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_launch_template", [&](const Module& m, const Block& b) {
                     auto nis = subs(b.body, "network_interfaces");
                     if (nis.empty())
                       return violation(
                           v, m, b,
                           "network_interfaces must set associate_public_ip_address = false");
                     for (const json* ni : nis)
                       if (!always(s, m, ni, "associate_public_ip_address", false))
                         return violation(v, m, b, "associate_public_ip_address is not false");
                   });
                   each(s, "resource", "aws_instance", [&](const Module& m, const Block& b) {
                     if (sometimes(s, m, b.body, "associate_public_ip_address", true))
                       violation(v, m, b, "associate_public_ip_address is true");
                   });
                 }});
  out.push_back(
      {"CKV_AWS_8", "a launch template with unencrypted (or not CMK-encrypted) EBS",
       [](const Stack& s, std::vector<Violation>& v) {
         each(s, "resource", "aws_launch_template", [&](const Module& m, const Block& b) {
           auto bdms = subs(b.body, "block_device_mappings");
           if (bdms.empty())
             return violation(v, m, b, "no block_device_mappings with an encrypted root volume");
           for (const json* bdm : bdms) {
             const json* ebs = sub(bdm, "ebs");
             if (!always(s, m, ebs, "encrypted", "true") && !always(s, m, ebs, "encrypted", true))
               return violation(v, m, b, "ebs.encrypted is not true");
             if (!set(s, m, ebs, "kms_key_id"))
               return violation(v, m, b, "ebs.kms_key_id is not set");
           }
         });
       }});
  out.push_back({"CKV_AWS_46", "secrets in EC2 user data (inline or in its template file)",
                 [](const Stack& s, std::vector<Violation>& v) {
                   for (const char* type : {"aws_launch_template", "aws_instance"})
                     each(s, "resource", type, [&](const Module& m, const Block& b) {
                       if (b.body->contains("user_data") &&
                           looks_secret(user_data_text(m, (*b.body)["user_data"])))
                         violation(v, m, b, "user_data contains what looks like a secret");
                     });
                 }});
  out.push_back({"DR_ASG_FAILOVER",
                 "an Auto Scaling group without ELB health checks, or whose desired capacity a "
                 "later apply would reset after a failover scale-up",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_autoscaling_group",
                        [&](const Module& m, const Block& b) {
                          if (!always(s, m, b.body, "health_check_type", "ELB"))
                            return violation(v, m, b, "health_check_type is not ELB");
                          const json* lc = sub(b.body, "lifecycle");
                          if (lc == nullptr || !lc->contains("ignore_changes") ||
                              !mentions((*lc)["ignore_changes"], "desired_capacity"))
                            violation(v, m, b, "lifecycle.ignore_changes lacks desired_capacity");
                        });
                 }});
  out.push_back(
      {"CKV_AWS_45", "secrets in a Lambda function's environment variables",
       [](const Stack& s, std::vector<Violation>& v) {
         (void)s;
         each(s, "resource", "aws_lambda_function", [&](const Module& m, const Block& b) {
           const json* env = sub(b.body, "environment");
           if (env == nullptr || !env->contains("variables")) return;
           for (const auto& [k, val] : (*env)["variables"].items()) {
             std::string text = k + "=" + (val.is_string() ? val.get<std::string>() : val.dump());
             if (looks_secret(text) &&
                 !(val.is_string() && val.get<std::string>().starts_with("${")))
               return violation(v, m, b, "environment variable " + k + " holds a literal secret");
           }
         });
       }});
  out.push_back({"CKV_AWS_116", "a Lambda function without a dead-letter queue",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_lambda_function", [&](const Module& m, const Block& b) {
                     if (!set(s, m, sub(b.body, "dead_letter_config"), "target_arn"))
                       violation(v, m, b, "dead_letter_config.target_arn is not set");
                   });
                 }});
  out.push_back({"CKV_AWS_115", "a Lambda function without reserved concurrency",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_lambda_function", [&](const Module& m, const Block& b) {
                     if (!set(s, m, b.body, "reserved_concurrent_executions") ||
                         sometimes(s, m, b.body, "reserved_concurrent_executions", -1))
                       violation(v, m, b, "reserved_concurrent_executions is not set");
                   });
                 }});
  out.push_back({"CKV_AWS_173", "a Lambda environment not encrypted with a customer-managed key",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_lambda_function", [&](const Module& m, const Block& b) {
                     if (sub(b.body, "environment") != nullptr && !set(s, m, b.body, "kms_key_arn"))
                       violation(v, m, b, "has environment variables but no kms_key_arn");
                   });
                 }});
  out.push_back({"CKV_AWS_50", "a Lambda function without active X-Ray tracing",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_lambda_function", [&](const Module& m, const Block& b) {
                     if (!always(s, m, sub(b.body, "tracing_config"), "mode", "Active"))
                       violation(v, m, b, "tracing_config.mode is not Active");
                   });
                 }});
  out.push_back(
      {"CKV_AWS_355",
       "an IAM policy allowing Resource \"*\" for actions that support resource-level "
       "permissions (KMS key policies excepted: there \"*\" means the key itself)",
       [](const Stack& s, std::vector<Violation>& v) {
         each(s, "data", "aws_iam_policy_document", [&](const Module& m, const Block& b) {
           for (const Block* key : m.all("resource", "aws_kms_key"))
             if (key->body->contains("policy") && references_block((*key->body)["policy"], b))
               return;
           for (const json* st : subs(b.body, "statement")) {
             auto resources = strings_of(st->contains("resources") ? &(*st)["resources"] : nullptr);
             if (std::find(resources.begin(), resources.end(), "*") == resources.end()) continue;
             if (st->value("effect", "Allow") == "Deny") continue;
             for (const auto& action :
                  strings_of(st->contains("actions") ? &(*st)["actions"] : nullptr))
               if (!kResourceStarOnly.contains(action))
                 return violation(v, m, b, "allows " + action + " on Resource \"*\"");
           }
         });
       }});
}

}  // namespace dr::infra
