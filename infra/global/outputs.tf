output "lease_table_name" {
  description = "Pass to infra/ as lease_table_name (DR_LEASE_TABLE of dr-app and the controller)."
  value       = aws_dynamodb_table.lease.name
}
