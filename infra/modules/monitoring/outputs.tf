# ---- Notifications ----
output "sns_topic_arn" {
  description = "Alert topic of the primary region."
  value       = aws_sns_topic.primary.arn
}

output "secondary_sns_topic_arn" {
  description = "Alert topic of the secondary region."
  value       = aws_sns_topic.secondary.arn
}

# ---- Alarms ----
output "alarm_arns" {
  description = "Every alarm's ARN by name."
  value = {
    primary_unhealthy_hosts      = aws_cloudwatch_metric_alarm.primary_unhealthy_hosts.arn
    primary_elb_5xx              = aws_cloudwatch_metric_alarm.primary_elb_5xx.arn
    primary_db_connections       = aws_cloudwatch_metric_alarm.primary_db_connections.arn
    dynamodb_replication_latency = aws_cloudwatch_metric_alarm.dynamodb_replication_latency.arn
    primary_region_failure       = aws_cloudwatch_composite_alarm.primary_region_failure.arn
    aurora_replication_lag       = aws_cloudwatch_metric_alarm.aurora_replication_lag.arn
    aurora_rpo_lag               = aws_cloudwatch_metric_alarm.aurora_rpo_lag.arn
    controller_errors            = aws_cloudwatch_metric_alarm.controller_errors.arn
    controller_silent            = aws_cloudwatch_metric_alarm.controller_silent.arn
  }
}
