# moto gap: see main_override.tf (no replica on moto); same ARN shape as the real replica's.
output "replica_arn" {
  value = replace(aws_dynamodb_table.this.arn, ":${split(":", aws_dynamodb_table.this.arn)[3]}:", ":${var.secondary_region}:")
}
