# terraform test (offline, mock providers): backups are copied to the other region's vault.
mock_provider "aws" {
  mock_resource "aws_backup_vault" {
    defaults = {
      arn = "arn:aws:backup:us-east-1:111122223333:backup-vault:primary"
    }
  }
}

mock_provider "aws" {
  alias = "secondary"

  mock_resource "aws_backup_vault" {
    defaults = {
      arn = "arn:aws:backup:us-west-2:111122223333:backup-vault:secondary"
    }
  }
}

variables {
  name                  = "dr-test"
  primary_kms_key_arn   = "arn:aws:kms:us-east-1:111122223333:key/primary"
  secondary_kms_key_arn = "arn:aws:kms:us-west-2:111122223333:key/secondary"
  iam_role_arn          = "arn:aws:iam::111122223333:role/backup"
  resource_arns         = ["arn:aws:rds:us-east-1:111122223333:cluster:dr-test-primary", "arn:aws:dynamodb:us-east-1:111122223333:table/dr-test"]
}

run "copies_to_the_other_region" {
  command = apply

  assert {
    condition     = strcontains(aws_backup_vault.secondary.arn, ":us-west-2:") && aws_backup_vault.secondary.kms_key_arn == var.secondary_kms_key_arn
    error_message = "The copy vault must be in the secondary region, under that region's key."
  }

  assert {
    condition = anytrue([
      for r in aws_backup_plan.this.rule : r.target_vault_name == aws_backup_vault.primary.name && anytrue([for c in r.copy_action : c.destination_vault_arn == aws_backup_vault.secondary.arn])
    ])
    error_message = "A rule backing up to the primary vault must copy to the secondary vault."
  }

  assert {
    condition     = anytrue([for r in aws_backup_plan.this.rule : r.enable_continuous_backup])
    error_message = "Continuous backup (point-in-time restore) must be on."
  }

  assert {
    condition     = toset(aws_backup_selection.this.resources) == toset(var.resource_arns) && aws_backup_selection.this.plan_id == aws_backup_plan.this.id
    error_message = "The database and the table must be selected for the plan."
  }
}

run "restores_are_tested" {
  command = apply

  variables {
    restore_testing_resources = {
      aurora   = { arn = "arn:aws:rds:us-east-1:111122223333:cluster:dr-test-primary", type = "Aurora" }
      sessions = { arn = "arn:aws:dynamodb:us-east-1:111122223333:table/dr-test", type = "DynamoDB" }
    }
  }

  assert {
    condition     = can(regex("^[A-Za-z0-9_]+$", aws_backup_restore_testing_plan.this.name))
    error_message = "Restore testing plan names allow only letters, digits and underscores."
  }

  assert {
    condition     = one(aws_backup_restore_testing_plan.this.recovery_point_selection).include_vaults == toset([aws_backup_vault.primary.arn])
    error_message = "Restore tests must draw on the primary vault's recovery points."
  }

  assert {
    condition     = toset([for s in aws_backup_restore_testing_selection.this : s.protected_resource_type]) == toset(["Aurora", "DynamoDB"]) && alltrue([for s in aws_backup_restore_testing_selection.this : s.restore_testing_plan_name == aws_backup_restore_testing_plan.this.name && can(regex("^[A-Za-z0-9_]+$", s.name))])
    error_message = "The database and the table must both be test-restored by the plan."
  }
}
