# AWS Config in one region: a recorder of every supported resource, a delivery channel to a
# bucket of this region (a region's compliance history must not depend on the other region),
# and the AWS managed rules that check what the DR design relies on.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # AWS managed rule identifier => why it matters here.
  rules = merge({
    ENCRYPTED_VOLUMES                       = "EBS volumes of the app fleet are encrypted"
    RDS_STORAGE_ENCRYPTED                   = "Aurora storage is encrypted"
    RDS_CLUSTER_DELETION_PROTECTION_ENABLED = "Aurora clusters cannot be deleted by accident"
    DB_INSTANCE_BACKUP_ENABLED              = "Aurora keeps automated backups"
    DYNAMODB_PITR_ENABLED                   = "DynamoDB tables have point-in-time recovery"
    DYNAMODB_TABLE_ENCRYPTED_KMS            = "DynamoDB tables use a KMS key"
    EC2_IMDSV2_CHECK                        = "instances require IMDSv2"
    INCOMING_SSH_DISABLED                   = "no security group admits SSH (Session Manager only)"
    ALB_WAF_ENABLED                         = "every ALB is behind WAF"
    CMK_BACKING_KEY_ROTATION_ENABLED        = "customer-managed keys rotate"
    CLOUDWATCH_LOG_GROUP_ENCRYPTED          = "log groups are encrypted with KMS"
    }, var.multi_az_expected ? {
    RDS_CLUSTER_MULTI_AZ_ENABLED = "the Aurora writer's cluster spans AZs"
  } : {})
}

# ---- Delivery bucket ----
resource "aws_s3_bucket" "this" {
  bucket_prefix = "${substr(var.name, 0, 26)}-config-"
  force_destroy = false
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire"
    status = "Enabled"

    filter {}

    expiration {
      days = var.history_retention_days
    }
  }
}

# What AWS documents for a delivery channel's bucket, limited to this account.
data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "ConfigChecksAcl"
    actions   = ["s3:GetBucketAcl", "s3:ListBucket"]
    resources = [aws_s3_bucket.this.arn]

    principals {
      type        = "Service"
      identifiers = ["config.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "ConfigDelivers"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.this.arn}/AWSLogs/${local.account_id}/Config/*"]

    principals {
      type        = "Service"
      identifiers = ["config.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "s3:x-amz-acl"
      values   = ["bucket-owner-full-control"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.bucket.json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

# ---- Recorder ----
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["config.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name_prefix        = "${substr(var.name, 0, 30)}-config-"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "this" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWS_ConfigRole"
}

resource "aws_config_configuration_recorder" "this" {
  name     = "${var.name}-config"
  role_arn = aws_iam_role.this.arn

  recording_group {
    all_supported                 = true
    include_global_resource_types = var.record_global_resources
  }
}

resource "aws_config_delivery_channel" "this" {
  name           = "${var.name}-config"
  s3_bucket_name = aws_s3_bucket.this.id

  snapshot_delivery_properties {
    delivery_frequency = "TwentyFour_Hours"
  }

  depends_on = [aws_config_configuration_recorder.this, aws_s3_bucket_policy.this]
}

resource "aws_config_configuration_recorder_status" "this" {
  name       = aws_config_configuration_recorder.this.name
  is_enabled = true

  depends_on = [aws_config_delivery_channel.this]
}

# ---- Managed rules ----
resource "aws_config_config_rule" "this" {
  for_each = local.rules

  name        = "${var.name}-${lower(replace(each.key, "_", "-"))}"
  description = "dr-app: ${each.value}"
  tags        = var.tags

  source {
    owner             = "AWS"
    source_identifier = each.key
  }

  depends_on = [aws_config_configuration_recorder.this]
}
