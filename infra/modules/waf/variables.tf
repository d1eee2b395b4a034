# ---- Naming ----
variable "name" {
  description = "Prefix of the web ACL and its metrics. No default."
  type        = string
}

variable "tags" {
  description = "Tags for every resource. Default: {}."
  type        = map(string)
  default     = {}
}

# ---- Web ACL ----
variable "alb_arn" {
  description = "ALB the web ACL protects. No default."
  type        = string
}

variable "rate_limit_per_5_minutes" {
  description = "Requests one client IP may send per 5-minute window before it is blocked. Default: 10000 (the seed's \"10k requests / 5 min\"; its other \"10k/min\" would be 50000 per 5 minutes). WAF requires 10 to 2000000000."
  type        = number
  default     = 10000

  validation {
    condition     = var.rate_limit_per_5_minutes >= 10 && var.rate_limit_per_5_minutes <= 2000000000
    error_message = "WAF rate limits must be between 10 and 2000000000."
  }
}

# ---- Logging ----
variable "logs_kms_key_arn" {
  description = "CMK of the WAF log group (the region's logs key). No default."
  type        = string
}

variable "log_retention_days" {
  description = "Days WAF logs are kept. Default: 90."
  type        = number
  default     = 90
}
