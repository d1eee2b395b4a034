# ---- Regions ----
variable "aws_region" {
  description = "Primary region. Default: \"us-east-1\"."
  type        = string
  default     = "us-east-1"
}

variable "secondary_region" {
  description = "Secondary (DR) region; must differ from aws_region. Default: \"us-west-2\"."
  type        = string
  default     = "us-west-2"

  validation {
    condition     = var.secondary_region != var.aws_region
    error_message = "secondary_region must differ from aws_region: a DR region in the same region protects from nothing."
  }
}

variable "witness_region" {
  description = "Third region, where the witness runs (its vote is what lets the controller fail a region over); must differ from aws_region and secondary_region. Default: \"us-east-2\"."
  type        = string
  default     = "us-east-2"

  validation {
    condition     = var.witness_region != var.aws_region && var.witness_region != var.secondary_region
    error_message = "witness_region must differ from aws_region and secondary_region: a witness in a region it judges shares that region's fate."
  }
}

# ---- Naming ----
variable "project_name" {
  description = "Project name, the start of every resource name. Default: \"dr-app\"."
  type        = string
  default     = "dr-app"
}

variable "environment" {
  description = "Environment: \"prod\" or \"staging\". Default: \"prod\"."
  type        = string
  default     = "prod"

  validation {
    condition     = contains(["prod", "staging"], var.environment)
    error_message = "environment must be \"prod\" or \"staging\"."
  }
}

variable "resource_suffix" {
  description = "Suffix appended to names so a second stack can live in the same account. Default: \"v2\"."
  type        = string
  default     = "v2"
}

# ---- Safety ----
variable "deletion_protection" {
  description = "Deletion protection on Aurora, DynamoDB and the ALBs. Default: true; may be false only for staging (to tear it down)."
  type        = bool
  default     = true

  validation {
    condition     = var.deletion_protection || var.environment != "prod"
    error_message = "deletion_protection must be on in prod."
  }
}

# ---- Network ----
variable "vpc_cidr_primary" {
  description = "CIDR of the primary VPC. Default: \"10.0.0.0/16\"."
  type        = string
  default     = "10.0.0.0/16"
}

variable "vpc_cidr_secondary" {
  description = "CIDR of the secondary VPC; must not overlap the primary (so they can be peered later). Default: \"10.1.0.0/16\"."
  type        = string
  default     = "10.1.0.0/16"

  validation {
    condition     = var.vpc_cidr_secondary != var.vpc_cidr_primary
    error_message = "The two VPCs need different CIDR blocks."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway per region instead of one per AZ. Default: false. true saves ~$33/month per region but an AZ outage then cuts that region's outbound traffic."
  type        = bool
  default     = false
}

# ---- Database ----
variable "ssm_vpc_endpoints" {
  description = "Interface endpoints for SSM Session Manager (ssm, ssmmessages, ec2messages) in each region's private subnets, so operators reach instances without SSH and without the NAT gateways. false: Session Manager goes through the NAT gateways (~$88/month less with 2 AZs in 2 regions). Default: true."
  type        = bool
  default     = true
}

variable "aurora_instance_class" {
  description = "Aurora instance class. Default: \"db.r6g.large\" (global databases do not support db.t3)."
  type        = string
  default     = "db.r6g.large"
}

variable "aurora_primary_instance_count" {
  description = "Aurora instances in the primary cluster, spread over AZs. Default: 2 (Multi-AZ: an AZ failure is a ~30 s in-region failover, not a regional one)."
  type        = number
  default     = 2

  validation {
    condition     = var.aurora_primary_instance_count >= 1
    error_message = "The primary cluster needs a writer."
  }
}

variable "aurora_general_log" {
  description = "Aurora's general query log (every statement), exported to CloudWatch Logs; for debugging, it costs I/O and log storage. Default: false."
  type        = bool
  default     = false
}

variable "aurora_engine_version" {
  description = "Aurora MySQL version. Default: \"8.0.mysql_aurora.3.08.0\"."
  type        = string
  default     = "8.0.mysql_aurora.3.08.0"
}

variable "aurora_backup_retention_days" {
  description = "Aurora automated backup retention (7-35 days). Default: 7."
  type        = number
  default     = 7

  validation {
    condition     = var.aurora_backup_retention_days >= 7 && var.aurora_backup_retention_days <= 35
    error_message = "Aurora backup retention must be 7-35 days (below 7 is below policy)."
  }
}

variable "master_password_version" {
  description = "Bump to generate and apply a new Aurora master password. Default: 1."
  type        = number
  default     = 1
}

# ---- App fleet ----
variable "ec2_instance_type" {
  description = "Instance type of the dr-app servers. Default: \"t3.medium\"."
  type        = string
  default     = "t3.medium"
}

variable "asg_min_capacity" {
  description = "Minimum instances of the primary fleet. Default: 2."
  type        = number
  default     = 2
}

variable "asg_max_capacity" {
  description = "Maximum instances of either fleet. Default: 10."
  type        = number
  default     = 10
}

variable "asg_desired_capacity" {
  description = "Instances of the primary fleet (and what the standby scales to on failover); min <= desired <= max. Default: 3."
  type        = number
  default     = 3

  validation {
    condition     = var.asg_min_capacity <= var.asg_desired_capacity && var.asg_desired_capacity <= var.asg_max_capacity
    error_message = "asg_min_capacity <= asg_desired_capacity <= asg_max_capacity must hold."
  }
}

variable "standby_asg_capacity" {
  description = "Instances the secondary fleet runs while standing by. Default: 1 (\"warm standby\": serves at once). 0 is what AWS calls \"pilot light\": cheaper, but instance_ready_seconds is added to the RTO."
  type        = number
  default     = 1

  validation {
    condition     = var.standby_asg_capacity >= 0 && var.standby_asg_capacity <= var.asg_max_capacity
    error_message = "standby_asg_capacity must be between 0 and asg_max_capacity."
  }
}

variable "app_artifact_s3_uri" {
  description = "s3:// URI of the dr-app release tarball the instances install. Default: \"s3://dr-app-artifacts/dr-app-latest.tar.gz\"."
  type        = string
  default     = "s3://dr-app-artifacts/dr-app-latest.tar.gz"
}

variable "app_port" {
  description = "Port dr-app listens on. Default: 8080."
  type        = number
  default     = 8080
}

# ---- Edge ----
variable "certificate_arn_primary" {
  description = "ACM certificate in the primary region for HTTPS. Default: null = plain HTTP (documented in README; set both certificates for production)."
  type        = string
  default     = null
}

variable "certificate_arn_secondary" {
  description = "ACM certificate in the secondary region for HTTPS. Default: null = plain HTTP."
  type        = string
  default     = null

  validation {
    condition     = (var.certificate_arn_secondary == null) == (var.certificate_arn_primary == null)
    error_message = "Give a certificate for both regions or for neither: failover must not downgrade TLS."
  }
}

variable "route53_zone_id" {
  description = "Hosted zone of app_domain_name. No default."
  type        = string
}

variable "app_domain_name" {
  description = "Name users resolve, e.g. \"app.example.com\" (not the zone apex). No default."
  type        = string
}

variable "waf_rate_limit_per_5_minutes" {
  description = "Requests per client IP per 5 minutes before WAF blocks it. Default: 10000 (the seed's \"10k / 5 min\")."
  type        = number
  default     = 10000
}

variable "alert_emails" {
  description = "Addresses subscribed to the alert topics. Default: []."
  type        = list(string)
  default     = []
}

# ---- Failover controller ----
variable "controller_package_path" {
  description = "Zip of the failover controller (`scripts/package.sh` writes it to dist/). Default: \"../dist/dr-controller-lambda.zip\" (relative to infra/)."
  type        = string
  default     = "../dist/dr-controller-lambda.zip"
}

# ---- DR timings (drctl infra lint checks these against the targets) ----
variable "health_check_interval_seconds" {
  description = "Route 53 probe interval: 10 or 30. Default: 10."
  type        = number
  default     = 10
}

variable "health_check_failure_threshold" {
  description = "Failed Route 53 probes before failover (1-10). Default: 3."
  type        = number
  default     = 3
}

variable "dns_ttl_seconds" {
  description = "TTL of the failover records. Default: 60."
  type        = number
  default     = 60
}

variable "controller_interval_minutes" {
  description = "Minutes between the controller Lambda's scheduled starts (each runs up to its 55 s timeout, ticking every controller_tick_seconds). Default: 1."
  type        = number
  default     = 1
}

variable "controller_tick_seconds" {
  description = "Seconds between the controller's probe-and-decide ticks inside one invocation (DR_CONTROLLER_TICK_SECONDS); decimals allowed, e.g. 0.25. Default: 10."
  type        = number
  default     = 10

  validation {
    condition     = var.controller_tick_seconds >= 0.1 && var.controller_tick_seconds <= 55 && floor(var.controller_tick_seconds * 1000) == var.controller_tick_seconds * 1000
    error_message = "controller_tick_seconds must be 0.1..55 with at most 3 decimals: a tick must fit in one invocation."
  }
}

variable "controller_aws_poll_ms" {
  description = "Milliseconds between the controller's re-reads of a running operation (a promotion's DescribeGlobalClusters, the fleet's target health, the write lease; DR_AWS_POLL_MS). Default: 2000."
  type        = number
  default     = 2000

  validation {
    condition     = var.controller_aws_poll_ms >= 100 && var.controller_aws_poll_ms <= 60000 && floor(var.controller_aws_poll_ms) == var.controller_aws_poll_ms
    error_message = "controller_aws_poll_ms must be a whole number 100..60000."
  }
}

variable "db_failover_seconds" {
  description = "Expected Aurora global database failover time. AWS documents a cross-Region recovery \"in less than 1 minute\" (Aurora Global Database overview); drills measure ours. Default: 60."
  type        = number
  default     = 60
}

variable "instance_ready_seconds" {
  description = "Launch-to-healthy time of a new instance; on the RTO path only with a pilot-light standby. Default: 300."
  type        = number
  default     = 300
}

variable "replication_lag_alarm_seconds" {
  description = "Aurora global replication lag that raises an alarm; must not exceed rpo_target_seconds. Default: 60."
  type        = number
  default     = 60
}

# ---- DR targets ----
variable "rto_target_seconds" {
  description = "Recovery time objective. Default: 900 (the seed's 15 minutes)."
  type        = number
  default     = 900
}

variable "rpo_target_seconds" {
  description = "Recovery point objective. Default: 300 (the seed's 5 minutes)."
  type        = number
  default     = 300
}

variable "lease_table_name" {
  description = "The write lease's DynamoDB table: infra/global's lease_table_name output (apply infra/global first; infra/README.md). \"\" = no write lease (dr-app and the controller run without one)."
  type        = string
  default     = ""
}
