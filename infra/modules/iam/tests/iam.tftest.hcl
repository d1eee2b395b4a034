# terraform test (offline, mock provider): the app's instance role is how operators reach the
# instances (SSM Session Manager, no SSH) and how the X-Ray daemon uploads dr-app's segments.
mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "111122223333"
    }
  }

  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{}"
    }
  }
}

variables {
  name                = "dr-test"
  primary_region      = "us-east-1"
  secondary_region    = "us-west-2"
  db_secret_name      = "dr-test-db"
  dynamodb_table_arns = ["arn:aws:dynamodb:us-east-1:111122223333:table/dr-test-sessions"]
  kms_key_arns        = ["arn:aws:kms:us-east-1:111122223333:key/test"]
  app_artifact_s3_uri = "s3://dr-test-artifacts/dr-app-0.1.0-linux-x86_64.tar.gz"
}

run "instance_role" {
  command = apply

  assert {
    condition     = aws_iam_role_policy_attachment.app_ssm.policy_arn == "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    error_message = "The app role carries SSM's managed instance policy (Session Manager instead of SSH)."
  }

  assert {
    condition     = aws_iam_role_policy_attachment.app_ssm.role == aws_iam_role.app.name
    error_message = "The SSM policy is attached to the app's own role."
  }

  assert {
    condition     = aws_iam_role_policy_attachment.app_xray.policy_arn == "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess" && aws_iam_role_policy_attachment.app_xray.role == aws_iam_role.app.name
    error_message = "The X-Ray daemon on the instances uploads segments with the app role."
  }

  assert {
    condition     = aws_iam_instance_profile.app.role == aws_iam_role.app.name
    error_message = "The instances get the app role through their instance profile."
  }
}
