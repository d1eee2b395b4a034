# The witness runs in a THIRD region (neither the primary nor the controller's): core's decision
# fails a region over only when the witness, too, sees the primary down, so that a controller cut
# off from the primary does not take its own isolation for an outage. It is the controller's zip
# with another handler ("witness": src/lambda/witness_tick.h). Each round it asks the secondary
# region's RDS who writes, probes that region's ALB, and writes its vote into the controller's
# state table (item id = "witness"). Its role can write that item and nothing else.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  function_name = "${var.name}-witness"
  account_id    = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  region        = data.aws_region.current.name
  schedule      = var.schedule_minutes == 1 ? "rate(1 minute)" : "rate(${var.schedule_minutes} minutes)"
}

# ---- Key (this region) ----
# The kms module's keys live in the primary and the secondary region; the witness's log group,
# environment and dead-letter queue are encrypted with one of their own here.
data "aws_iam_policy_document" "key" {
  statement {
    sid       = "AccountAdministersKey"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "ServicesUseKeyForThisAccount"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com", "sqs.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  # CloudWatch Logs names the log group in the encryption context instead of the account.
  statement {
    sid       = "LogsUseKeyForThisAccount"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:*"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name} witness (logs, environment, dead letters)"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = merge(var.tags, { Purpose = "witness", Region = local.region })
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.function_name}"
  target_key_id = aws_kms_key.this.key_id
}

# ---- Dead-letter queue ----
resource "aws_sqs_queue" "dlq" {
  name                      = "${local.function_name}-dlq"
  message_retention_seconds = 1209600
  kms_master_key_id         = aws_kms_key.this.arn
  tags                      = var.tags
}

# ---- Logs ----
resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = var.tags
}

# ---- IAM (least privilege: read who writes, write the vote, log) ----
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "witness" {
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
    sid       = "OwnKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
  }

  # Who writes: asked in the secondary region, whose control plane outlives the primary's.
  statement {
    sid       = "ReadWhoWrites"
    actions   = ["rds:DescribeGlobalClusters"]
    resources = [var.global_cluster_arn]
  }

  # The vote: one unconditional PutItem of the item id = "witness" in the controller's table
  # (a newer vote replaces the last; the controller ignores one older than 60 s).
  statement {
    sid       = "WriteVote"
    actions   = ["dynamodb:PutItem"]
    resources = [var.state_table_arn]

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:LeadingKeys"
      values   = ["witness"]
    }
  }

  # The state table's key, only as DynamoDB uses it on the witness's behalf.
  statement {
    sid       = "StateTableKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.state_table_kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.${var.secondary_region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name_prefix        = "${substr(var.name, 0, 26)}-wit-"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "witness"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.witness.json
}

# ---- Function ----
resource "aws_lambda_function" "this" {
  function_name                  = local.function_name
  description                    = "dr-app witness (a third region's view of the primary)"
  role                           = aws_iam_role.this.arn
  runtime                        = "provided.al2023"
  handler                        = "witness"
  architectures                  = [var.architecture]
  filename                       = var.package_path
  source_code_hash               = try(filebase64sha256(var.package_path), null)
  memory_size                    = 128
  timeout                        = var.timeout_seconds
  reserved_concurrent_executions = 1
  kms_key_arn                    = aws_kms_key.this.arn
  tags                           = var.tags

  environment {
    variables = {
      DR_PRIMARY_REGION    = var.primary_region
      DR_SECONDARY_REGION  = var.secondary_region
      DR_GLOBAL_CLUSTER_ID = var.global_cluster_id
      DR_STATE_TABLE       = var.state_table_name
      DR_PRIMARY_APP_URL   = var.app_urls[0]
      DR_SECONDARY_APP_URL = var.app_urls[1]
      # Probe this often inside one invocation (as the controller's DR_CONTROLLER_TICK_SECONDS).
      DR_WITNESS_TICK_SECONDS = tostring(var.tick_seconds)
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

  lifecycle {
    # A witness in a region it judges shares that region's fate.
    precondition {
      condition     = !contains([var.primary_region, var.secondary_region], local.region)
      error_message = "The witness must run in a third region: pass a provider for neither the primary nor the secondary region."
    }
  }
}

# ---- Schedule ----
resource "aws_cloudwatch_event_rule" "tick" {
  name                = "${local.function_name}-tick"
  description         = "Ticks the witness"
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
