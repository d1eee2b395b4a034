variable "aws_region" {
  description = "The primary region, where the table is created (infra/'s aws_region)."
  type        = string
  default     = "us-east-1"
}

variable "replica_region" {
  description = "The second full replica: infra/'s secondary_region."
  type        = string
  default     = "us-west-2"
}

variable "witness_region" {
  description = "The witness (no reads or writes, a vote): a third region of the same region set."
  type        = string
  default     = "us-east-2"
}

variable "project_name" {
  description = "As infra/'s."
  type        = string
  default     = "dr-app"
}

variable "environment" {
  description = "As infra/'s."
  type        = string
  default     = "prod"
}

variable "table_name" {
  description = "The lease table's name; pass it to infra/ as lease_table_name."
  type        = string
  default     = "dr-app-write-lease"
}
