# terraform test (offline, mock provider): private subnets reach SSM Session Manager through
# interface endpoints; NAT per AZ or single.
mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = {
      names = ["us-west-2a", "us-west-2b", "us-west-2c"]
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "us-west-2"
    }
  }

  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{}"
    }
  }

  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:us-west-2:111122223333:log-group:/aws/vpc-flow-logs/dr-test"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/dr-test-flow-logs"
    }
  }
}

variables {
  name                 = "dr-test-secondary"
  cidr                 = "10.1.0.0/16"
  flow_log_kms_key_arn = "arn:aws:kms:us-west-2:111122223333:key/logs"
}

run "session_manager_endpoints" {
  command = apply

  assert {
    condition     = toset([for e in aws_vpc_endpoint.interface : e.service_name]) == toset(["com.amazonaws.us-west-2.ssm", "com.amazonaws.us-west-2.ssmmessages", "com.amazonaws.us-west-2.ec2messages"])
    error_message = "Session Manager needs the ssm, ssmmessages and ec2messages endpoints of this region."
  }

  assert {
    condition     = alltrue([for e in aws_vpc_endpoint.interface : e.vpc_endpoint_type == "Interface" && e.private_dns_enabled && toset(e.subnet_ids) == toset(aws_subnet.private[*].id)])
    error_message = "The endpoints must be in the private subnets, with private DNS (so the agent finds them)."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.endpoints_https[0].from_port == 443 && aws_vpc_security_group_ingress_rule.endpoints_https[0].to_port == 443 && aws_vpc_security_group_ingress_rule.endpoints_https[0].cidr_ipv4 == var.cidr
    error_message = "The endpoints admit only HTTPS from inside the VPC."
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 2
    error_message = "Default: a NAT gateway per AZ."
  }
}

run "without_endpoints" {
  command = plan

  variables {
    interface_endpoints = []
    single_nat_gateway  = true
  }

  assert {
    condition     = length(aws_vpc_endpoint.interface) == 0 && length(aws_security_group.endpoints) == 0 && length(aws_nat_gateway.this) == 1
    error_message = "No endpoints (nor their security group) when none are asked for; one NAT when single."
  }
}
