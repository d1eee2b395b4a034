variable "name" {
  description = "Name prefix of the recorder, its bucket and role. No default."
  type        = string
}

variable "tags" {
  description = "Tags for every resource. Default: {}."
  type        = map(string)
  default     = {}
}

variable "record_global_resources" {
  description = "Record global resources (IAM). Exactly one region should (the primary), or each change is recorded twice. Default: false."
  type        = bool
  default     = false
}

variable "multi_az_expected" {
  description = "Evaluate the Aurora Multi-AZ rule here (the primary; the secondary cluster runs one instance on purpose). Default: true."
  type        = bool
  default     = true
}

variable "history_retention_days" {
  description = "Days the delivery bucket keeps configuration history and snapshots. Default: 365."
  type        = number
  default     = 365
}
