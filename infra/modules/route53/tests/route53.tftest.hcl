# terraform test (offline, mock providers): DNS failover and the force-failover path that needs
# no Route 53 control plane. The secondary mock answers with us-west-2 ARNs, so an assertion on
# an ARN's region proves which provider (region) a resource was created with.
mock_provider "aws" {}

mock_provider "aws" {
  alias = "secondary"

  mock_resource "aws_cloudwatch_metric_alarm" {
    defaults = {
      arn = "arn:aws:cloudwatch:us-west-2:111122223333:alarm:force-failover"
    }
  }
}

variables {
  name                   = "dr-test"
  zone_id                = "Z0123456789ABC"
  record_name            = "app.example.com"
  primary_alb_dns_name   = "primary-123.us-east-1.elb.amazonaws.com"
  secondary_alb_dns_name = "secondary-456.us-west-2.elb.amazonaws.com"
  https                  = true
  secondary_region       = "us-west-2"
}

run "force_failover_is_wired" {
  command = apply

  assert {
    condition     = strcontains(aws_cloudwatch_metric_alarm.force_failover.arn, ":us-west-2:")
    error_message = "The force-failover alarm must live in the secondary region (it must work while the primary is down)."
  }

  assert {
    condition     = aws_route53_health_check.not_forced.type == "CLOUDWATCH_METRIC" && aws_route53_health_check.not_forced.cloudwatch_alarm_name == aws_cloudwatch_metric_alarm.force_failover.alarm_name && aws_route53_health_check.not_forced.cloudwatch_alarm_region == var.secondary_region
    error_message = "The \"not forced\" health check must watch the force-failover alarm in the secondary region."
  }

  assert {
    condition     = aws_route53_health_check.not_forced.insufficient_data_health_status == "Healthy"
    error_message = "Missing data must not force a failover."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.force_failover.namespace == output.force_failover.namespace && aws_cloudwatch_metric_alarm.force_failover.metric_name == output.force_failover.metric_name
    error_message = "The alarm must watch the metric the controller is told to publish."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.force_failover.treat_missing_data == "ignore" && aws_cloudwatch_metric_alarm.force_failover.period == 10
    error_message = "A silent controller must keep the alarm's last state; the period is part of the DR budget."
  }

  assert {
    condition     = aws_route53_health_check.primary.type == "CALCULATED" && toset(aws_route53_health_check.primary.child_healthchecks) == toset([aws_route53_health_check.primary_alb.id, aws_route53_health_check.not_forced.id]) && aws_route53_health_check.primary.child_health_threshold == 2
    error_message = "PRIMARY must be healthy only if its ALB is healthy AND failover is not forced."
  }

  assert {
    condition     = aws_route53_record.primary.health_check_id == aws_route53_health_check.primary.id && one(aws_route53_record.primary.failover_routing_policy).type == "PRIMARY"
    error_message = "The PRIMARY record must use the calculated health check."
  }

  assert {
    condition     = aws_route53_record.secondary.health_check_id == aws_route53_health_check.secondary_alb.id && one(aws_route53_record.secondary.failover_routing_policy).type == "SECONDARY"
    error_message = "The SECONDARY record must be checked by its own ALB probe."
  }

  assert {
    condition     = aws_route53_health_check.primary_alb.type == "HTTPS" && aws_route53_health_check.primary_alb.port == 443 && aws_route53_health_check.primary_alb.resource_path == "/health/deep"
    error_message = "With TLS the ALB probe must be HTTPS on /health/deep."
  }

  assert {
    condition     = aws_route53_health_check.primary_alb.request_interval * aws_route53_health_check.primary_alb.failure_threshold == 30 && aws_route53_record.primary.ttl == 60
    error_message = "Defaults: detection in 10 s x 3, TTL 60 s (the DR budget's terms)."
  }
}

run "plain_http_probes_port_80" {
  command = plan

  variables {
    https = false
  }

  assert {
    condition     = aws_route53_health_check.primary_alb.type == "HTTP" && aws_route53_health_check.primary_alb.port == 80
    error_message = "Without TLS the probe must be plain HTTP on 80."
  }
}
