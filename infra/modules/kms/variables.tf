# ---- Naming ----
variable "name" {
  description = "Prefix of every key alias, e.g. \"dr-app-prod-v2\". No default."
  type        = string
}

variable "tags" {
  description = "Tags for every key. Default: {}."
  type        = map(string)
  default     = {}
}

# ---- Keys ----
variable "deletion_window_in_days" {
  description = "Days a scheduled key deletion can still be cancelled (7-30). Default: 30, the longest, because data encrypted with a deleted key is lost."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30."
  }
}
