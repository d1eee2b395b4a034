# Alarms live in the region whose metrics they watch; each region has its own encrypted topic so
# an alarm in the secondary region still notifies when the primary region is down.

# ---- Notifications ----
resource "aws_sns_topic" "primary" {
  name              = "${var.name}-dr-alerts"
  kms_master_key_id = var.primary_sns_kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic" "secondary" {
  provider = aws.secondary

  name              = "${var.name}-dr-alerts"
  kms_master_key_id = var.secondary_sns_kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "primary" {
  for_each = toset(var.alert_emails)

  topic_arn = aws_sns_topic.primary.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_sns_topic_subscription" "secondary" {
  provider = aws.secondary
  for_each = toset(var.alert_emails)

  topic_arn = aws_sns_topic.secondary.arn
  protocol  = "email"
  endpoint  = each.value
}

# ---- Primary region ----
resource "aws_cloudwatch_metric_alarm" "primary_unhealthy_hosts" {
  alarm_name          = "${var.name}-primary-unhealthy-hosts"
  alarm_description   = "Unhealthy dr-app targets behind the primary ALB for 3 minutes"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.primary.arn]
  ok_actions          = [aws_sns_topic.primary.arn]
  tags                = var.tags

  dimensions = {
    LoadBalancer = var.primary_alb_arn_suffix
    TargetGroup  = var.primary_target_group_arn_suffix
  }
}

resource "aws_cloudwatch_metric_alarm" "primary_elb_5xx" {
  alarm_name          = "${var.name}-primary-elb-5xx"
  alarm_description   = "The primary ALB itself answers 5xx (no healthy target)"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_ELB_5XX_Count"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 2
  threshold           = 50
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.primary.arn]
  tags                = var.tags

  dimensions = {
    LoadBalancer = var.primary_alb_arn_suffix
  }
}

resource "aws_cloudwatch_metric_alarm" "primary_db_connections" {
  alarm_name          = "${var.name}-primary-db-connections"
  alarm_description   = "Primary Aurora cluster near its connection limit"
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnections"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = var.db_connections_threshold
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.primary.arn]
  tags                = var.tags

  dimensions = {
    DBClusterIdentifier = var.primary_cluster_id
  }
}

resource "aws_cloudwatch_metric_alarm" "dynamodb_replication_latency" {
  alarm_name          = "${var.name}-dynamodb-replication-latency"
  alarm_description   = "Global-table replication to the secondary region is slow"
  namespace           = "AWS/DynamoDB"
  metric_name         = "ReplicationLatency"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = var.dynamodb_replication_latency_ms
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.primary.arn]
  tags                = var.tags

  dimensions = {
    TableName       = var.dynamodb_table_name
    ReceivingRegion = var.secondary_region
  }
}

# Notifies only: the controller decides on its own evidence, not on one region's alarms.
resource "aws_cloudwatch_composite_alarm" "primary_region_failure" {
  alarm_name        = "${var.name}-primary-region-failure"
  alarm_description = "The primary region is failing its users (no healthy targets or ALB 5xx)"
  alarm_rule        = "ALARM(\"${aws_cloudwatch_metric_alarm.primary_unhealthy_hosts.alarm_name}\") OR ALARM(\"${aws_cloudwatch_metric_alarm.primary_elb_5xx.alarm_name}\")"
  alarm_actions     = [aws_sns_topic.primary.arn]
  tags              = var.tags
}

# ---- Secondary region ----
resource "aws_cloudwatch_metric_alarm" "aurora_replication_lag" {
  provider = aws.secondary

  alarm_name          = "${var.name}-aurora-global-replication-lag"
  alarm_description   = "Aurora global replication to the secondary is behind (RPO at risk)"
  namespace           = "AWS/RDS"
  metric_name         = "AuroraGlobalDBReplicationLag"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  threshold           = var.replication_lag_alarm_seconds * 1000
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.secondary.arn]
  tags                = var.tags

  dimensions = {
    DBClusterIdentifier = var.secondary_cluster_id
  }
}

resource "aws_cloudwatch_metric_alarm" "aurora_rpo_lag" {
  provider = aws.secondary

  alarm_name          = "${var.name}-aurora-global-rpo-lag"
  alarm_description   = "Aurora global RPO lag exceeds the RPO target"
  namespace           = "AWS/RDS"
  metric_name         = "AuroraGlobalDBRPOLag"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = var.rpo_target_seconds * 1000
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.secondary.arn]
  tags                = var.tags

  dimensions = {
    DBClusterIdentifier = var.secondary_cluster_id
  }
}

resource "aws_cloudwatch_metric_alarm" "controller_errors" {
  provider = aws.secondary

  alarm_name          = "${var.name}-controller-errors"
  alarm_description   = "The failover controller is failing: failover may not happen"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.secondary.arn]
  tags                = var.tags

  dimensions = {
    FunctionName = var.controller_function_name
  }
}

# A controller that is no longer invoked (the schedule disabled or deleted, the function
# throttled to zero, its role broken before it runs) raises no Errors at all: the errors alarm
# above stays OK exactly when no failover can happen. No invocation means no datapoint, so
# missing data breaches here. Periods of at least 5 minutes: Lambda's metrics arrive late, and a
# one-minute period with missing data breaching would flap on a healthy controller.
resource "aws_cloudwatch_metric_alarm" "controller_silent" {
  provider = aws.secondary

  alarm_name          = "${var.name}-controller-silent"
  alarm_description   = "The failover controller has not been invoked for two periods: no automatic failover will happen"
  namespace           = "AWS/Lambda"
  metric_name         = "Invocations"
  statistic           = "Sum"
  period              = 60 * max(5, var.controller_schedule_minutes)
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.secondary.arn]
  ok_actions          = [aws_sns_topic.secondary.arn]
  tags                = var.tags

  dimensions = {
    FunctionName = var.controller_function_name
  }
}
