# ---- Naming ----
variable "name" {
  description = "Prefix of every role name. No default."
  type        = string
}

variable "tags" {
  description = "Tags for every role. Default: {}."
  type        = map(string)
  default     = {}
}

# ---- Regions ----
variable "primary_region" {
  description = "Primary region. No default."
  type        = string
}

variable "secondary_region" {
  description = "Secondary region. No default."
  type        = string
}

# ---- dr-app instances ----
variable "db_secret_name" {
  description = "Name of the database credentials secret (the same in both regions). No default."
  type        = string
}

variable "dynamodb_table_arns" {
  description = "ARNs of the sessions table in both regions. No default."
  type        = list(string)
}

variable "lease_table_name" {
  description = "The write lease's DynamoDB table (infra/global's output); \"\" = no write lease."
  type        = string
  default     = ""
}

variable "kms_key_arns" {
  description = "CMKs the instances decrypt with (secrets and DynamoDB keys of both regions). No default."
  type        = list(string)
}

variable "app_artifact_s3_uri" {
  description = "s3:// URI of the dr-app release the instances download. No default."
  type        = string

  validation {
    condition     = startswith(var.app_artifact_s3_uri, "s3://")
    error_message = "app_artifact_s3_uri must be an s3:// URI."
  }
}

variable "metrics_namespace" {
  description = "The only CloudWatch namespace dr-app may publish metrics to. Default: \"DrApp\"."
  type        = string
  default     = "DrApp"
}
