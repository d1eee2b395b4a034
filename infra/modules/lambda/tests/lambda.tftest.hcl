# terraform test (offline, mock provider): the failover controller's schedule and safety nets.
mock_provider "aws" {
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:us-west-2:111122223333:dr-test-dlq"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/dr-test-controller"
    }
  }

  mock_resource "aws_lambda_function" {
    defaults = {
      arn = "arn:aws:lambda:us-west-2:111122223333:function:dr-test-failover-controller"
    }
  }

  mock_resource "aws_cloudwatch_event_rule" {
    defaults = {
      arn = "arn:aws:events:us-west-2:111122223333:rule/dr-test-tick"
    }
  }

  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:us-west-2:111122223333:log-group:/aws/lambda/dr-test"
    }
  }

  mock_resource "aws_dynamodb_table" {
    defaults = {
      arn = "arn:aws:dynamodb:us-west-2:111122223333:table/dr-test-state"
    }
  }

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
}

variables {
  name                 = "dr-test"
  package_path         = "controller.zip"
  kms_key_arn          = "arn:aws:kms:us-west-2:111122223333:key/lambda"
  logs_kms_key_arn     = "arn:aws:kms:us-west-2:111122223333:key/logs"
  dynamodb_kms_key_arn = "arn:aws:kms:us-west-2:111122223333:key/dynamodb"
  primary_region       = "us-east-1"
  secondary_region     = "us-west-2"
  global_cluster_id    = "dr-test-global"
  global_cluster_arn   = "arn:aws:rds::111122223333:global-cluster:dr-test-global"
  cluster_arns         = ["arn:aws:rds:us-east-1:111122223333:cluster:p", "arn:aws:rds:us-west-2:111122223333:cluster:s"]
  primary_asg_name     = "dr-test-primary"
  secondary_asg_name   = "dr-test-secondary"
  failover_capacity    = 3
  sns_topic_arns       = ["arn:aws:sns:us-east-1:111122223333:a", "arn:aws:sns:us-west-2:111122223333:b"]
  db_secret_name       = "dr-test/aurora/master"
  secrets_kms_key_arns = ["arn:aws:kms:us-east-1:111122223333:key/s1", "arn:aws:kms:us-west-2:111122223333:key/s2"]
  primary_health_url   = "https://primary.example.com/health/deep"
  app_urls             = ["https://primary.example.com", "https://secondary.example.com"]
  target_group_arns = [
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/p/0123456789abcdef",
    "arn:aws:elasticloadbalancing:us-west-2:111122223333:targetgroup/s/0123456789abcdef",
  ]
  app_table_name         = "dr-test-sessions"
  app_table_arns         = ["arn:aws:dynamodb:us-east-1:111122223333:table/dr-test-sessions", "arn:aws:dynamodb:us-west-2:111122223333:table/dr-test-sessions"]
  app_table_kms_key_arns = ["arn:aws:kms:us-east-1:111122223333:key/d1", "arn:aws:kms:us-west-2:111122223333:key/d2"]
  force_failover = {
    namespace   = "DrApp/Failover"
    metric_name = "ForcePrimaryUnhealthy"
  }
}

run "controller" {
  command = apply

  assert {
    condition     = aws_cloudwatch_event_rule.tick.schedule_expression == "rate(1 minute)" && aws_cloudwatch_event_target.tick.arn == aws_lambda_function.this.arn
    error_message = "The controller must tick every minute (the DR budget's decide term)."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 1
    error_message = "Two ticks must never run a runbook at once."
  }

  assert {
    condition     = one(aws_lambda_function.this.dead_letter_config).target_arn == aws_sqs_queue.dlq.arn && one(aws_lambda_function.this.tracing_config).mode == "Active"
    error_message = "Failed invocations go to the DLQ; tracing is on."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["DR_SECONDARY_REGION"] == "us-west-2" && one(aws_lambda_function.this.environment).variables["DR_FAILOVER_CAPACITY"] == "3"
    error_message = "The controller must know where to fail over to and how far to scale."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["DR_SECONDARY_CLUSTER_ARN"] == "arn:aws:rds:us-west-2:111122223333:cluster:s" && one(aws_lambda_function.this.environment).variables["DR_SECONDARY_APP_URL"] == "https://secondary.example.com" && one(aws_lambda_function.this.environment).variables["DR_APP_TABLE"] == "dr-test-sessions" && one(aws_lambda_function.this.environment).variables["DR_SWITCHOVER_LAG_GATE_MS"] == "2000"
    error_message = "The AWS backends read each region's cluster, ALB and the fence table from the environment (src/backends/aws/aws_targets.h)."
  }

  assert {
    condition     = alltrue([for k, v in one(aws_lambda_function.this.environment).variables : !can(regex("(?i)password|secret_value", k))])
    error_message = "No secret in the controller's environment (it reads the secret by name)."
  }
}

run "schedule_in_minutes" {
  command = plan

  variables {
    schedule_minutes = 5
  }

  assert {
    condition     = aws_cloudwatch_event_rule.tick.schedule_expression == "rate(5 minutes)"
    error_message = "EventBridge needs the plural unit for periods above one minute."
  }
}

run "without_a_write_lease" {
  command = plan

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["DR_LEASE_TABLE"] == "" && !contains([for s in data.aws_iam_policy_document.controller.statement : coalesce(s.sid, "")], "WriteLease")
    error_message = "No lease table: DR_LEASE_TABLE empty (the runbook skips the step) and no permission on one."
  }
}

run "with_a_write_lease" {
  command = plan

  variables {
    lease_table_name = "dr-test-lease"
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["DR_LEASE_TABLE"] == "dr-test-lease"
    error_message = "The controller takes the write lease in the table infra/global made (DR_LEASE_TABLE)."
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.controller.statement :
      s.sid == "WriteLease" && toset(s.actions) == toset(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]) &&
    toset(s.resources) == toset(["arn:aws:dynamodb:*:111122223333:table/dr-test-lease"])])
    error_message = "The controller may read and conditionally write the lease item, in any replica region, and nothing else there."
  }
}
