# Daily snapshots copied to the secondary region's vault (a region-wide disaster leaves a copy),
# plus continuous backup for point-in-time restore within the primary region.

# ---- Vaults ----
resource "aws_backup_vault" "primary" {
  name        = "${var.name}-primary"
  kms_key_arn = var.primary_kms_key_arn
  tags        = var.tags
}

resource "aws_backup_vault" "secondary" {
  provider = aws.secondary

  name        = "${var.name}-secondary"
  kms_key_arn = var.secondary_kms_key_arn
  tags        = var.tags
}

# ---- Plan ----
resource "aws_backup_plan" "this" {
  name = "${var.name}-dr"
  tags = var.tags

  rule {
    rule_name         = "daily-with-cross-region-copy"
    target_vault_name = aws_backup_vault.primary.name
    schedule          = var.daily_schedule
    start_window      = 60
    completion_window = 360

    lifecycle {
      delete_after = var.retention_days
    }

    copy_action {
      destination_vault_arn = aws_backup_vault.secondary.arn

      lifecycle {
        delete_after = var.retention_days
      }
    }
  }

  rule {
    rule_name                = "continuous"
    target_vault_name        = aws_backup_vault.primary.name
    schedule                 = "cron(0 * * * ? *)"
    enable_continuous_backup = true

    lifecycle {
      delete_after = var.continuous_retention_days
    }
  }
}

resource "aws_backup_selection" "this" {
  name         = "${var.name}-data"
  plan_id      = aws_backup_plan.this.id
  iam_role_arn = var.iam_role_arn
  resources    = var.resource_arns
}

# ---- Restore testing ----
# Backups nobody has restored are a hope, not a plan: AWS Backup restores the latest recovery
# point of each selected resource on a schedule, validates it, then deletes the restored copy.
# Restore testing names allow only letters, digits and underscores.
resource "aws_backup_restore_testing_plan" "this" {
  name                = replace("${var.name}_restore_test", "-", "_")
  schedule_expression = var.restore_testing_schedule
  start_window_hours  = 24
  tags                = var.tags

  recovery_point_selection {
    algorithm             = "LATEST_WITHIN_WINDOW"
    include_vaults        = [aws_backup_vault.primary.arn]
    recovery_point_types  = ["SNAPSHOT"]
    selection_window_days = 7
  }
}

resource "aws_backup_restore_testing_selection" "this" {
  for_each = var.restore_testing_resources

  name                      = replace("${var.name}_${each.key}", "-", "_")
  restore_testing_plan_name = aws_backup_restore_testing_plan.this.name
  protected_resource_type   = each.value.type
  protected_resource_arns   = [each.value.arn]
  iam_role_arn              = var.iam_role_arn
  # Hours AWS Backup keeps the restored copy for validation before deleting it.
  validation_window_hours = 1
}
