# IAM is global: one set of roles serves both regions, naming both regions' resources.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id       = data.aws_caller_identity.current.account_id
  partition        = data.aws_partition.current.partition
  artifact_object  = trimprefix(var.app_artifact_s3_uri, "s3://")
  db_secret_arns   = [for r in [var.primary_region, var.secondary_region] : "arn:${local.partition}:secretsmanager:${r}:${local.account_id}:secret:${var.db_secret_name}-??????"]
  table_index_arns = [for t in var.dynamodb_table_arns : "${t}/index/*"]
}

# ---- dr-app instances ----
data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "app" {
  statement {
    sid = "Sessions"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
      "dynamodb:ConditionCheckItem",
    ]
    resources = concat(var.dynamodb_table_arns, local.table_index_arns)
  }

  # The write lease (infra/global): the holder renews one item with conditional writes.
  dynamic "statement" {
    for_each = var.lease_table_name == "" ? [] : [var.lease_table_name]
    content {
      sid       = "WriteLease"
      actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
      resources = ["arn:${local.partition}:dynamodb:*:${local.account_id}:table/${statement.value}"]
    }
  }

  statement {
    sid       = "DatabaseCredentials"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.db_secret_arns
  }

  statement {
    sid       = "DecryptCredentialsAndSessions"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = var.kms_key_arns
  }

  statement {
    sid       = "DownloadRelease"
    actions   = ["s3:GetObject"]
    resources = ["arn:${local.partition}:s3:::${local.artifact_object}"]
  }

  # PutMetricData supports no resource-level permission; the namespace condition limits it.
  statement {
    sid       = "PublishMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = [var.metrics_namespace]
    }
  }
}

resource "aws_iam_role" "app" {
  name_prefix        = "${substr(var.name, 0, 28)}-app-"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "app" {
  name   = "dr-app"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app.json
}

# Session Manager instead of SSH: no inbound port, every session audited.
resource "aws_iam_role_policy_attachment" "app_ssm" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

# The X-Ray daemon on the instances uploads dr-app's segments with the instance role.
resource "aws_iam_role_policy_attachment" "app_xray" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_iam_instance_profile" "app" {
  name_prefix = "${substr(var.name, 0, 28)}-app-"
  role        = aws_iam_role.app.name
  tags        = var.tags
}

# ---- RDS Enhanced Monitoring ----
data "aws_iam_policy_document" "rds_monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "rds_monitoring" {
  name_prefix        = "${substr(var.name, 0, 24)}-rds-mon-"
  assume_role_policy = data.aws_iam_policy_document.rds_monitoring_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

# ---- AWS Backup ----
data "aws_iam_policy_document" "backup_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "backup" {
  name_prefix        = "${substr(var.name, 0, 26)}-backup-"
  assume_role_policy = data.aws_iam_policy_document.backup_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "backup" {
  for_each = toset([
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
  ])

  role       = aws_iam_role.backup.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.value}"
}
