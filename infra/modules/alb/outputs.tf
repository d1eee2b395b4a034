# ---- Access logs ----
output "access_log_bucket" {
  description = "Bucket holding the ALB access logs."
  value       = aws_s3_bucket.logs.id
}

# ---- Load balancer ----
output "alb_arn" {
  description = "ARN of the ALB (what WAF associates with)."
  value       = aws_lb.this.arn
}

output "alb_arn_suffix" {
  description = "ARN suffix of the ALB (CloudWatch dimension LoadBalancer)."
  value       = aws_lb.this.arn_suffix
}

output "alb_dns_name" {
  description = "DNS name of the ALB."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone of the ALB (for alias records)."
  value       = aws_lb.this.zone_id
}

# ---- Target group ----
output "target_group_arn" {
  description = "ARN of the target group the ASG registers with."
  value       = aws_lb_target_group.this.arn
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the target group (CloudWatch dimension TargetGroup)."
  value       = aws_lb_target_group.this.arn_suffix
}

# ---- Listeners ----
output "https_enabled" {
  description = "Whether the ALB serves HTTPS (a certificate was given)."
  value       = local.https
}
