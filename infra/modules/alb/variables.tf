# ---- Naming ----
variable "name" {
  description = "Prefix of every resource name (ALB names are cut to 32 characters). No default."
  type        = string
}

variable "tags" {
  description = "Tags for every resource. Default: {}."
  type        = map(string)
  default     = {}
}

# ---- Network ----
variable "vpc_id" {
  description = "VPC of the target group. No default."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets of the ALB (two or more AZs). No default."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the ALB. No default."
  type        = string
}

# ---- Listeners ----
variable "certificate_arn" {
  description = "ACM certificate (in this region) for the HTTPS listener. Default: null = plain HTTP only, for a first deploy without a domain; then every listener is HTTP and the stack says so (see README)."
  type        = string
  default     = null
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener. Default: TLS 1.3 + 1.2 only."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

# ---- Targets ----
variable "app_port" {
  description = "Port dr-app listens on. Default: 8080."
  type        = number
  default     = 8080
}

# ---- Safety ----
variable "deletion_protection" {
  description = "Protect the ALB from deletion. Default: true."
  type        = bool
  default     = true
}

variable "access_log_retention_days" {
  description = "Days ALB access logs are kept. Default: 90."
  type        = number
  default     = 90
}
