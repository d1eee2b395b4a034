# terraform test (offline, mock provider): AWS Config records and checks what the DR design
# relies on.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "111122223333"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{}"
    }
  }

  mock_resource "aws_s3_bucket" {
    defaults = {
      arn = "arn:aws:s3:::dr-test-config-1"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/dr-test-config"
    }
  }
}

variables {
  name = "dr-test-primary"
}

run "primary_region" {
  command = apply

  variables {
    record_global_resources = true
  }

  assert {
    condition     = aws_config_configuration_recorder_status.this.is_enabled && aws_config_configuration_recorder_status.this.name == aws_config_configuration_recorder.this.name
    error_message = "The recorder must be turned on."
  }

  assert {
    condition     = one(aws_config_configuration_recorder.this.recording_group).all_supported && one(aws_config_configuration_recorder.this.recording_group).include_global_resource_types
    error_message = "The primary records every supported resource, global ones included."
  }

  assert {
    condition     = aws_config_delivery_channel.this.s3_bucket_name == aws_s3_bucket.this.id
    error_message = "The delivery channel must write to this region's bucket."
  }

  assert {
    condition = length(setsubtract([
      "ENCRYPTED_VOLUMES", "RDS_STORAGE_ENCRYPTED", "DB_INSTANCE_BACKUP_ENABLED", "RDS_CLUSTER_MULTI_AZ_ENABLED",
      "DYNAMODB_PITR_ENABLED", "INCOMING_SSH_DISABLED", "ALB_WAF_ENABLED", "EC2_IMDSV2_CHECK",
    ], [for r in aws_config_config_rule.this : one(r.source).source_identifier])) == 0
    error_message = "The managed rules for encryption, backups, Multi-AZ, no SSH, WAF and IMDSv2 must be there."
  }
}

run "secondary_region" {
  command = plan

  variables {
    name              = "dr-test-secondary"
    multi_az_expected = false
  }

  assert {
    condition     = !one(aws_config_configuration_recorder.this.recording_group).include_global_resource_types
    error_message = "Only one region records global resources."
  }

  assert {
    condition     = !contains(keys(aws_config_config_rule.this), "RDS_CLUSTER_MULTI_AZ_ENABLED") && contains(keys(aws_config_config_rule.this), "RDS_STORAGE_ENCRYPTED")
    error_message = "The single-instance secondary is not held to Multi-AZ; the other rules still apply."
  }
}
