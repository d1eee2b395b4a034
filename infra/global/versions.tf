# A root of its own, applied BEFORE infra/ (infra/README.md): the write lease's table needs
# global_table_witness (hashicorp/aws >= 6.22), which the main stack's range (>= 5.100) does not
# promise. infra/ takes its output as var.lease_table_name.
terraform {
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.22, < 7.0"
    }
  }

  # Partial configuration, as infra/'s (a key of its own).
  backend "s3" {}
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project     = var.project_name
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}
