# ---- Naming ----
variable "name" {
  description = "Name of the Auto Scaling group and prefix of the launch template. No default."
  type        = string
}

variable "tags" {
  description = "Tags for the group and its instances. Default: {}."
  type        = map(string)
  default     = {}
}

# ---- Instances ----
variable "instance_type" {
  description = "EC2 instance type. Default: \"t3.medium\"."
  type        = string
  default     = "t3.medium"
}

variable "ami_ssm_parameter" {
  description = "SSM parameter holding the AMI id. Default: the latest Amazon Linux 2023 (x86_64)."
  type        = string
  default     = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

variable "instance_profile_name" {
  description = "Instance profile of the dr-app instances. No default."
  type        = string
}

variable "security_group_id" {
  description = "Security group of the instances. No default."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets the instances run in. No default."
  type        = list(string)
}

variable "ebs_kms_key_arn" {
  description = "CMK encrypting the root volumes (the region's ebs key). No default."
  type        = string
}

variable "root_volume_size" {
  description = "Root volume size in GiB. Default: 20."
  type        = number
  default     = 20
}

# ---- Capacity ----
variable "min_size" {
  description = "Minimum instances. No default."
  type        = number
}

variable "max_size" {
  description = "Maximum instances. No default."
  type        = number
}

variable "desired_capacity" {
  description = "Instances at creation; later changes are ignored (the controller scales the standby up on failover and the next apply must not undo it). No default."
  type        = number

  validation {
    condition     = var.min_size <= var.desired_capacity && var.desired_capacity <= var.max_size
    error_message = "min_size <= desired_capacity <= max_size must hold."
  }
}

variable "target_group_arns" {
  description = "Target groups the instances register with. No default."
  type        = list(string)
}

variable "health_check_grace_period" {
  description = "Seconds after launch before ELB health checks count. Default: 120."
  type        = number
  default     = 120
}

# ---- dr-app ----
variable "app_artifact_s3_uri" {
  description = "s3:// URI of the dr-app release tarball the instances install at boot. No default."
  type        = string
}

variable "app_port" {
  description = "Port dr-app listens on. Default: 8080."
  type        = number
  default     = 8080
}

variable "app_config" {
  description = "Non-secret settings passed to dr-app (region role, endpoints, table, secret *name*). Never put a secret here: user data is readable by anyone who can describe the instance. No default."
  type        = map(string)
}

variable "xray_tracing" {
  description = "Install the X-Ray daemon on the instances and have dr-app send it a segment per client request (sampled: the first each second, then 5%). Default: true."
  type        = bool
  default     = true
}
