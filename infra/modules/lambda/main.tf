# The failover controller runs in the SECONDARY region: a controller in the failing region
# could not fail it over. It ticks on an EventBridge schedule; reserved concurrency 1 keeps two
# ticks from running a runbook at once.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  function_name = "${var.name}-failover-controller"
  account_id    = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  asg_arns = [
    for pair in [[var.primary_region, var.primary_asg_name], [var.secondary_region, var.secondary_asg_name]] :
    "arn:${local.partition}:autoscaling:${pair[0]}:${local.account_id}:autoScalingGroup:*:autoScalingGroupName/${pair[1]}"
  ]
  secret_arns = [
    for r in [var.primary_region, var.secondary_region] :
    "arn:${local.partition}:secretsmanager:${r}:${local.account_id}:secret:${var.db_secret_name}-??????"
  ]
  schedule = var.schedule_minutes == 1 ? "rate(1 minute)" : "rate(${var.schedule_minutes} minutes)"
}

# ---- State store ----
resource "aws_dynamodb_table" "state" {
  # checkov:skip=DR_DYNAMODB_GLOBAL:the runbook's progress lives next to the controller in the secondary region; a replica in the region being failed over from would add nothing
  name                        = "${var.name}-controller-state"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  deletion_protection_enabled = var.deletion_protection
  tags                        = var.tags

  attribute {
    name = "id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.dynamodb_kms_key_arn
  }
}

# ---- Dead-letter queue ----
resource "aws_sqs_queue" "dlq" {
  name                      = "${local.function_name}-dlq"
  message_retention_seconds = 1209600
  kms_master_key_id         = var.kms_key_arn
  tags                      = var.tags
}

# ---- Logs ----
resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn
  tags              = var.tags
}

# ---- IAM (least privilege) ----
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "controller" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq.arn]
  }

  statement {
    sid       = "RunbookState"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"]
    resources = [aws_dynamodb_table.state.arn]
  }

  statement {
    sid       = "OwnKeys"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = concat([var.kms_key_arn, var.dynamodb_kms_key_arn], var.secrets_kms_key_arns, var.app_table_kms_key_arns)
  }

  statement {
    sid = "PromoteDatabase"
    actions = [
      "rds:DescribeGlobalClusters",
      "rds:FailoverGlobalCluster",
      "rds:SwitchoverGlobalCluster",
      "rds:DescribeDBClusters",
    ]
    resources = concat([var.global_cluster_arn], var.cluster_arns)
  }

  statement {
    sid       = "ScaleFleets"
    actions   = ["autoscaling:SetDesiredCapacity", "autoscaling:UpdateAutoScalingGroup"]
    resources = local.asg_arns
  }

  statement {
    sid       = "ReadFleets"
    actions   = ["autoscaling:DescribeAutoScalingGroups", "elasticloadbalancing:DescribeTargetHealth"]
    resources = ["*"]
  }

  # Forcing Route 53 to the secondary is a PutMetricData in this region (see the route53
  # module); the namespace condition keeps the role to that one namespace.
  statement {
    sid       = "ForceFailover"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = [var.force_failover.namespace]
    }
  }

  # The fence record dr-app honours, in the app's global table (src/aws/fence_record.h).
  statement {
    sid       = "FenceRecords"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem"]
    resources = var.app_table_arns
  }

  # The write lease (infra/global, src/backends/aws/aws_write_lease.h): one item, conditional
  # writes, in the replica of any region.
  dynamic "statement" {
    for_each = var.lease_table_name == "" ? [] : [var.lease_table_name]
    content {
      sid       = "WriteLease"
      actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
      resources = ["arn:${local.partition}:dynamodb:*:${local.account_id}:table/${statement.value}"]
    }
  }

  # The switchover's lag gate: Aurora's AuroraGlobalDBReplicationLag / AuroraGlobalDBRPOLag.
  # GetMetricStatistics has no resource-level permissions.
  statement {
    sid       = "ReadReplicationLag"
    actions   = ["cloudwatch:GetMetricStatistics"]
    resources = ["*"]
  }

  statement {
    sid       = "Notify"
    actions   = ["sns:Publish"]
    resources = var.sns_topic_arns
  }

  statement {
    sid       = "VerifyWithRealWrite"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.secret_arns
  }
}

resource "aws_iam_role" "this" {
  name_prefix        = "${substr(var.name, 0, 26)}-ctrl-"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "failover-controller"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.controller.json
}

# ---- Function ----
resource "aws_lambda_function" "this" {
  function_name                  = local.function_name
  description                    = "dr-app failover controller (runs in the secondary region)"
  role                           = aws_iam_role.this.arn
  runtime                        = "provided.al2023"
  handler                        = "bootstrap"
  architectures                  = [var.architecture]
  filename                       = var.package_path
  source_code_hash               = try(filebase64sha256(var.package_path), null)
  memory_size                    = 256
  timeout                        = var.timeout_seconds
  reserved_concurrent_executions = 1
  kms_key_arn                    = var.kms_key_arn
  tags                           = var.tags

  environment {
    variables = {
      DR_PRIMARY_REGION     = var.primary_region
      DR_SECONDARY_REGION   = var.secondary_region
      DR_GLOBAL_CLUSTER_ID  = var.global_cluster_id
      DR_PRIMARY_ASG        = var.primary_asg_name
      DR_SECONDARY_ASG      = var.secondary_asg_name
      DR_FAILOVER_CAPACITY  = tostring(var.failover_capacity)
      DR_STATE_TABLE        = aws_dynamodb_table.state.name
      DR_SNS_TOPIC_ARNS     = join(",", var.sns_topic_arns)
      DR_DB_SECRET_NAME     = var.db_secret_name
      DR_PRIMARY_HEALTH_URL = var.primary_health_url
      DR_FORCE_NAMESPACE    = var.force_failover.namespace
      DR_FORCE_METRIC       = var.force_failover.metric_name
      # What the AWS backends act on (src/backends/aws/aws_targets.h).
      DR_PRIMARY_CLUSTER_ARN        = var.cluster_arns[0]
      DR_SECONDARY_CLUSTER_ARN      = var.cluster_arns[1]
      DR_PRIMARY_APP_URL            = var.app_urls[0]
      DR_SECONDARY_APP_URL          = var.app_urls[1]
      DR_PRIMARY_TARGET_GROUP_ARN   = var.target_group_arns[0]
      DR_SECONDARY_TARGET_GROUP_ARN = var.target_group_arns[1]
      DR_APP_TABLE                  = var.app_table_name
      DR_SWITCHOVER_LAG_GATE_MS     = tostring(var.switchover_lag_gate_ms)
      DR_LEASE_TABLE                = var.lease_table_name
      # Probe and decide this often inside one invocation (the DR budget's "decide" term).
      DR_CONTROLLER_TICK_SECONDS = tostring(var.tick_seconds)
      # How often a running promotion, fleet change or lease wait is re-read.
      DR_AWS_POLL_MS = tostring(var.aws_poll_ms)
    }
  }

  dead_letter_config {
    target_arn = aws_sqs_queue.dlq.arn
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  depends_on = [aws_iam_role_policy.this]
}

# ---- Schedule ----
resource "aws_cloudwatch_event_rule" "tick" {
  name                = "${local.function_name}-tick"
  description         = "Ticks the failover controller"
  schedule_expression = local.schedule
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "tick" {
  rule = aws_cloudwatch_event_rule.tick.name
  arn  = aws_lambda_function.this.arn

  retry_policy {
    maximum_retry_attempts       = 0
    maximum_event_age_in_seconds = 60
  }
}

resource "aws_lambda_permission" "tick" {
  statement_id  = "AllowEventBridgeTick"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.tick.arn
}
