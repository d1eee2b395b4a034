// Aurora, DynamoDB, Secrets Manager and AWS Backup: encryption, deletion safety, recoverability.
#include "infra/policy_support.h"

namespace dr::infra {

using namespace policy;
using nlohmann::json;

namespace {

// A generated value is an expression; a literal (string, number) is a password in the code.
bool is_expression(const json& v) {
  return v.is_string() && is_pure_expression(v.get<std::string>());
}

}  // namespace

void add_data_policies(std::vector<Policy>& out) {
  out.push_back({"CKV_AWS_96", "an Aurora cluster without storage_encrypted = true",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_rds_cluster", [&](const Module& m, const Block& b) {
                     if (!always(s, m, b.body, "storage_encrypted", true))
                       violation(v, m, b, "storage_encrypted is not true");
                   });
                 }});
  out.push_back({"CKV_AWS_327", "an Aurora cluster encrypted without a customer-managed KMS key",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_rds_cluster", [&](const Module& m, const Block& b) {
                     if (!set(s, m, b.body, "kms_key_id"))
                       violation(v, m, b, "kms_key_id is not set");
                   });
                 }});
  out.push_back({"CKV_AWS_139", "an Aurora cluster without deletion protection",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_rds_cluster", [&](const Module& m, const Block& b) {
                     if (!always(s, m, b.body, "deletion_protection", true))
                       violation(v, m, b, "deletion_protection is not true in every instantiation");
                   });
                 }});
  out.push_back({"CKV_AWS_324", "an Aurora cluster not exporting error, slowquery and audit logs",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_rds_cluster", [&](const Module& m, const Block& b) {
                     for (const char* log : {"error", "slowquery", "audit"})
                       if (!b.body->contains("enabled_cloudwatch_logs_exports") ||
                           !mentions((*b.body)["enabled_cloudwatch_logs_exports"], log)) {
                         violation(v, m, b,
                                   std::string("enabled_cloudwatch_logs_exports lacks ") + log);
                         return;
                       }
                   });
                 }});
  out.push_back({"DR_FINAL_SNAPSHOT", "an Aurora cluster deleted without a final snapshot",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_rds_cluster", [&](const Module& m, const Block& b) {
                     if (sometimes(s, m, b.body, "skip_final_snapshot", true))
                       violation(v, m, b, "skip_final_snapshot is true");
                     else if (!set(s, m, b.body, "final_snapshot_identifier"))
                       violation(v, m, b, "final_snapshot_identifier is not set");
                   });
                 }});
  out.push_back({"DR_NO_PLAINTEXT_PASSWORD",
                 "a database password written in the configuration or kept in state",
                 [](const Stack& s, std::vector<Violation>& v) {
                   for (const char* type : {"aws_rds_cluster", "aws_db_instance"})
                     each(s, "resource", type, [&](const Module& m, const Block& b) {
                       if (b.body->contains("master_password"))
                         violation(v, m, b,
                                   "master_password is stored in state; use master_password_wo "
                                   "with a generated password");
                       else if (b.body->contains("master_password_wo") &&
                                !is_expression((*b.body)["master_password_wo"]))
                         violation(v, m, b, "master_password_wo is a literal");
                     });
                 }});
  out.push_back(
      {"CKV_AWS_118", "an Aurora instance without enhanced monitoring and its role",
       [](const Stack& s, std::vector<Violation>& v) {
         each(s, "resource", "aws_rds_cluster_instance", [&](const Module& m, const Block& b) {
           if (!set(s, m, b.body, "monitoring_interval") ||
               sometimes(s, m, b.body, "monitoring_interval", 0) ||
               !set(s, m, b.body, "monitoring_role_arn"))
             violation(v, m, b, "monitoring_interval > 0 and monitoring_role_arn are needed");
         });
       }});
  out.push_back({"CKV_AWS_353", "an Aurora instance without Performance Insights",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_rds_cluster_instance",
                        [&](const Module& m, const Block& b) {
                          if (!always(s, m, b.body, "performance_insights_enabled", true))
                            violation(v, m, b, "performance_insights_enabled is not true");
                        });
                 }});
  out.push_back({"CKV_AWS_354", "Performance Insights without a customer-managed KMS key",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_rds_cluster_instance",
                        [&](const Module& m, const Block& b) {
                          if (!set(s, m, b.body, "performance_insights_kms_key_id"))
                            violation(v, m, b, "performance_insights_kms_key_id is not set");
                        });
                 }});
  out.push_back({"CKV_AWS_28", "a DynamoDB table without point-in-time recovery",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_dynamodb_table", [&](const Module& m, const Block& b) {
                     if (!always(s, m, sub(b.body, "point_in_time_recovery"), "enabled", true))
                       violation(v, m, b, "point_in_time_recovery.enabled is not true");
                   });
                 }});
  out.push_back({"CKV_AWS_119", "a DynamoDB table not encrypted with a customer-managed KMS key",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_dynamodb_table", [&](const Module& m, const Block& b) {
                     const json* sse = sub(b.body, "server_side_encryption");
                     if (!always(s, m, sse, "enabled", true) || !set(s, m, sse, "kms_key_arn"))
                       violation(v, m, b,
                                 "server_side_encryption needs enabled = true and kms_key_arn");
                   });
                 }});
  out.push_back(
      {"DR_DYNAMODB_GLOBAL",
       "a DynamoDB table that is not a protected global table (replica with its own "
       "CMK and PITR, NEW_AND_OLD_IMAGES stream, deletion protection)",
       [](const Stack& s, std::vector<Violation>& v) {
         each(s, "resource", "aws_dynamodb_table", [&](const Module& m, const Block& b) {
           auto replicas = subs(b.body, "replica");
           if (replicas.empty()) return violation(v, m, b, "has no replica");
           for (const json* r : replicas)
             if (!set(s, m, r, "kms_key_arn") || !always(s, m, r, "point_in_time_recovery", true))
               return violation(v, m, b, "a replica lacks kms_key_arn or point_in_time_recovery");
           if (!always(s, m, b.body, "stream_enabled", true) ||
               !always(s, m, b.body, "stream_view_type", "NEW_AND_OLD_IMAGES"))
             return violation(v, m, b, "stream is not NEW_AND_OLD_IMAGES");
           if (!always(s, m, b.body, "deletion_protection_enabled", true))
             violation(v, m, b, "deletion_protection_enabled is not true");
         });
       }});
  out.push_back({"CKV_AWS_149", "a Secrets Manager secret without a customer-managed KMS key",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_secretsmanager_secret",
                        [&](const Module& m, const Block& b) {
                          if (!set(s, m, b.body, "kms_key_id"))
                            violation(v, m, b, "kms_key_id is not set");
                        });
                 }});
  out.push_back(
      {"DR_SECRET_REPLICA",
       "a Secrets Manager secret not replicated (with its own CMK) to another region",
       [](const Stack& s, std::vector<Violation>& v) {
         each(s, "resource", "aws_secretsmanager_secret", [&](const Module& m, const Block& b) {
           const json* r = sub(b.body, "replica");
           if (r == nullptr || !set(s, m, r, "region") || !set(s, m, r, "kms_key_id"))
             violation(v, m, b, "needs a replica block with region and kms_key_id");
         });
       }});
  out.push_back({"CKV_AWS_166", "a backup vault without a customer-managed KMS key",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_backup_vault", [&](const Module& m, const Block& b) {
                     if (!set(s, m, b.body, "kms_key_arn"))
                       violation(v, m, b, "kms_key_arn is not set");
                   });
                 }});
  out.push_back({"DR_BACKUP_COPY", "a backup plan with no rule copying to another region's vault",
                 [](const Stack& s, std::vector<Violation>& v) {
                   each(s, "resource", "aws_backup_plan", [&](const Module& m, const Block& b) {
                     for (const json* rule : subs(b.body, "rule"))
                       for (const json* copy : subs(rule, "copy_action"))
                         if (set(s, m, copy, "destination_vault_arn")) return;
                     violation(v, m, b, "no rule has a copy_action with destination_vault_arn");
                   });
                 }});
}

}  // namespace dr::infra
