# ---- Primary region ----
output "primary_key_arns" {
  description = "ARN of each primary-region key by purpose (rds, dynamodb, secrets, ebs, backup, logs, sns, lambda)."
  value       = { for k, v in aws_kms_key.primary : trimprefix(k, "primary-") => v.arn }
}

# ---- Secondary region ----
output "secondary_key_arns" {
  description = "ARN of each secondary-region key by purpose (rds, dynamodb, secrets, ebs, backup, logs, sns, lambda)."
  value       = { for k, v in aws_kms_key.secondary : trimprefix(k, "secondary-") => v.arn }
}
