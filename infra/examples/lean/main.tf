# The cheapest shape that keeps the DR properties: one NAT gateway per region, smaller app
# instances, a single Aurora writer in the primary (the global secondary is still there to fail
# over to) and a warm standby of 1. infra/README.md gives its monthly cost and what each saving
# gives up.
module "dr_app" {
  source = "../.."

  route53_zone_id           = var.route53_zone_id
  app_domain_name           = var.app_domain_name
  app_artifact_s3_uri       = var.app_artifact_s3_uri
  controller_package_path   = var.controller_package_path
  certificate_arn_primary   = var.certificate_arn_primary
  certificate_arn_secondary = var.certificate_arn_secondary
  alert_emails              = var.alert_emails
  deletion_protection       = var.deletion_protection

  # An AZ outage cuts outbound traffic (updates, AWS APIs without endpoints) for its region.
  single_nat_gateway = true
  ec2_instance_type  = "t3.small"

  # Session Manager through the NAT gateway instead of 6 interface endpoints (-$88/month); it
  # stops working while that NAT gateway or its AZ is down.
  ssm_vpc_endpoints = false

  asg_min_capacity     = 1
  asg_desired_capacity = 2
  asg_max_capacity     = 4
  standby_asg_capacity = 1

  # One writer, no Multi-AZ reader in the primary: an AZ failure there becomes a regional
  # failover (or an instance replacement, ~10 min) instead of a ~30 s in-region failover.
  aurora_primary_instance_count = 1
}
