output "recorder_name" {
  description = "Name of the configuration recorder."
  value       = aws_config_configuration_recorder.this.name
}

output "bucket_name" {
  description = "Bucket receiving configuration history and snapshots."
  value       = aws_s3_bucket.this.id
}

output "rule_names" {
  description = "Managed rules evaluated in this region, by AWS identifier."
  value       = { for k, r in aws_config_config_rule.this : k => r.name }
}
