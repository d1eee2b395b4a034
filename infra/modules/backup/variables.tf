# ---- Naming ----
variable "name" {
  description = "Prefix of the vaults, plan and selection. No default."
  type        = string
}

variable "tags" {
  description = "Tags for every resource. Default: {}."
  type        = map(string)
  default     = {}
}

# ---- Vaults ----
variable "primary_kms_key_arn" {
  description = "CMK of the primary vault. No default."
  type        = string
}

variable "secondary_kms_key_arn" {
  description = "CMK of the secondary (copy) vault. No default."
  type        = string
}

# ---- Plan ----
variable "iam_role_arn" {
  description = "Role AWS Backup runs with. No default."
  type        = string
}

variable "resource_arns" {
  description = "What is backed up: the Aurora cluster and the DynamoDB table. No default."
  type        = list(string)
}

variable "daily_schedule" {
  description = "Cron of the daily snapshot. Default: 05:00 UTC, after Aurora's own backup window."
  type        = string
  default     = "cron(0 5 * * ? *)"
}

variable "retention_days" {
  description = "Days daily backups (and their cross-region copies) are kept. Default: 35."
  type        = number
  default     = 35

  validation {
    condition     = var.retention_days >= 7
    error_message = "Backup retention below 7 days is below policy."
  }
}

variable "continuous_retention_days" {
  description = "Days of continuous (point-in-time) backup, 1-35. Default: 35."
  type        = number
  default     = 35

  validation {
    condition     = var.continuous_retention_days >= 7 && var.continuous_retention_days <= 35
    error_message = "Continuous backup retention must be 7-35 days."
  }
}

variable "restore_testing_schedule" {
  description = "When AWS Backup test-restores the latest recovery points (cron or rate). Default: weekly, Sunday 05:00 UTC."
  type        = string
  default     = "cron(0 5 ? * SUN *)"
}

variable "restore_testing_resources" {
  description = "Resources whose backups are test-restored, by a short key: { arn, type } with type as AWS Backup names it (\"Aurora\", \"DynamoDB\", ...). Default: {} (none)."
  type = map(object({
    arn  = string
    type = string
  }))
  default = {}
}
