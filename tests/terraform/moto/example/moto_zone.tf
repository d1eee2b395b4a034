# moto only (added to a scratch copy of an example by tests/terraform/moto_apply.sh): the hosted
# zone that a real deployment already has, created in moto, and the example's own provider that
# creates it ("@ENDPOINT@" is replaced with the server's URL).
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "moto"
  secret_key                  = "moto"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    autoscaling    = "@ENDPOINT@"
    backup         = "@ENDPOINT@"
    cloudwatch     = "@ENDPOINT@"
    configservice  = "@ENDPOINT@"
    dynamodb       = "@ENDPOINT@"
    ec2            = "@ENDPOINT@"
    elbv2          = "@ENDPOINT@"
    events         = "@ENDPOINT@"
    iam            = "@ENDPOINT@"
    kms            = "@ENDPOINT@"
    lambda         = "@ENDPOINT@"
    logs           = "@ENDPOINT@"
    rds            = "@ENDPOINT@"
    route53        = "@ENDPOINT@"
    s3             = "@ENDPOINT@"
    secretsmanager = "@ENDPOINT@"
    sns            = "@ENDPOINT@"
    sqs            = "@ENDPOINT@"
    ssm            = "@ENDPOINT@"
    sts            = "@ENDPOINT@"
    wafv2          = "@ENDPOINT@"
  }
}

resource "aws_route53_zone" "moto" {
  name          = "dr-app.test"
  force_destroy = true
}
