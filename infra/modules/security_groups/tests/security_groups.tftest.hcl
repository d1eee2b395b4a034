# terraform test (offline, mock provider): each tier admits only the tier in front of it, and
# nothing admits SSH (operators use SSM Session Manager).
mock_provider "aws" {}

variables {
  name   = "dr-test-primary"
  vpc_id = "vpc-0123456789abcdef0"
}

run "tiers" {
  command = apply

  assert {
    condition = alltrue([
      for r in concat(values(aws_vpc_security_group_ingress_rule.alb), [aws_vpc_security_group_ingress_rule.app_from_alb, aws_vpc_security_group_ingress_rule.db_from_app]) :
      r.ip_protocol != "-1" && !(r.from_port <= 22 && 22 <= r.to_port)
    ])
    error_message = "No ingress rule may admit SSH (port 22) or all traffic."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.app_from_alb.referenced_security_group_id == aws_security_group.alb.id && aws_vpc_security_group_ingress_rule.app_from_alb.from_port == 8080
    error_message = "The app tier admits only the ALB, on the app port."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.db_from_app.referenced_security_group_id == aws_security_group.app.id && aws_vpc_security_group_ingress_rule.db_from_app.from_port == 3306
    error_message = "The database admits only the app tier, on 3306."
  }

  assert {
    condition     = toset([for r in aws_vpc_security_group_ingress_rule.alb : r.from_port]) == toset([80, 443])
    error_message = "The internet reaches only the ALB, on 80 and 443."
  }
}
