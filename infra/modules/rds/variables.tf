# ---- Naming ----
variable "name" {
  description = "Prefix of every identifier, e.g. \"dr-app-prod-v2\". No default."
  type        = string
}

variable "tags" {
  description = "Tags for every resource. Default: {}."
  type        = map(string)
  default     = {}
}

# ---- Engine ----
variable "engine_version" {
  description = "Aurora MySQL version; must support global databases. Default: \"8.0.mysql_aurora.3.08.0\"."
  type        = string
  default     = "8.0.mysql_aurora.3.08.0"
}

variable "instance_class" {
  description = "Instance class of every Aurora instance. Default: \"db.r6g.large\": global databases do not support the burstable db.t3 classes the seed used."
  type        = string
  default     = "db.r6g.large"
}

variable "database_name" {
  description = "Initial database. Default: \"drapp\"."
  type        = string
  default     = "drapp"
}

variable "master_username" {
  description = "Master user name. Default: \"dradmin\" (\"admin\" is reserved by some tools)."
  type        = string
  default     = "dradmin"
}

variable "master_password" {
  description = "Master password, from an ephemeral source (the root generates it with Secrets Manager GetRandomPassword); used only in write-only arguments, never stored. No default."
  type        = string
  ephemeral   = true
  sensitive   = true
  nullable    = false
}

variable "master_password_version" {
  description = "Bump to rotate the generated master password (write-only: it never enters state). Default: 1."
  type        = number
  default     = 1
}

# ---- Safety ----
variable "deletion_protection" {
  description = "Protect the global cluster and both regional clusters from deletion. Default: true; turn off only to tear down staging."
  type        = bool
  default     = true
}

variable "backup_retention_days" {
  description = "Days of automated backups (7-35). Default: 7."
  type        = number
  default     = 7
}

# ---- Monitoring ----
variable "monitoring_role_arn" {
  description = "IAM role Enhanced Monitoring publishes OS metrics with. No default."
  type        = string
}

variable "monitoring_interval" {
  description = "Enhanced Monitoring interval in seconds (1, 5, 10, 15, 30, 60). Default: 15."
  type        = number
  default     = 15
}

variable "performance_insights_retention_days" {
  description = "Performance Insights retention (7 is free). Default: 7."
  type        = number
  default     = 7
}

# ---- Primary cluster ----
variable "primary_instance_count" {
  description = "Instances of the primary cluster, spread over AZs (writer + readers). Default: 2 (Multi-AZ)."
  type        = number
  default     = 2
}

variable "primary_subnet_ids" {
  description = "Private subnets of the primary region (two or more AZs). No default."
  type        = list(string)
}

variable "primary_security_group_id" {
  description = "Security group of the primary cluster. No default."
  type        = string
}

variable "primary_kms_key_arn" {
  description = "Primary-region CMK for storage and Performance Insights. No default."
  type        = string
}

# ---- Secondary cluster ----
variable "secondary_instance_count" {
  description = "Instances of the secondary cluster. Default: 1: a headless secondary (0) cannot be failed over to quickly."
  type        = number
  default     = 1

  validation {
    condition     = var.secondary_instance_count >= 1
    error_message = "The secondary cluster needs at least one instance to take over as writer."
  }
}

variable "secondary_subnet_ids" {
  description = "Private subnets of the secondary region. No default."
  type        = list(string)
}

variable "secondary_security_group_id" {
  description = "Security group of the secondary cluster. No default."
  type        = string
}

variable "secondary_kms_key_arn" {
  description = "Secondary-region CMK for storage and Performance Insights. No default."
  type        = string
}

# ---- Credentials ----
variable "secrets_kms_key_arn" {
  description = "Primary-region CMK of the credentials secret. No default."
  type        = string
}

variable "secrets_kms_key_arn_secondary" {
  description = "Secondary-region CMK of the secret's replica. No default."
  type        = string
}

variable "secondary_region" {
  description = "Region the secret is replicated to. No default."
  type        = string
}

variable "general_log" {
  description = "Turn on MySQL's general query log (every statement) and export it to CloudWatch Logs. For debugging: it adds I/O and log storage. Default: false."
  type        = bool
  default     = false
}
