# DNS failover. Route 53's control plane (the API that edits records and health checks) lives
# in us-east-1; during an outage there we can rely only on its data plane: health checkers and
# DNS answers. So the controller never edits Route 53. To force traffic to the secondary, it
# publishes ForcePrimaryUnhealthy = 1 (CloudWatch PutMetricData in the SECONDARY region); an
# alarm on that metric turns a metric-based health check unhealthy, and the PRIMARY record's
# calculated health check (ALB probe AND "not forced") fails, so Route 53 answers SECONDARY.
# Publishing 0 releases it (failback). Missing data keeps the alarm's last state, so a
# controller that stops publishing neither forces nor releases by accident.

locals {
  port     = var.https ? 443 : 80
  type     = var.https ? "HTTPS" : "HTTP"
  force_ns = var.force_failover.namespace
}

# ---- Health checks ----
resource "aws_route53_health_check" "primary_alb" {
  fqdn              = var.primary_alb_dns_name
  port              = local.port
  type              = local.type
  resource_path     = var.health_check_path
  request_interval  = var.health_check_interval_seconds
  failure_threshold = var.health_check_failure_threshold
  measure_latency   = true
  tags              = merge(var.tags, { Name = "${var.name}-primary-alb" })
}

resource "aws_route53_health_check" "secondary_alb" {
  fqdn              = var.secondary_alb_dns_name
  port              = local.port
  type              = local.type
  resource_path     = var.health_check_path
  request_interval  = var.health_check_interval_seconds
  failure_threshold = var.health_check_failure_threshold
  measure_latency   = true
  tags              = merge(var.tags, { Name = "${var.name}-secondary-alb" })
}

# ---- Forced failover ----
resource "aws_cloudwatch_metric_alarm" "force_failover" {
  provider = aws.secondary

  alarm_name          = "${var.name}-force-failover"
  alarm_description   = "Set by the failover controller: in ALARM, Route 53 sends traffic to the secondary region"
  namespace           = local.force_ns
  metric_name         = var.force_failover.metric_name
  statistic           = "Maximum"
  period              = 10
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "ignore"
  tags                = var.tags
}

resource "aws_route53_health_check" "not_forced" {
  type                            = "CLOUDWATCH_METRIC"
  cloudwatch_alarm_name           = aws_cloudwatch_metric_alarm.force_failover.alarm_name
  cloudwatch_alarm_region         = var.secondary_region
  insufficient_data_health_status = "Healthy"
  tags                            = merge(var.tags, { Name = "${var.name}-not-forced" })
}

resource "aws_route53_health_check" "primary" {
  type                   = "CALCULATED"
  child_healthchecks     = [aws_route53_health_check.primary_alb.id, aws_route53_health_check.not_forced.id]
  child_health_threshold = 2
  tags                   = merge(var.tags, { Name = "${var.name}-primary" })
}

# ---- Records ----
resource "aws_route53_record" "primary" {
  zone_id         = var.zone_id
  name            = var.record_name
  type            = "CNAME"
  ttl             = var.ttl_seconds
  records         = [var.primary_alb_dns_name]
  set_identifier  = "primary"
  health_check_id = aws_route53_health_check.primary.id

  failover_routing_policy {
    type = "PRIMARY"
  }
}

resource "aws_route53_record" "secondary" {
  zone_id         = var.zone_id
  name            = var.record_name
  type            = "CNAME"
  ttl             = var.ttl_seconds
  records         = [var.secondary_alb_dns_name]
  set_identifier  = "secondary"
  health_check_id = aws_route53_health_check.secondary_alb.id

  failover_routing_policy {
    type = "SECONDARY"
  }
}
