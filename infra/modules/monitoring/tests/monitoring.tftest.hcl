# terraform test (offline, mock providers): the alarms that tell a human the DR posture is at risk
# reach a topic in their own region. The secondary mock answers with us-west-2 ARNs, so an
# assertion on an ARN's region proves which provider (region) a resource was created with.
mock_provider "aws" {
  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:us-east-1:111122223333:dr-test-dr-alerts"
    }
  }

  mock_resource "aws_cloudwatch_metric_alarm" {
    defaults = {
      arn = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:primary"
    }
  }

  mock_resource "aws_cloudwatch_composite_alarm" {
    defaults = {
      arn = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:composite"
    }
  }
}

mock_provider "aws" {
  alias = "secondary"

  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:us-west-2:111122223333:dr-test-dr-alerts"
    }
  }

  mock_resource "aws_cloudwatch_metric_alarm" {
    defaults = {
      arn = "arn:aws:cloudwatch:us-west-2:111122223333:alarm:secondary"
    }
  }
}

variables {
  name                            = "dr-test"
  primary_sns_kms_key_arn         = "arn:aws:kms:us-east-1:111122223333:key/primary-sns"
  secondary_sns_kms_key_arn       = "arn:aws:kms:us-west-2:111122223333:key/secondary-sns"
  alert_emails                    = ["oncall@example.com"]
  primary_alb_arn_suffix          = "app/dr-test-p-alb/0123456789abcdef"
  primary_target_group_arn_suffix = "targetgroup/dr-test-p-tg/0123456789abcdef"
  primary_cluster_id              = "dr-test-primary"
  dynamodb_table_name             = "dr-test-sessions"
  secondary_region                = "us-west-2"
  secondary_cluster_id            = "dr-test-secondary"
  replication_lag_alarm_seconds   = 60
  rpo_target_seconds              = 300
  controller_function_name        = "dr-test-controller"
}

run "alarms_notify_a_topic_in_their_own_region" {
  command = apply

  assert {
    condition     = strcontains(aws_sns_topic.primary.arn, ":us-east-1:") && strcontains(aws_sns_topic.secondary.arn, ":us-west-2:")
    error_message = "Each region needs its own alert topic: the secondary's alarms must notify while the primary region is down."
  }

  assert {
    condition     = aws_sns_topic.primary.kms_master_key_id == var.primary_sns_kms_key_arn && aws_sns_topic.secondary.kms_master_key_id == var.secondary_sns_kms_key_arn
    error_message = "Each topic must be encrypted with its own region's key."
  }

  assert {
    condition = alltrue([
      for a in [aws_cloudwatch_metric_alarm.primary_unhealthy_hosts, aws_cloudwatch_metric_alarm.primary_elb_5xx, aws_cloudwatch_metric_alarm.primary_db_connections, aws_cloudwatch_metric_alarm.dynamodb_replication_latency, aws_cloudwatch_composite_alarm.primary_region_failure] :
      strcontains(a.arn, ":us-east-1:") && toset(a.alarm_actions) == toset([aws_sns_topic.primary.arn])
    ])
    error_message = "The primary region's alarms must notify the primary region's topic."
  }

  assert {
    condition = alltrue([
      for a in [aws_cloudwatch_metric_alarm.aurora_replication_lag, aws_cloudwatch_metric_alarm.aurora_rpo_lag, aws_cloudwatch_metric_alarm.controller_errors, aws_cloudwatch_metric_alarm.controller_silent] :
      strcontains(a.arn, ":us-west-2:") && toset(a.alarm_actions) == toset([aws_sns_topic.secondary.arn])
    ])
    error_message = "The replication-lag, RPO and controller alarms must live in the secondary region and notify its topic (they matter most while the primary is down)."
  }

  assert {
    condition     = aws_sns_topic_subscription.primary["oncall@example.com"].topic_arn == aws_sns_topic.primary.arn && aws_sns_topic_subscription.secondary["oncall@example.com"].topic_arn == aws_sns_topic.secondary.arn
    error_message = "Every alert address must be subscribed to both regions' topics."
  }

  assert {
    condition     = length(output.alarm_arns) == 9 && alltrue([for arn in values(output.alarm_arns) : arn != null && arn != ""])
    error_message = "Every alarm must be in the alarm_arns output."
  }
}

run "replication_lag_alarms" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.aurora_replication_lag.metric_name == "AuroraGlobalDBReplicationLag" && aws_cloudwatch_metric_alarm.aurora_replication_lag.namespace == "AWS/RDS" && aws_cloudwatch_metric_alarm.aurora_replication_lag.dimensions["DBClusterIdentifier"] == var.secondary_cluster_id
    error_message = "The replication-lag alarm must watch the secondary cluster's AuroraGlobalDBReplicationLag (the secondary reports it)."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.aurora_replication_lag.threshold == 60000 && aws_cloudwatch_metric_alarm.aurora_replication_lag.comparison_operator == "GreaterThanThreshold"
    error_message = "The replication-lag alarm must fire above replication_lag_alarm_seconds (the metric is in milliseconds)."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.aurora_rpo_lag.metric_name == "AuroraGlobalDBRPOLag" && aws_cloudwatch_metric_alarm.aurora_rpo_lag.threshold == 300000 && aws_cloudwatch_metric_alarm.aurora_rpo_lag.dimensions["DBClusterIdentifier"] == var.secondary_cluster_id
    error_message = "The RPO alarm must fire above the RPO target (in milliseconds) on the secondary cluster."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.dynamodb_replication_latency.dimensions["ReceivingRegion"] == var.secondary_region && aws_cloudwatch_metric_alarm.dynamodb_replication_latency.dimensions["TableName"] == var.dynamodb_table_name && aws_cloudwatch_metric_alarm.dynamodb_replication_latency.threshold == 60000
    error_message = "The DynamoDB replication-latency alarm must watch replication into the secondary region, at 60 s by default."
  }
}

run "thresholds_follow_the_rpo_target" {
  command = plan

  variables {
    replication_lag_alarm_seconds = 30
    rpo_target_seconds            = 120
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.aurora_replication_lag.threshold == 30000 && aws_cloudwatch_metric_alarm.aurora_rpo_lag.threshold == 120000
    error_message = "The lag thresholds must follow their variables."
  }
}

run "primary_region_failure" {
  command = plan

  assert {
    condition     = aws_cloudwatch_composite_alarm.primary_region_failure.alarm_rule == "ALARM(\"dr-test-primary-unhealthy-hosts\") OR ALARM(\"dr-test-primary-elb-5xx\")"
    error_message = "The composite alarm must fire when either the targets are unhealthy or the ALB answers 5xx."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.primary_unhealthy_hosts.alarm_name == "dr-test-primary-unhealthy-hosts" && aws_cloudwatch_metric_alarm.primary_elb_5xx.alarm_name == "dr-test-primary-elb-5xx"
    error_message = "The composite alarm's rule must name the alarms this module creates."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.primary_unhealthy_hosts.treat_missing_data == "breaching"
    error_message = "A primary ALB that stops reporting must count as failing (a dead region sends no metrics)."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.primary_elb_5xx.treat_missing_data == "notBreaching"
    error_message = "No requests means no 5xx: a quiet ALB must not raise the region-failure alarm."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.primary_unhealthy_hosts.dimensions["LoadBalancer"] == var.primary_alb_arn_suffix && aws_cloudwatch_metric_alarm.primary_unhealthy_hosts.dimensions["TargetGroup"] == var.primary_target_group_arn_suffix
    error_message = "The unhealthy-hosts alarm must watch the primary ALB's target group."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.controller_errors.dimensions["FunctionName"] == var.controller_function_name
    error_message = "The controller-errors alarm must watch the failover controller."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.controller_silent.dimensions["FunctionName"] == var.controller_function_name &&
      aws_cloudwatch_metric_alarm.controller_silent.metric_name == "Invocations" &&
      aws_cloudwatch_metric_alarm.controller_silent.comparison_operator == "LessThanThreshold" &&
      aws_cloudwatch_metric_alarm.controller_silent.threshold == 1 &&
      aws_cloudwatch_metric_alarm.controller_silent.treat_missing_data == "breaching" &&
      aws_cloudwatch_metric_alarm.controller_silent.period == 300 &&
      aws_cloudwatch_metric_alarm.controller_silent.evaluation_periods == 2
    )
    error_message = "A controller that stops being invoked raises no Errors: the silent-controller alarm must count its invocations per schedule and breach on missing data."
  }
}
