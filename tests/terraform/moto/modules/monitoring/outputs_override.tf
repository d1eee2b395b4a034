# moto gap: see main_override.tf (no composite alarm on moto).
output "alarm_arns" {
  value = {
    primary_unhealthy_hosts      = aws_cloudwatch_metric_alarm.primary_unhealthy_hosts.arn
    primary_elb_5xx              = aws_cloudwatch_metric_alarm.primary_elb_5xx.arn
    primary_db_connections       = aws_cloudwatch_metric_alarm.primary_db_connections.arn
    dynamodb_replication_latency = aws_cloudwatch_metric_alarm.dynamodb_replication_latency.arn
    primary_region_failure       = null # moto: not created
    aurora_replication_lag       = aws_cloudwatch_metric_alarm.aurora_replication_lag.arn
    aurora_rpo_lag               = aws_cloudwatch_metric_alarm.aurora_rpo_lag.arn
    controller_errors            = aws_cloudwatch_metric_alarm.controller_errors.arn
    controller_silent            = aws_cloudwatch_metric_alarm.controller_silent.arn
  }
}
