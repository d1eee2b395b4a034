variable "route53_zone_id" {
  description = "Hosted zone of app_domain_name. No default."
  type        = string
}

variable "app_domain_name" {
  description = "Name users resolve, e.g. \"app.example.com\" (not the zone apex). No default."
  type        = string
}

variable "app_artifact_s3_uri" {
  description = "s3:// URI of the dr-app release tarball (see infra/README.md, \"Artifacts\"). No default."
  type        = string
}

variable "controller_package_path" {
  description = "Path of the controller's Lambda zip (see infra/README.md, \"Artifacts\"). No default."
  type        = string
}

variable "certificate_arn_primary" {
  description = "ACM certificate for the primary ALB (null: plain HTTP, see infra/README.md, TLS). Default: null."
  type        = string
  default     = null
}

variable "certificate_arn_secondary" {
  description = "ACM certificate for the secondary ALB (both or neither). Default: null."
  type        = string
  default     = null
}

variable "alert_emails" {
  description = "Addresses subscribed to the alert topics. Default: []."
  type        = list(string)
  default     = []
}

variable "deletion_protection" {
  description = "Protect the database, table and load balancers from deletion. Default: true."
  type        = bool
  default     = true
}
