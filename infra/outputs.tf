# ---- ALB ----
output "primary_alb_dns" {
  description = "DNS name of the primary ALB."
  value       = module.alb_primary.alb_dns_name
}

output "secondary_alb_dns" {
  description = "DNS name of the secondary ALB."
  value       = module.alb_secondary.alb_dns_name
}

output "app_fqdn" {
  description = "The failover name users resolve."
  value       = module.route53.fqdn
}

# ---- Aurora Global Database ----
output "global_cluster_id" {
  description = "Aurora global cluster identifier."
  value       = module.rds.global_cluster_id
}

output "primary_aurora_endpoint" {
  description = "Writer endpoint of the primary cluster."
  value       = module.rds.primary_endpoint
}

output "primary_aurora_reader_endpoint" {
  description = "Reader endpoint of the primary cluster (Multi-AZ)."
  value       = module.rds.primary_reader_endpoint
}

output "secondary_aurora_endpoint" {
  description = "Cluster endpoint of the secondary cluster (the writer after a failover)."
  value       = module.rds.secondary_endpoint
}

output "secondary_aurora_reader_endpoint" {
  description = "Reader endpoint of the secondary cluster."
  value       = module.rds.secondary_reader_endpoint
}

output "db_secret_name" {
  description = "Secrets Manager secret with the database credentials (same name in both regions)."
  value       = module.rds.master_secret_name
}

# ---- DynamoDB global table ----
output "dynamodb_table_name" {
  description = "DynamoDB global table name."
  value       = module.dynamodb.table_name
}

# ---- Failover controller ----
output "lambda_failover_function" {
  description = "ARN of the failover controller (in the secondary region)."
  value       = module.lambda.function_arn
}

output "witness_function" {
  description = "ARN of the witness (in witness_region, the third region)."
  value       = module.witness.function_arn
}

output "controller_environment" {
  description = "The controller Lambda's environment (names, ARNs, URLs; no secrets): `terraform output -json > outputs.json && drctl aws status --env-file outputs.json`."
  value       = module.lambda.environment
}

output "force_failover" {
  description = "How to force traffic to the secondary without the Route 53 control plane."
  value       = module.route53.force_failover
}

# ---- Monitoring ----
output "sns_alerts_topic" {
  description = "Alert topic of the primary region."
  value       = module.monitoring.sns_topic_arn
}

output "secondary_sns_alerts_topic" {
  description = "Alert topic of the secondary region."
  value       = module.monitoring.secondary_sns_topic_arn
}

output "route53_health_checks" {
  description = "Route 53 health check IDs."
  value       = module.route53.health_checks
}

output "monitoring_alarms" {
  description = "CloudWatch alarm ARNs."
  value       = module.monitoring.alarm_arns
}

# ---- DR summary ----
output "rto_rpo_summary" {
  description = "DR targets and the worst-case RTO computed from the configured timings."
  value = {
    rto_target_seconds     = var.rto_target_seconds
    worst_case_rto_seconds = local.worst_case_rto_seconds
    rto_budget_seconds     = local.rto_budget_seconds
    rto_met                = local.worst_case_rto_seconds <= var.rto_target_seconds
    rpo_target_seconds     = var.rpo_target_seconds
    rpo_alarm_seconds      = var.replication_lag_alarm_seconds
    primary_region         = var.aws_region
    secondary_region       = var.secondary_region
    aurora_configuration   = "Global database: primary cluster with 2 instances in 2 AZs, secondary cluster in ${var.secondary_region}"
    dynamodb_replication   = "Global table replica in ${var.secondary_region} (typically sub-second)"
    failover_automation    = "Controller Lambda in ${var.secondary_region}, every ${var.controller_interval_minutes} min"
    standby                = var.standby_asg_capacity > 0 ? "warm standby (${var.standby_asg_capacity} instance(s))" : "pilot light (0 instances)"
  }
}

output "cost_optimization_notes" {
  description = "Where the money goes and what can be turned down (see README for the itemised estimate)."
  value = {
    aurora_note      = "${var.aurora_instance_class}: global databases need r-class instances; 3 instances run (2 primary, 1 secondary)"
    asg_standby_note = "Secondary fleet runs ${var.standby_asg_capacity} instance(s); 0 (pilot light) saves it but adds instance_ready_seconds to the RTO"
    dynamodb_billing = "PAY_PER_REQUEST: replicated writes are billed in both regions"
    nat_gateway_note = var.single_nat_gateway ? "One NAT gateway per region" : "One NAT gateway per AZ; single_nat_gateway = true saves ~$33/month per region"
  }
}

output "backup_configuration" {
  description = "AWS Backup configuration."
  value       = module.backup.backup_configuration
}

output "security_configuration" {
  description = "Security configuration summary."
  value = {
    waf_enabled           = "Both ALBs, web ACL per region"
    waf_rules             = "Per-IP rate limit ${var.waf_rate_limit_per_5_minutes} requests / 5 min, AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet"
    encryption_at_rest    = "Customer-managed KMS keys per region and purpose (rotation on) for Aurora, DynamoDB, EBS, secrets, logs, SNS, Lambda, backups"
    encryption_in_transit = var.certificate_arn_primary != null ? "HTTPS (TLS 1.2+) with HTTP redirected" : "PLAIN HTTP: no certificate given (set certificate_arn_primary/secondary)"
    database_password     = "Generated, write-only (never in state), in Secrets Manager replicated to ${var.secondary_region}"
  }
}
