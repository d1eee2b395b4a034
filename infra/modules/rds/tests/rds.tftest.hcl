# terraform test (offline, mock provider): the Aurora global database's DR properties.
mock_provider "aws" {}

mock_provider "aws" {
  alias = "secondary"
}

variables {
  name                          = "dr-test"
  monitoring_role_arn           = "arn:aws:iam::111122223333:role/monitoring"
  primary_subnet_ids            = ["subnet-a", "subnet-b"]
  primary_security_group_id     = "sg-primary"
  primary_kms_key_arn           = "arn:aws:kms:us-east-1:111122223333:key/primary"
  secondary_subnet_ids          = ["subnet-c", "subnet-d"]
  secondary_security_group_id   = "sg-secondary"
  secondary_kms_key_arn         = "arn:aws:kms:us-west-2:111122223333:key/secondary"
  secrets_kms_key_arn           = "arn:aws:kms:us-east-1:111122223333:key/secrets"
  secrets_kms_key_arn_secondary = "arn:aws:kms:us-west-2:111122223333:key/secrets"
  secondary_region              = "us-west-2"

  # A known password, so the tests can look for it; the moto apply
  # (tests/terraform/moto_apply.sh) checks the generated one the same way.
  master_password = "Test-Only-Password-1x9q7w"
}

run "global_database" {
  command = apply

  assert {
    condition     = aws_rds_cluster.secondary.global_cluster_identifier == aws_rds_global_cluster.this.id
    error_message = "The secondary cluster must be a member of the global cluster."
  }

  assert {
    condition     = aws_rds_cluster.primary.global_cluster_identifier == aws_rds_global_cluster.this.id
    error_message = "The primary cluster must be a member of the global cluster."
  }

  assert {
    condition     = aws_rds_cluster.secondary.kms_key_id == var.secondary_kms_key_arn && aws_rds_cluster.primary.kms_key_id == var.primary_kms_key_arn
    error_message = "Each region's cluster must be encrypted with that region's key."
  }

  assert {
    condition     = length(aws_rds_cluster_instance.primary) == 2 && length(aws_rds_cluster_instance.secondary) == 1
    error_message = "Defaults: a Multi-AZ writer + reader in the primary, one instance in the secondary."
  }

  assert {
    condition     = !aws_rds_cluster.primary.skip_final_snapshot && !aws_rds_cluster.secondary.skip_final_snapshot
    error_message = "Both clusters must take a final snapshot."
  }

  assert {
    condition     = one(aws_secretsmanager_secret.master.replica).region == "us-west-2"
    error_message = "The credentials must be replicated to the secondary region."
  }
}

# The password is ephemeral and reaches AWS only through write-only arguments: it must be in
# neither the state nor the outputs (the moto apply checks the real value is absent too).
run "password_never_stored" {
  command = apply

  assert {
    condition     = aws_rds_cluster.primary.master_password == null && aws_rds_cluster.primary.master_password_wo == null
    error_message = "The master password must not be stored in state."
  }

  assert {
    condition     = aws_rds_cluster.primary.master_password_wo_version == 1
    error_message = "The write-only password must be versioned (bump master_password_version to rotate)."
  }

  assert {
    condition     = aws_secretsmanager_secret_version.master.secret_string == null && aws_secretsmanager_secret_version.master.secret_string_wo == null
    error_message = "The secret's value must not be stored in state."
  }

  assert {
    condition     = aws_secretsmanager_secret_version.master.secret_string_wo_version == aws_rds_cluster.primary.master_password_wo_version
    error_message = "Cluster and secret must rotate together."
  }

  assert {
    condition     = alltrue([for v in [output.master_secret_arn, output.master_secret_name, output.global_cluster_id, output.global_cluster_arn, output.primary_cluster_id, output.primary_cluster_arn, output.primary_endpoint, output.primary_reader_endpoint, output.secondary_cluster_id, output.secondary_cluster_arn, output.secondary_endpoint, output.secondary_reader_endpoint] : !strcontains(v, "Test-Only-Password-1x9q7w")])
    error_message = "No output may carry the password."
  }
}

run "secondary_needs_an_instance" {
  command = plan

  variables {
    secondary_instance_count = 0
  }

  expect_failures = [var.secondary_instance_count]
}

run "general_log_is_off_by_default" {
  command = plan

  assert {
    condition     = !contains(aws_rds_cluster.primary.enabled_cloudwatch_logs_exports, "general") && !contains([for p in aws_rds_cluster_parameter_group.primary.parameter : p.name], "general_log")
    error_message = "The general log must be opt-in."
  }
}

run "general_log_option" {
  command = plan

  variables {
    general_log = true
  }

  assert {
    condition     = alltrue([for c in [aws_rds_cluster.primary, aws_rds_cluster.secondary] : contains(c.enabled_cloudwatch_logs_exports, "general")])
    error_message = "Both clusters must export the general log when it is on (the secondary becomes the writer after a failover)."
  }

  assert {
    condition     = alltrue([for g in [aws_rds_cluster_parameter_group.primary, aws_rds_cluster_parameter_group.secondary] : contains([for p in g.parameter : "${p.name}=${p.value}"], "general_log=1")])
    error_message = "Both parameter groups must turn general_log on."
  }
}
