# ---- Naming ----
variable "name" {
  description = "Prefix of every resource name, e.g. \"dr-app-prod-v2-primary\". No default."
  type        = string
}

variable "tags" {
  description = "Tags for every resource. Default: {}."
  type        = map(string)
  default     = {}
}

# ---- VPC ----
variable "cidr" {
  description = "CIDR block of the VPC; /16 recommended (subnets are /20 carved from it). No default."
  type        = string

  validation {
    condition     = can(cidrhost(var.cidr, 0))
    error_message = "cidr must be a valid IPv4 CIDR block."
  }
}

variable "az_count" {
  description = "Availability zones to spread subnets over (2-3). Default: 2, what Aurora Multi-AZ and the ALB need."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "az_count must be 2 or 3: one AZ is not highly available."
  }
}

# ---- NAT gateways ----
variable "single_nat_gateway" {
  description = "One NAT gateway for all AZs instead of one per AZ. Default: false. true saves ~$33/month per extra AZ but an AZ outage then cuts outbound traffic of every AZ."
  type        = bool
  default     = false
}

# ---- Flow logs ----
variable "flow_log_kms_key_arn" {
  description = "CMK encrypting the flow-log group (the region's logs key). No default."
  type        = string
}

variable "flow_log_retention_days" {
  description = "Days flow logs are kept. Default: 365."
  type        = number
  default     = 365
}

variable "interface_endpoints" {
  description = "Interface VPC endpoints in the private subnets, by service short name. Default: Session Manager's three (ssm, ssmmessages, ec2messages); [] relies on the NAT gateways instead (~$44/month less per region with 2 AZs)."
  type        = list(string)
  default     = ["ssm", "ssmmessages", "ec2messages"]
}
