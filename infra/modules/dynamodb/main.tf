# Sessions live in a global table (version 2019.11.21): writes in either region replicate to the
# other, typically in under a second, last writer wins.

# ---- Table ----
resource "aws_dynamodb_table" "this" {
  name                        = "${var.name}-sessions"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  stream_enabled              = true
  stream_view_type            = "NEW_AND_OLD_IMAGES"
  deletion_protection_enabled = var.deletion_protection
  tags                        = var.tags

  attribute {
    name = "id"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.primary_kms_key_arn
  }

  # ---- Replica ----
  replica {
    region_name            = var.secondary_region
    kms_key_arn            = var.secondary_kms_key_arn
    point_in_time_recovery = true
    propagate_tags         = true
  }
}
