# One customer-managed key per region and purpose, so a key can be disabled or audited for one
# use without touching the others, and a region's data never depends on another region's key.

data "aws_caller_identity" "current" {}

data "aws_region" "primary" {}

data "aws_region" "secondary" {
  provider = aws.secondary
}

locals {
  # Service principals that use each key on the account's behalf.
  purposes = {
    rds      = ["rds.amazonaws.com", "monitoring.rds.amazonaws.com"]
    dynamodb = ["dynamodb.amazonaws.com"]
    secrets  = ["secretsmanager.amazonaws.com"]
    ebs      = ["ec2.amazonaws.com", "autoscaling.amazonaws.com"]
    backup   = ["backup.amazonaws.com"]
    logs     = ["delivery.logs.amazonaws.com"]
    sns      = ["sns.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com"]
    lambda   = ["lambda.amazonaws.com", "sqs.amazonaws.com"]
  }

  regions = {
    primary   = data.aws_region.primary.name
    secondary = data.aws_region.secondary.name
  }

  keys = merge([
    for role, region in local.regions : {
      for purpose, services in local.purposes : "${role}-${purpose}" => {
        role     = role
        purpose  = purpose
        region   = region
        services = purpose == "logs" ? concat(services, ["logs.${region}.amazonaws.com"]) : services
      }
    }
  ]...)

  account_id = data.aws_caller_identity.current.account_id
}

# ---- Key policies ----
data "aws_iam_policy_document" "key" {
  for_each = local.keys

  # The account keeps control of the key, so IAM policies can grant use of it and it can never
  # become unmanageable.
  statement {
    sid       = "AccountAdministersKey"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid = "ServicesUseKeyForThisAccount"
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:DescribeKey",
      "kms:CreateGrant",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = each.value.services
    }

    # CloudWatch Logs identifies the log group in the encryption context instead of sending
    # aws:SourceAccount; every other service here sends the account.
    condition {
      test     = each.value.purpose == "logs" ? "ArnLike" : "StringEquals"
      variable = each.value.purpose == "logs" ? "kms:EncryptionContext:aws:logs:arn" : "aws:SourceAccount"
      values   = [each.value.purpose == "logs" ? "arn:aws:logs:${each.value.region}:${local.account_id}:*" : local.account_id]
    }
  }

  # Auto Scaling launches instances with encrypted volumes through its service-linked role
  # (see infra/README.md: it must exist before the first apply).
  dynamic "statement" {
    for_each = each.value.purpose == "ebs" ? [1] : []

    content {
      sid = "AutoScalingUsesKeyForVolumes"
      actions = [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:DescribeKey",
        "kms:CreateGrant",
      ]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = ["arn:aws:iam::${local.account_id}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"]
      }
    }
  }
}

# ---- Primary region ----
resource "aws_kms_key" "primary" {
  for_each = { for k, v in local.keys : k => v if v.role == "primary" }

  description             = "${var.name} ${each.value.purpose} (primary region)"
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key[each.key].json
  tags                    = merge(var.tags, { Purpose = each.value.purpose, Region = each.value.region })
}

resource "aws_kms_alias" "primary" {
  for_each = aws_kms_key.primary

  name          = "alias/${var.name}-${each.key}"
  target_key_id = each.value.key_id
}

# ---- Secondary region ----
resource "aws_kms_key" "secondary" {
  provider = aws.secondary
  for_each = { for k, v in local.keys : k => v if v.role == "secondary" }

  description             = "${var.name} ${each.value.purpose} (secondary region)"
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key[each.key].json
  tags                    = merge(var.tags, { Purpose = each.value.purpose, Region = each.value.region })
}

resource "aws_kms_alias" "secondary" {
  provider = aws.secondary
  for_each = aws_kms_key.secondary

  name          = "alias/${var.name}-${each.key}"
  target_key_id = each.value.key_id
}
