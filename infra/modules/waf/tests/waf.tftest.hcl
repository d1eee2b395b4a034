# terraform test (offline, mock provider): the web ACL protects the load balancer it is given.
mock_provider "aws" {
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:us-west-2:111122223333:log-group:aws-waf-logs-dr-test"
    }
  }

  mock_resource "aws_wafv2_web_acl" {
    defaults = {
      arn = "arn:aws:wafv2:us-west-2:111122223333:regional/webacl/dr-test/1"
    }
  }
}

variables {
  name             = "dr-test-secondary"
  alb_arn          = "arn:aws:elasticloadbalancing:us-west-2:111122223333:loadbalancer/app/dr-test-s-alb/1"
  logs_kms_key_arn = "arn:aws:kms:us-west-2:111122223333:key/logs"
}

run "protects_the_alb" {
  command = apply

  assert {
    condition     = aws_wafv2_web_acl_association.this.resource_arn == var.alb_arn && aws_wafv2_web_acl_association.this.web_acl_arn == aws_wafv2_web_acl.this.arn
    error_message = "The web ACL must be associated with the ALB."
  }

  assert {
    condition     = aws_wafv2_web_acl.this.scope == "REGIONAL"
    error_message = "ALBs need a regional web ACL."
  }

  assert {
    condition     = contains(flatten([for r in aws_wafv2_web_acl.this.rule : [for s in r.statement[0].rate_based_statement : s.limit]]), 10000)
    error_message = "A per-IP rate limit of 10,000 requests per 5 minutes by default."
  }

  assert {
    condition = length(setsubtract(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"], flatten([
      for r in aws_wafv2_web_acl.this.rule : [for m in r.statement[0].managed_rule_group_statement : m.name]
    ]))) == 0
    error_message = "The common and known-bad-inputs managed rule groups must be on."
  }

  assert {
    condition     = aws_wafv2_web_acl_logging_configuration.this.resource_arn == aws_wafv2_web_acl.this.arn
    error_message = "WAF logs must be kept."
  }
}
