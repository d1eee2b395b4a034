# Reads an applied stack back from moto through the same provider (no other client needed) for
# tests/terraform/moto_apply.sh: the secret's value in both regions (so the script can prove it is
# nowhere in the stack's state or outputs) and where the controller really runs.
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "endpoint" {
  type = string
}

variable "primary_region" {
  type = string
}

variable "secondary_region" {
  type = string
}

variable "secret_name" {
  type = string
}

variable "controller_function_name" {
  type = string
}

provider "aws" {
  region                      = var.primary_region
  access_key                  = "moto"
  secret_key                  = "moto"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {
    dynamodb       = var.endpoint
    lambda         = var.endpoint
    rds            = var.endpoint
    secretsmanager = var.endpoint
    sts            = var.endpoint
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

  endpoints {
    dynamodb       = var.endpoint
    lambda         = var.endpoint
    rds            = var.endpoint
    secretsmanager = var.endpoint
    sts            = var.endpoint
  }
}

data "aws_secretsmanager_secret_version" "master" {
  secret_id = var.secret_name
}

data "aws_secretsmanager_secret_version" "master_replica" {
  provider  = aws.secondary
  secret_id = var.secret_name
}

data "aws_lambda_function" "controller" {
  provider      = aws.secondary
  function_name = var.controller_function_name
}

output "password" {
  value     = jsondecode(data.aws_secretsmanager_secret_version.master.secret_string).password
  sensitive = true
}

output "replica_has_password" {
  value = nonsensitive(try(jsondecode(data.aws_secretsmanager_secret_version.master_replica.secret_string).password, "") != "")
}

output "controller_arn" {
  value = data.aws_lambda_function.controller.arn
}
