# ---- Naming ----
variable "name" {
  description = "Prefix of every resource name. No default."
  type        = string
}

variable "tags" {
  description = "Tags for every resource. Default: {}."
  type        = map(string)
  default     = {}
}

# ---- Function ----
variable "package_path" {
  description = "Path of the controller's zip: the witness is the same bootstrap with handler \"witness\" (see infra/README.md). No default."
  type        = string
}

variable "architecture" {
  description = "CPU architecture the package was built for (x86_64 or arm64). Default: \"x86_64\"."
  type        = string
  default     = "x86_64"
}

variable "schedule_minutes" {
  description = "Minutes between the witness's scheduled starts (EventBridge); each invocation probes every tick_seconds until its timeout. Default: 1."
  type        = number
  default     = 1

  validation {
    condition     = var.schedule_minutes >= 1 && floor(var.schedule_minutes) == var.schedule_minutes
    error_message = "schedule_minutes must be a whole number of minutes >= 1."
  }
}

variable "tick_seconds" {
  description = "Seconds between the witness's rounds inside one invocation (DR_WITNESS_TICK_SECONDS); the controller's tick_seconds is the natural choice. Default: 10."
  type        = number
  default     = 10

  validation {
    condition     = var.tick_seconds >= 1 && var.tick_seconds <= 300 && floor(var.tick_seconds) == var.tick_seconds
    error_message = "tick_seconds must be a whole number of seconds, 1..300."
  }
}

variable "timeout_seconds" {
  description = "The function's timeout: how long one invocation keeps probing; under 60 so that one-minute invocations never overlap. Default: 55."
  type        = number
  default     = 55

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds < 60
    error_message = "timeout_seconds must be 1..59: invocations started every minute must not overlap."
  }
}

variable "log_retention_days" {
  description = "Days witness logs are kept. Default: 365."
  type        = number
  default     = 365
}

variable "kms_deletion_window_in_days" {
  description = "Waiting period before the witness's key is deleted. Default: 30."
  type        = number
  default     = 30
}

# ---- What it watches, and where it votes ----
variable "primary_region" {
  description = "The primary region (as the controller's). No default."
  type        = string
}

variable "secondary_region" {
  description = "The controller's region: its RDS says who writes, its state table takes the vote. No default."
  type        = string
}

variable "global_cluster_id" {
  description = "Aurora global cluster identifier. No default."
  type        = string
}

variable "global_cluster_arn" {
  description = "Aurora global cluster ARN (the only RDS resource the witness may describe). No default."
  type        = string
}

variable "app_urls" {
  description = "Base URLs of the primary and the secondary ALB, in that order: the witness probes /health and /health/deep of the one in the region that writes. No default."
  type        = list(string)

  validation {
    condition     = length(var.app_urls) == 2 && alltrue([for u in var.app_urls : can(regex("^https?://", u))])
    error_message = "app_urls must be [primary, secondary], each http:// or https://."
  }
}

variable "state_table_name" {
  description = "The controller's state table (modules/lambda's state_table_name), in the secondary region. No default."
  type        = string
}

variable "state_table_arn" {
  description = "Its ARN: the only table the witness may write to, and only the item id = \"witness\". No default."
  type        = string
}

variable "state_table_kms_key_arn" {
  description = "The state table's CMK (secondary region), used only through DynamoDB. No default."
  type        = string
}
