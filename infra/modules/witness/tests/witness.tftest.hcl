# terraform test (offline, mock provider): the witness runs in a third region as the witness, on
# a schedule, and its role can write the state table's witness item and nothing else.
mock_provider "aws" {
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:us-east-2:111122223333:dr-test-witness-dlq"
    }
  }

  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:us-east-2:111122223333:key/witness"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/dr-test-witness"
    }
  }

  mock_resource "aws_lambda_function" {
    defaults = {
      arn = "arn:aws:lambda:us-east-2:111122223333:function:dr-test-witness"
    }
  }

  mock_resource "aws_cloudwatch_event_rule" {
    defaults = {
      arn = "arn:aws:events:us-east-2:111122223333:rule/dr-test-witness-tick"
    }
  }

  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:us-east-2:111122223333:log-group:/aws/lambda/dr-test-witness"
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

  mock_data "aws_region" {
    defaults = {
      name = "us-east-2"
    }
  }

  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{}"
    }
  }
}

variables {
  name                    = "dr-test"
  package_path            = "controller.zip"
  primary_region          = "us-east-1"
  secondary_region        = "us-west-2"
  global_cluster_id       = "dr-test-global"
  global_cluster_arn      = "arn:aws:rds::111122223333:global-cluster:dr-test-global"
  app_urls                = ["https://primary.example.com", "https://secondary.example.com"]
  state_table_name        = "dr-test-controller-state"
  state_table_arn         = "arn:aws:dynamodb:us-west-2:111122223333:table/dr-test-controller-state"
  state_table_kms_key_arn = "arn:aws:kms:us-west-2:111122223333:key/dynamodb"
}

run "witness" {
  command = apply

  assert {
    condition     = output.region == "us-east-2" && !contains([var.primary_region, var.secondary_region], output.region)
    error_message = "The witness runs in a third region, neither the primary nor the controller's."
  }

  assert {
    condition     = aws_lambda_function.this.handler == "witness" && aws_lambda_function.this.runtime == "provided.al2023" && aws_lambda_function.this.filename == "controller.zip"
    error_message = "The witness is the controller's zip with handler \"witness\" (src/lambda/config.h, kWitnessHandler)."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 1 && aws_cloudwatch_event_rule.tick.schedule_expression == "rate(1 minute)" && aws_cloudwatch_event_target.tick.arn == aws_lambda_function.this.arn
    error_message = "One witness at a time, started every minute by EventBridge."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["DR_STATE_TABLE"] == "dr-test-controller-state" && one(aws_lambda_function.this.environment).variables["DR_SECONDARY_REGION"] == "us-west-2" && one(aws_lambda_function.this.environment).variables["DR_PRIMARY_APP_URL"] == "https://primary.example.com" && one(aws_lambda_function.this.environment).variables["DR_WITNESS_TICK_SECONDS"] == "10"
    error_message = "The witness votes in the controller's state table, in the secondary region, about the ALBs it is given."
  }

  # Least privilege: exactly these actions; the only data it may write is the witness item of
  # the state table; the only RDS call a read of the global cluster.
  assert {
    condition = toset(flatten([for s in data.aws_iam_policy_document.witness.statement : s.actions])) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords",
      "sqs:SendMessage", "kms:Decrypt", "kms:GenerateDataKey", "rds:DescribeGlobalClusters", "dynamodb:PutItem",
    ])
    error_message = "The witness's role has an action beyond logs, tracing, its DLQ, its keys, DescribeGlobalClusters and PutItem."
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.witness.statement :
      toset(s.resources) == toset([var.state_table_arn]) && one(s.condition).variable == "dynamodb:LeadingKeys" && toset(one(s.condition).values) == toset(["witness"])
    if anytrue([for a in s.actions : startswith(a, "dynamodb:")])])
    error_message = "The witness may write the state table's item id = \"witness\" and no other table or item."
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.witness.statement :
      toset(s.resources) == toset([var.global_cluster_arn])
    if contains(s.actions, "rds:DescribeGlobalClusters")])
    error_message = "The witness may describe its global cluster, nothing else in RDS."
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.witness.statement :
      one(s.condition).variable == "kms:ViaService" && toset(one(s.condition).values) == toset(["dynamodb.us-west-2.amazonaws.com"])
    if contains(s.resources, var.state_table_kms_key_arn)])
    error_message = "The state table's key is usable only through DynamoDB."
  }
}

run "not_in_a_region_it_judges" {
  command = plan

  variables {
    primary_region = "us-east-2"
  }

  expect_failures = [aws_lambda_function.this]
}
