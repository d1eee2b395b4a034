# The write lease (src/lease/dynamodb_store.h, docs/partitions.md "The write lease"): one item in
# a DynamoDB global table with multi-Region strong consistency, replicas in the two app regions
# and a witness in a third, so that a region cut off from the other two can neither renew nor
# read the lease. One tiny item: on-demand; no stream (nothing consumes it). Encrypted with
# DynamoDB's own key: a customer key would need one per replica region and grants for both
# fleets, for an item that holds a region name and two numbers.
resource "aws_dynamodb_table" "lease" {
  name                        = var.table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  deletion_protection_enabled = true

  attribute {
    name = "id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  replica {
    region_name            = var.replica_region
    consistency_mode       = "STRONG"
    point_in_time_recovery = true
  }

  global_table_witness {
    region_name = var.witness_region
  }
}
