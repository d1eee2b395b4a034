# ---- Naming ----
variable "name" {
  description = "Prefix of every alarm and topic name. No default."
  type        = string
}

variable "tags" {
  description = "Tags for every resource. Default: {}."
  type        = map(string)
  default     = {}
}

# ---- Notifications ----
variable "primary_sns_kms_key_arn" {
  description = "CMK of the primary region's alert topic. No default."
  type        = string
}

variable "secondary_sns_kms_key_arn" {
  description = "CMK of the secondary region's alert topic. No default."
  type        = string
}

variable "alert_emails" {
  description = "Addresses subscribed to both alert topics (each must confirm). Default: []."
  type        = list(string)
  default     = []
}

# ---- Primary region ----
variable "primary_alb_arn_suffix" {
  description = "CloudWatch LoadBalancer dimension of the primary ALB. No default."
  type        = string
}

variable "primary_target_group_arn_suffix" {
  description = "CloudWatch TargetGroup dimension of the primary target group. No default."
  type        = string
}

variable "primary_cluster_id" {
  description = "Primary Aurora cluster identifier. No default."
  type        = string
}

variable "db_connections_threshold" {
  description = "DatabaseConnections above which the primary cluster alarms. Default: 500 (db.r6g.large allows ~1000)."
  type        = number
  default     = 500
}

variable "dynamodb_table_name" {
  description = "Global table whose replication latency is watched. No default."
  type        = string
}

variable "secondary_region" {
  description = "Receiving region of the DynamoDB replication-latency metric. No default."
  type        = string
}

variable "dynamodb_replication_latency_ms" {
  description = "DynamoDB ReplicationLatency (ms) above which to alarm. Default: 60000."
  type        = number
  default     = 60000
}

# ---- Secondary region ----
variable "secondary_cluster_id" {
  description = "Secondary Aurora cluster identifier (it reports the global replication lag). No default."
  type        = string
}

variable "replication_lag_alarm_seconds" {
  description = "AuroraGlobalDBReplicationLag above which to alarm. No default: the root ties it to the RPO target."
  type        = number
}

variable "rpo_target_seconds" {
  description = "AuroraGlobalDBRPOLag above which to alarm (the RPO target). No default."
  type        = number
}

variable "controller_function_name" {
  description = "Failover controller Lambda (in the secondary region). No default."
  type        = string
}

variable "controller_schedule_minutes" {
  description = "Minutes between the controller's scheduled starts (the lambda module's schedule_minutes): the silent-controller alarm fires after two periods of max(5, this) minutes without an invocation. Default: 1."
  type        = number
  default     = 1

  validation {
    condition     = var.controller_schedule_minutes >= 1 && var.controller_schedule_minutes <= 720 && floor(var.controller_schedule_minutes) == var.controller_schedule_minutes
    error_message = "controller_schedule_minutes must be a whole number of minutes, 1-720 (CloudWatch evaluates at most a day: 2 periods)."
  }
}
