# ---- Web ACL ----
output "web_acl_arn" {
  description = "ARN of the web ACL."
  value       = aws_wafv2_web_acl.this.arn
}

output "rate_limit_per_5_minutes" {
  description = "The per-IP rate limit in force."
  value       = var.rate_limit_per_5_minutes
}

# ---- Logging ----
output "log_group_name" {
  description = "Log group receiving the WAF logs."
  value       = aws_cloudwatch_log_group.this.name
}
