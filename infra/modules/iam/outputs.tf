# ---- dr-app instances ----
output "app_role_arn" {
  description = "Role of the dr-app instances."
  value       = aws_iam_role.app.arn
}

output "app_instance_profile_name" {
  description = "Instance profile of the dr-app instances."
  value       = aws_iam_instance_profile.app.name
}

# ---- RDS Enhanced Monitoring ----
output "rds_monitoring_role_arn" {
  description = "Role RDS Enhanced Monitoring publishes with."
  value       = aws_iam_role.rds_monitoring.arn
}

# ---- AWS Backup ----
output "backup_role_arn" {
  description = "Role AWS Backup runs jobs with."
  value       = aws_iam_role.backup.arn
}
