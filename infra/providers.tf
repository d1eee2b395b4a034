provider "aws" {
  region = var.aws_region

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "secondary"
  region = var.secondary_region

  default_tags {
    tags = local.tags
  }
}

# The witness's third region (modules/witness).
provider "aws" {
  alias  = "witness"
  region = var.witness_region

  default_tags {
    tags = local.tags
  }
}
