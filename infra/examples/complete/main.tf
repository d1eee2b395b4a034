# The stack with its defaults (infra/README.md lists them and what they cost): Multi-AZ Aurora
# writer + a global secondary, a NAT gateway per AZ, 3 app instances and a warm standby of 1.
#
# The root module configures its own two providers (aws_region, secondary_region), so this
# example passes none.
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
}
