# moto gap: UpdateTable's ReplicaUpdates is accepted and silently ignored, so the provider waits
# forever for the replica to become ACTIVE. On moto the table has no replica; the replica's ARN
# (used by the IAM policies) is derived as the real one would be.
resource "aws_dynamodb_table" "this" {
  dynamic "replica" {
    for_each = []
    content {
      region_name = replica.value
    }
  }
}
