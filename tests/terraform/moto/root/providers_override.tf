# moto only (copied into a scratch copy of infra/ by tests/terraform/moto_apply.sh, never into
# infra/): the three providers talk to one moto server on loopback with fake credentials. moto has no
# account or metadata endpoints worth asking, hence the skip_* settings. "@ENDPOINT@" is replaced
# with the server's URL by the script; every service the stack calls is listed.
provider "aws" {
  region                      = var.aws_region
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

provider "aws" {
  alias                       = "secondary"
  region                      = var.secondary_region
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

provider "aws" {
  alias                       = "witness"
  region                      = var.witness_region
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
