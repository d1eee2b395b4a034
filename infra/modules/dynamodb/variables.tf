# ---- Naming ----
variable "name" {
  description = "Table name prefix. No default."
  type        = string
}

variable "tags" {
  description = "Tags for the table and its replica. Default: {}."
  type        = map(string)
  default     = {}
}

# ---- Table ----
variable "deletion_protection" {
  description = "Protect the table from deletion. Default: true."
  type        = bool
  default     = true
}

variable "primary_kms_key_arn" {
  description = "Primary-region CMK of the table. No default."
  type        = string
}

# ---- Replica ----
variable "secondary_region" {
  description = "Region of the global-table replica. No default."
  type        = string
}

variable "secondary_kms_key_arn" {
  description = "Secondary-region CMK of the replica. No default."
  type        = string
}
