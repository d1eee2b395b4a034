# terraform test (offline, mock providers): one rotating, single-region key per purpose in each
# region. The secondary mock answers with us-west-2 ARNs and region, so an assertion on them
# proves which provider (region) a key was created with.
mock_provider "aws" {
  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "111122223333"
    }
  }

  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:us-east-1:111122223333:key/primary"
    }
  }

  # Every key policy is rendered with the default provider; the mock's random JSON would be
  # rejected by aws_kms_key.
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{}"
    }
  }
}

mock_provider "aws" {
  alias = "secondary"

  mock_data "aws_region" {
    defaults = {
      name = "us-west-2"
    }
  }

  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:us-west-2:111122223333:key/secondary"
    }
  }
}

variables {
  name = "dr-test"
}

run "a_key_per_purpose_in_each_region" {
  command = apply

  assert {
    condition = alltrue([
      for keys in [output.primary_key_arns, output.secondary_key_arns] :
      toset(keys(keys)) == toset(["rds", "dynamodb", "secrets", "ebs", "backup", "logs", "sns", "lambda"])
    ])
    error_message = "Each region must have its own key for every purpose the stack encrypts."
  }

  assert {
    condition     = alltrue([for arn in values(output.secondary_key_arns) : strcontains(arn, ":us-west-2:")]) && alltrue([for arn in values(output.primary_key_arns) : strcontains(arn, ":us-east-1:")])
    error_message = "Secondary-region keys must be created in the secondary region (its data must not depend on the primary region)."
  }

  assert {
    condition     = alltrue([for k in values(aws_kms_key.secondary) : k.tags["Region"] == "us-west-2"]) && alltrue([for k in values(aws_kms_key.primary) : k.tags["Region"] == "us-east-1"])
    error_message = "Each key must be tagged with the region it serves."
  }

  assert {
    condition     = alltrue([for k in concat(values(aws_kms_key.primary), values(aws_kms_key.secondary)) : !k.multi_region])
    error_message = "Keys must be single-region: a multi-region replica would tie one region's data to the other's key."
  }

  assert {
    condition     = alltrue([for k, a in merge(aws_kms_alias.primary, aws_kms_alias.secondary) : a.name == "alias/dr-test-${k}"])
    error_message = "Every key must have its alias, named after its region role and purpose."
  }
}

run "logs_keys_serve_their_own_region" {
  command = plan

  assert {
    condition = alltrue([for role, region in { primary = "us-east-1", secondary = "us-west-2" } : anytrue([
      for s in data.aws_iam_policy_document.key["${role}-logs"].statement :
      anytrue([for p in s.principals : contains(p.identifiers, "logs.${region}.amazonaws.com")]) &&
      length(s.condition) == 1 && alltrue([for c in s.condition : toset(c.values) == toset(["arn:aws:logs:${region}:111122223333:*"])])
      if s.sid == "ServicesUseKeyForThisAccount"
    ])])
    error_message = "Each region's logs key must let that region's CloudWatch Logs use it, for that region's log groups."
  }
}

run "rotation_and_deletion_window" {
  command = plan

  assert {
    condition     = alltrue([for k in concat(values(aws_kms_key.primary), values(aws_kms_key.secondary)) : k.enable_key_rotation])
    error_message = "Every key must rotate yearly."
  }

  assert {
    condition     = alltrue([for k in concat(values(aws_kms_key.primary), values(aws_kms_key.secondary)) : k.deletion_window_in_days == 30])
    error_message = "The default deletion window must be the longest (30 days): data encrypted with a deleted key is lost."
  }
}

run "deletion_window_is_passed_to_every_key" {
  command = plan

  variables {
    deletion_window_in_days = 7
  }

  assert {
    condition     = alltrue([for k in concat(values(aws_kms_key.primary), values(aws_kms_key.secondary)) : k.deletion_window_in_days == 7])
    error_message = "deletion_window_in_days must reach every key."
  }
}

run "deletion_window_too_short" {
  command = plan

  variables {
    deletion_window_in_days = 6
  }

  expect_failures = [var.deletion_window_in_days]
}

run "deletion_window_too_long" {
  command = plan

  variables {
    deletion_window_in_days = 31
  }

  expect_failures = [var.deletion_window_in_days]
}
