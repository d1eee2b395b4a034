terraform {
  # 1.11: write-only arguments (the Aurora password never enters state).
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }

  # Partial configuration: bucket, key, region and use_lockfile come from
  # `terraform init -backend-config=...` (see README.md).
  backend "s3" {}
}
