# terraform test (offline, mock provider): the sessions table survives the loss of a region.
mock_provider "aws" {}

variables {
  name                  = "dr-test"
  primary_kms_key_arn   = "arn:aws:kms:us-east-1:111122223333:key/primary-dynamodb"
  secondary_region      = "us-west-2"
  secondary_kms_key_arn = "arn:aws:kms:us-west-2:111122223333:key/secondary-dynamodb"
}

run "global_table" {
  command = plan

  assert {
    condition     = length(aws_dynamodb_table.this.replica) == 1 && one(aws_dynamodb_table.this.replica).region_name == var.secondary_region
    error_message = "The table must have exactly one replica, in the secondary region (sessions survive the primary's loss)."
  }

  assert {
    condition     = one(aws_dynamodb_table.this.replica).kms_key_arn == var.secondary_kms_key_arn
    error_message = "The replica must be encrypted with the secondary region's own key (not depend on the primary's)."
  }

  assert {
    condition     = aws_dynamodb_table.this.stream_enabled && aws_dynamodb_table.this.stream_view_type == "NEW_AND_OLD_IMAGES"
    error_message = "Global tables (2019.11.21) replicate through a NEW_AND_OLD_IMAGES stream."
  }

  assert {
    condition     = aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST"
    error_message = "On-demand capacity: the replica must absorb the primary's traffic after a failover without a capacity change."
  }
}

run "recoverable_and_encrypted" {
  command = plan

  assert {
    condition     = one(aws_dynamodb_table.this.point_in_time_recovery).enabled && one(aws_dynamodb_table.this.replica).point_in_time_recovery
    error_message = "Point-in-time recovery must be on in both regions (after a failover the replica is the table)."
  }

  assert {
    condition     = one(aws_dynamodb_table.this.server_side_encryption).enabled && one(aws_dynamodb_table.this.server_side_encryption).kms_key_arn == var.primary_kms_key_arn
    error_message = "The table must be encrypted with the primary region's customer-managed key."
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "Deletion protection must be on by default."
  }

  assert {
    condition     = one(aws_dynamodb_table.this.ttl).enabled && one(aws_dynamodb_table.this.ttl).attribute_name == "expires_at"
    error_message = "Sessions must expire by their expires_at attribute (what dr-app writes)."
  }
}

run "deletion_protection_can_be_turned_off" {
  command = plan

  variables {
    deletion_protection = false
  }

  assert {
    condition     = !aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "deletion_protection = false must reach the table (a lab stack is torn down)."
  }
}
