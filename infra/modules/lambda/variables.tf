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
  description = "Path of the controller's zip (bootstrap + libs for provided.al2023), built by the src/lambda CMake target (see infra/README.md). No default."
  type        = string
}

variable "architecture" {
  description = "CPU architecture the package was built for (x86_64 or arm64). Default: \"x86_64\"."
  type        = string
  default     = "x86_64"
}

variable "schedule_minutes" {
  description = "Minutes between the controller's scheduled starts (EventBridge); each invocation ticks every tick_seconds until its timeout. Default: 1, the shortest EventBridge allows."
  type        = number
  default     = 1

  validation {
    condition     = var.schedule_minutes >= 1 && floor(var.schedule_minutes) == var.schedule_minutes
    error_message = "schedule_minutes must be a whole number of minutes >= 1."
  }
}

variable "log_retention_days" {
  description = "Days controller logs are kept. Default: 365."
  type        = number
  default     = 365
}

variable "deletion_protection" {
  description = "Protect the controller's state table from deletion. Default: true."
  type        = bool
  default     = true
}

# ---- Keys (this region) ----
variable "kms_key_arn" {
  description = "CMK of the function's environment and its dead-letter queue. No default."
  type        = string
}

variable "logs_kms_key_arn" {
  description = "CMK of the controller's log group. No default."
  type        = string
}

variable "dynamodb_kms_key_arn" {
  description = "CMK of the controller's state table. No default."
  type        = string
}

# ---- What the controller acts on ----
variable "primary_region" {
  description = "The region the controller fails over from. No default."
  type        = string
}

variable "secondary_region" {
  description = "The region the controller runs in and fails over to. No default."
  type        = string
}

variable "global_cluster_id" {
  description = "Aurora global cluster identifier. No default."
  type        = string
}

variable "global_cluster_arn" {
  description = "Aurora global cluster ARN. No default."
  type        = string
}

variable "cluster_arns" {
  description = "ARNs of the primary and secondary Aurora clusters. No default."
  type        = list(string)
}

variable "primary_asg_name" {
  description = "Auto Scaling group of the primary region. No default."
  type        = string
}

variable "secondary_asg_name" {
  description = "Auto Scaling group of the secondary region (scaled up on failover). No default."
  type        = string
}

variable "failover_capacity" {
  description = "Desired capacity the controller scales the secondary ASG to on failover. No default."
  type        = number
}

variable "sns_topic_arns" {
  description = "Topics the controller notifies (both regions). No default."
  type        = list(string)
}

variable "db_secret_name" {
  description = "Database credentials secret (the controller verifies failover with a real write). No default."
  type        = string
}

variable "secrets_kms_key_arns" {
  description = "CMKs of that secret (both regions). No default."
  type        = list(string)
}

variable "primary_health_url" {
  description = "URL the controller probes in the primary region (the ALB's /health/deep). No default."
  type        = string
}

variable "app_urls" {
  description = "Base URLs of the primary and the secondary ALB, in that order: the controller verifies a failover with a real write through the new primary's. No default."
  type        = list(string)

  validation {
    condition     = length(var.app_urls) == 2 && alltrue([for u in var.app_urls : can(regex("^https?://", u))])
    error_message = "app_urls must be [primary, secondary], each http:// or https://."
  }
}

variable "target_group_arns" {
  description = "ALB target groups of the primary and the secondary fleet, in that order: the controller waits for healthy targets after scaling. No default."
  type        = list(string)
}

variable "app_table_name" {
  description = "The app's DynamoDB global table, where the controller writes the fence record dr-app honours. No default."
  type        = string
}

variable "app_table_arns" {
  description = "ARNs of that table in both regions (the table and its replica). No default."
  type        = list(string)
}

variable "app_table_kms_key_arns" {
  description = "CMKs of that table in both regions. No default."
  type        = list(string)
}

variable "lease_table_name" {
  description = "The write lease's DynamoDB table (infra/global's output); \"\" = no write lease."
  type        = string
  default     = ""
}

variable "switchover_lag_gate_ms" {
  description = "A planned switchover is refused while the secondary's AuroraGlobalDBReplicationLag / AuroraGlobalDBRPOLag is above this (ms). Default: 2000."
  type        = number
  default     = 2000
}

variable "force_failover" {
  description = "The CloudWatch metric the controller sets to 1 to force Route 53 to the secondary (see the route53 module): { namespace, metric_name }. No default."
  type = object({
    namespace   = string
    metric_name = string
  })
}

variable "tick_seconds" {
  description = "Seconds between the controller's ticks inside one invocation (DR_CONTROLLER_TICK_SECONDS); decimals allowed, e.g. 0.25 (a probe's timeout is capped at one tick). Default: 10."
  type        = number
  default     = 10

  validation {
    condition     = var.tick_seconds >= 0.1 && var.tick_seconds <= 300 && floor(var.tick_seconds * 1000) == var.tick_seconds * 1000
    error_message = "tick_seconds must be 0.1..300 with at most 3 decimals (DR_CONTROLLER_TICK_SECONDS's bounds)."
  }
}

variable "aws_poll_ms" {
  description = "Milliseconds between the re-reads of a running operation: DescribeGlobalClusters during a promotion, the fleet's target health, the write lease (DR_AWS_POLL_MS). Default: 2000."
  type        = number
  default     = 2000

  validation {
    condition     = var.aws_poll_ms >= 100 && var.aws_poll_ms <= 60000 && floor(var.aws_poll_ms) == var.aws_poll_ms
    error_message = "aws_poll_ms must be a whole number 100..60000 (DR_AWS_POLL_MS's bounds)."
  }
}

variable "timeout_seconds" {
  description = "The function's timeout: how long one invocation keeps ticking; under 60 so that one-minute invocations never overlap. Default: 55."
  type        = number
  default     = 55

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds < 60
    error_message = "timeout_seconds must be 1..59: invocations started every minute must not overlap."
  }
}
