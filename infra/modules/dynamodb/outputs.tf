# ---- Table ----
output "table_name" {
  description = "Name of the global table (the same in both regions)."
  value       = aws_dynamodb_table.this.name
}

output "table_arn" {
  description = "ARN of the table in the primary region."
  value       = aws_dynamodb_table.this.arn
}

output "stream_arn" {
  description = "ARN of the table's stream in the primary region."
  value       = aws_dynamodb_table.this.stream_arn
}

# ---- Replica ----
output "replica_arn" {
  description = "ARN of the replica in the secondary region."
  value       = one([for r in aws_dynamodb_table.this.replica : r.arn])
}
