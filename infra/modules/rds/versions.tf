terraform {
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source                = "hashicorp/aws"
      version               = ">= 6.0"
      configuration_aliases = [aws.secondary]
    }
    # The ephemeral random_password resource (never stored in state).
    random = {
      source  = "hashicorp/random"
      version = ">= 3.7"
    }
  }
}
