# ---- Naming ----
variable "name" {
  description = "Prefix of health check and alarm names. No default."
  type        = string
}

variable "tags" {
  description = "Tags for every resource. Default: {}."
  type        = map(string)
  default     = {}
}

# ---- Records ----
variable "zone_id" {
  description = "Route 53 hosted zone of the application's name. No default."
  type        = string
}

variable "record_name" {
  description = "Name users resolve, e.g. \"app.example.com\" (not the zone apex: the failover records are CNAMEs so their TTL is ours to choose). No default."
  type        = string
}

variable "ttl_seconds" {
  description = "TTL of the failover records: after a switch, resolvers may keep the old answer this long. Default: 60."
  type        = number
  default     = 60
}

variable "primary_alb_dns_name" {
  description = "DNS name of the primary ALB. No default."
  type        = string
}

variable "secondary_alb_dns_name" {
  description = "DNS name of the secondary ALB. No default."
  type        = string
}

# ---- Health checks ----
variable "https" {
  description = "Probe the ALBs over HTTPS (port 443) rather than HTTP (80). No default."
  type        = bool
}

variable "health_check_path" {
  description = "Path probed on each ALB; the deep check also touches Aurora and DynamoDB. Default: \"/health/deep\"."
  type        = string
  default     = "/health/deep"
}

variable "health_check_interval_seconds" {
  description = "Seconds between Route 53 probes: 10 (fast, extra cost) or 30. Default: 10."
  type        = number
  default     = 10

  validation {
    condition     = contains([10, 30], var.health_check_interval_seconds)
    error_message = "Route 53 supports only 10 or 30 second intervals."
  }
}

variable "health_check_failure_threshold" {
  description = "Consecutive failed probes before an endpoint is unhealthy (1-10). Default: 3."
  type        = number
  default     = 3

  validation {
    condition     = var.health_check_failure_threshold >= 1 && var.health_check_failure_threshold <= 10
    error_message = "Route 53 failure thresholds are 1-10."
  }
}

# ---- Forced failover ----
variable "force_failover" {
  description = "The CloudWatch metric (in the secondary region) the controller sets to 1 to force traffic to the secondary and back to 0 to release it: { namespace, metric_name }. Default: DrApp/Failover ForcePrimaryUnhealthy."
  type = object({
    namespace   = string
    metric_name = string
  })
  default = {
    namespace   = "DrApp/Failover"
    metric_name = "ForcePrimaryUnhealthy"
  }
}

variable "secondary_region" {
  description = "Region of the forced-failover alarm (where the controller runs). No default."
  type        = string
}
