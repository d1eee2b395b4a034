# ---- Vaults ----
output "primary_vault_arn" {
  description = "Vault of the primary region."
  value       = aws_backup_vault.primary.arn
}

output "secondary_vault_arn" {
  description = "Vault in the secondary region that daily backups are copied to."
  value       = aws_backup_vault.secondary.arn
}

# ---- Plan ----
output "plan_id" {
  description = "ID of the backup plan."
  value       = aws_backup_plan.this.id
}

output "backup_configuration" {
  description = "What is backed up, how often, and where copies go."
  value = {
    plan_id                   = aws_backup_plan.this.id
    daily_schedule            = var.daily_schedule
    retention_days            = var.retention_days
    continuous_retention_days = var.continuous_retention_days
    cross_region_copy_to      = aws_backup_vault.secondary.arn
    resources                 = var.resource_arns
  }
}

output "restore_testing_plan_name" {
  description = "The restore testing plan proving the backups restorable."
  value       = aws_backup_restore_testing_plan.this.name
}
