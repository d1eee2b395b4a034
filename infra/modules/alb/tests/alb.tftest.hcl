# terraform test (offline, mock provider): the front door of a region: HTTPS when a certificate
# is given, a fast target health check (a term of the DR budget), kept access logs, and nothing
# that lets the load balancer be deleted or confused by malformed headers.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "111122223333"
    }
  }

  mock_data "aws_elb_service_account" {
    defaults = {
      arn = "arn:aws:iam::127311923021:root"
    }
  }

  # The bucket policy is rendered by the provider; the mock's random JSON would be rejected.
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{}"
    }
  }

  # Listeners check that the ARNs they are given are ARNs.
  mock_resource "aws_lb" {
    defaults = {
      arn = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/dr-test-primary-alb/1"
    }
  }

  mock_resource "aws_lb_target_group" {
    defaults = {
      arn = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/dr-test-primary-tg/1"
    }
  }

  mock_resource "aws_s3_bucket" {
    defaults = {
      id  = "dr-test-alb-logs-0001"
      arn = "arn:aws:s3:::dr-test-alb-logs-0001"
    }
  }
}

variables {
  name              = "dr-test-primary"
  vpc_id            = "vpc-0123456789abcdef0"
  public_subnet_ids = ["subnet-a", "subnet-b"]
  security_group_id = "sg-alb"
  certificate_arn   = "arn:aws:acm:us-east-1:111122223333:certificate/abc"
}

run "https" {
  command = plan

  assert {
    condition     = length(aws_lb_listener.https) == 1 && aws_lb_listener.https[0].protocol == "HTTPS" && aws_lb_listener.https[0].port == 443 && aws_lb_listener.https[0].certificate_arn == var.certificate_arn
    error_message = "With a certificate, the ALB must serve HTTPS on 443 with it."
  }

  assert {
    condition     = aws_lb_listener.https[0].ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    error_message = "The HTTPS listener must allow only TLS 1.3 and 1.2 by default."
  }

  assert {
    condition     = length(aws_lb_listener.http_forward) == 0 && length(aws_lb_listener.http_redirect) == 1 && one(aws_lb_listener.http_redirect[0].default_action).type == "redirect"
    error_message = "With a certificate, port 80 must only redirect: no plain-HTTP forward to the targets."
  }

  assert {
    condition     = one(one(aws_lb_listener.http_redirect[0].default_action).redirect).protocol == "HTTPS" && one(one(aws_lb_listener.http_redirect[0].default_action).redirect).port == "443" && one(one(aws_lb_listener.http_redirect[0].default_action).redirect).status_code == "HTTP_301"
    error_message = "Port 80 must redirect permanently to HTTPS on 443."
  }

  assert {
    condition     = output.https_enabled
    error_message = "https_enabled must say that the ALB serves HTTPS (the root builds the health-check URLs from it)."
  }
}

run "plain_http_without_a_certificate" {
  command = plan

  variables {
    certificate_arn = null
  }

  assert {
    condition     = length(aws_lb_listener.https) == 0 && length(aws_lb_listener.http_redirect) == 0 && length(aws_lb_listener.http_forward) == 1 && aws_lb_listener.http_forward[0].port == 80
    error_message = "Without a certificate the ALB must forward plain HTTP on port 80 (and nothing may redirect to a missing HTTPS listener)."
  }

  assert {
    condition     = !output.https_enabled
    error_message = "https_enabled must say that the ALB serves plain HTTP (the health checks must not probe https://)."
  }
}

run "load_balancer" {
  command = apply

  variables {
    # Longer than an ALB's name may be (32 characters): the provider rejects the plan unless the
    # module shortens it.
    name = "dr-app-production-v2-secondary"
  }

  assert {
    condition     = aws_lb.this.drop_invalid_header_fields
    error_message = "The ALB must drop invalid header fields (request smuggling)."
  }

  assert {
    condition     = aws_lb.this.enable_deletion_protection
    error_message = "Deletion protection must be on by default."
  }

  assert {
    condition     = !aws_lb.this.internal && aws_lb.this.load_balancer_type == "application" && toset(aws_lb.this.subnets) == toset(var.public_subnet_ids) && toset(aws_lb.this.security_groups) == toset([var.security_group_id])
    error_message = "The ALB must be internet-facing in the given public subnets with the given security group."
  }

  assert {
    condition     = one(aws_lb.this.access_logs).enabled && one(aws_lb.this.access_logs).bucket == aws_s3_bucket.logs.id && one(aws_lb.this.access_logs).prefix == "alb"
    error_message = "Access logs must be on, into the module's bucket under alb/."
  }
}

run "target_health_check" {
  command = plan

  assert {
    condition     = one(aws_lb_target_group.this.health_check).path == "/health" && one(aws_lb_target_group.this.health_check).matcher == "200"
    error_message = "Targets must be checked on dr-app's /health and count as healthy only on 200."
  }

  assert {
    condition     = one(aws_lb_target_group.this.health_check).interval == 10 && one(aws_lb_target_group.this.health_check).unhealthy_threshold == 3 && one(aws_lb_target_group.this.health_check).timeout == 5
    error_message = "A dead target must leave the ALB within 30 s (10 s x 3): the Route 53 check behind it counts on it."
  }

  assert {
    condition     = aws_lb_target_group.this.port == 8080 && aws_lb_target_group.this.protocol == "HTTP" && aws_lb_target_group.this.vpc_id == var.vpc_id
    error_message = "Targets are dr-app on its port (8080 by default) in the given VPC."
  }

  assert {
    condition     = aws_lb_target_group.this.deregistration_delay == "30"
    error_message = "Draining must be short (30 s) so a scale-in or failover does not wait on it."
  }
}

run "access_log_bucket" {
  command = apply

  assert {
    condition     = aws_s3_bucket_public_access_block.logs.block_public_acls && aws_s3_bucket_public_access_block.logs.block_public_policy && aws_s3_bucket_public_access_block.logs.ignore_public_acls && aws_s3_bucket_public_access_block.logs.restrict_public_buckets
    error_message = "The access-log bucket must block all public access."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.logs.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "ALB access logs can be written only to SSE-S3 (AES256) buckets."
  }

  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.logs.rule).expiration).days == 90
    error_message = "Access logs must expire after 90 days by default."
  }

  assert {
    condition = anytrue([
      for s in data.aws_iam_policy_document.logs.statement :
      s.effect != "Deny" && contains(s.actions, "s3:PutObject") && contains(s.resources, "arn:aws:s3:::dr-test-alb-logs-0001/alb/AWSLogs/111122223333/*") && anytrue([for p in s.principals : contains(p.identifiers, "arn:aws:iam::127311923021:root")])
    ])
    error_message = "The region's ELB account must be allowed to write access logs under alb/AWSLogs/<account>/."
  }

  assert {
    condition = anytrue([
      for s in data.aws_iam_policy_document.logs.statement :
      s.effect == "Deny" && contains(s.actions, "s3:*") && anytrue([for c in s.condition : c.variable == "aws:SecureTransport" && contains(c.values, "false")])
    ])
    error_message = "The access-log bucket must refuse requests without TLS."
  }
}
