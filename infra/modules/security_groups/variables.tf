# ---- Naming ----
variable "name" {
  description = "Prefix of every group name. No default."
  type        = string
}

variable "tags" {
  description = "Tags for every group. Default: {}."
  type        = map(string)
  default     = {}
}

# ---- Network ----
variable "vpc_id" {
  description = "VPC the groups belong to. No default."
  type        = string
}

variable "app_port" {
  description = "Port dr-app listens on behind the ALB. Default: 8080."
  type        = number
  default     = 8080
}

variable "db_port" {
  description = "Aurora MySQL port. Default: 3306."
  type        = number
  default     = 3306
}
