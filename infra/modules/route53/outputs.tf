# ---- Health checks ----
output "health_checks" {
  description = "Route 53 health check IDs by role."
  value = {
    primary_alb   = aws_route53_health_check.primary_alb.id
    secondary_alb = aws_route53_health_check.secondary_alb.id
    not_forced    = aws_route53_health_check.not_forced.id
    primary       = aws_route53_health_check.primary.id
  }
}

# ---- Forced failover ----
output "force_failover" {
  description = "How the controller forces traffic to the secondary: publish 1 (0 releases) to this metric in this region."
  value = {
    region      = var.secondary_region
    namespace   = var.force_failover.namespace
    metric_name = var.force_failover.metric_name
    alarm_name  = aws_cloudwatch_metric_alarm.force_failover.alarm_name
  }
}

# ---- Records ----
output "fqdn" {
  description = "The name users resolve."
  value       = aws_route53_record.primary.fqdn
}
