locals {
  name = "${var.project_name}-${var.environment}-${var.resource_suffix}"
  tags = {
    Project     = var.project_name
    Environment = var.environment
    ManagedBy   = "terraform"
  }

  primary_asg_name   = "${local.name}-primary"
  secondary_asg_name = "${local.name}-secondary"

  # The ALBs [primary, secondary] the controller and the witness probe.
  app_urls = [
    "${var.certificate_arn_primary != null ? "https" : "http"}://${module.alb_primary.alb_dns_name}",
    "${var.certificate_arn_secondary != null ? "https" : "http"}://${module.alb_secondary.alb_dns_name}",
  ]

  # Worst-case RTO, step by step (the same model as src/infra/dr_budget.h, which
  # `drctl infra lint` checks against rto_target_seconds).
  # decide: one tick, plus the gap between an invocation's end (its 55 s timeout) and the next
  # scheduled start. traffic: Route 53 switches the record itself at "detect", so only the part
  # of the TTL that outlasts decide + promote + scale is on the path.
  controller_timeout_seconds = 55
  rto_decide_seconds         = max(0, var.controller_interval_minutes * 60 - local.controller_timeout_seconds) + var.controller_tick_seconds
  rto_scale_seconds          = var.standby_asg_capacity > 0 ? 0 : var.instance_ready_seconds
  rto_budget_seconds = {
    detect  = var.health_check_interval_seconds * var.health_check_failure_threshold
    decide  = local.rto_decide_seconds
    promote = var.db_failover_seconds
    scale   = local.rto_scale_seconds
    traffic = max(0, var.dns_ttl_seconds - (local.rto_decide_seconds + var.db_failover_seconds + local.rto_scale_seconds))
  }
  worst_case_rto_seconds = sum(values(local.rto_budget_seconds))
}

# Terraform's own guard for the same budget (a warning at plan; the lint makes it an error).
check "dr_budget" {
  assert {
    condition     = local.worst_case_rto_seconds <= var.rto_target_seconds
    error_message = "Worst-case RTO ${local.worst_case_rto_seconds} s exceeds rto_target_seconds ${var.rto_target_seconds} s."
  }

  assert {
    condition     = var.replication_lag_alarm_seconds <= var.rpo_target_seconds
    error_message = "replication_lag_alarm_seconds must not exceed rpo_target_seconds, or lag past the RPO goes unnoticed."
  }
}

# ---- KMS ----
module "kms" {
  source = "./modules/kms"

  name = local.name
  tags = local.tags

  providers = {
    aws           = aws
    aws.secondary = aws.secondary
  }
}

# ---- VPC ----
module "vpc_primary" {
  source = "./modules/vpc"

  name                 = "${local.name}-primary"
  cidr                 = var.vpc_cidr_primary
  single_nat_gateway   = var.single_nat_gateway
  flow_log_kms_key_arn = module.kms.primary_key_arns["logs"]
  interface_endpoints  = var.ssm_vpc_endpoints ? ["ssm", "ssmmessages", "ec2messages"] : []
  tags                 = local.tags

  providers = {
    aws = aws
  }
}

module "vpc_secondary" {
  source = "./modules/vpc"

  name                 = "${local.name}-secondary"
  cidr                 = var.vpc_cidr_secondary
  single_nat_gateway   = var.single_nat_gateway
  flow_log_kms_key_arn = module.kms.secondary_key_arns["logs"]
  interface_endpoints  = var.ssm_vpc_endpoints ? ["ssm", "ssmmessages", "ec2messages"] : []
  tags                 = local.tags

  providers = {
    aws = aws.secondary
  }
}

# ---- Security groups ----
module "security_groups_primary" {
  source = "./modules/security_groups"

  name     = "${local.name}-primary"
  vpc_id   = module.vpc_primary.vpc_id
  app_port = var.app_port
  tags     = local.tags

  providers = {
    aws = aws
  }
}

module "security_groups_secondary" {
  source = "./modules/security_groups"

  name     = "${local.name}-secondary"
  vpc_id   = module.vpc_secondary.vpc_id
  app_port = var.app_port
  tags     = local.tags

  providers = {
    aws = aws.secondary
  }
}

# ---- IAM ----
module "iam" {
  source = "./modules/iam"

  name                = local.name
  primary_region      = var.aws_region
  secondary_region    = var.secondary_region
  db_secret_name      = module.rds.master_secret_name
  dynamodb_table_arns = [module.dynamodb.table_arn, module.dynamodb.replica_arn]
  lease_table_name    = var.lease_table_name
  kms_key_arns = [
    module.kms.primary_key_arns["secrets"],
    module.kms.secondary_key_arns["secrets"],
    module.kms.primary_key_arns["dynamodb"],
    module.kms.secondary_key_arns["dynamodb"],
  ]
  app_artifact_s3_uri = var.app_artifact_s3_uri
  tags                = local.tags
}

# ---- Aurora Global Database ----
# Aurora global clusters cannot use RDS-managed master passwords, so one is generated here by
# Secrets Manager's GetRandomPassword (the provider's own ephemeral resource: no extra provider,
# but the deployer needs secretsmanager:GetRandomPassword). Ephemeral, and modules/rds uses it
# only in write-only arguments: it is never in the plan, the state or an output. It lives here,
# not in modules/rds, because mock providers cannot open ephemeral resources (Terraform 1.11)
# and modules/rds has a `terraform test`.
ephemeral "aws_secretsmanager_random_password" "db_master" {
  password_length = 40
  # Aurora MySQL refuses / " @ and space; $ & ' ; < > \ ` | ~ are excluded too so the password
  # survives shells and connection strings unquoted (the same set as before).
  exclude_characters = "\"$&'/;<>@\\`|~"
  include_space      = false
}

module "rds" {
  source = "./modules/rds"

  name                          = local.name
  engine_version                = var.aurora_engine_version
  instance_class                = var.aurora_instance_class
  primary_instance_count        = var.aurora_primary_instance_count
  general_log                   = var.aurora_general_log
  master_password               = ephemeral.aws_secretsmanager_random_password.db_master.random_password
  master_password_version       = var.master_password_version
  deletion_protection           = var.deletion_protection
  backup_retention_days         = var.aurora_backup_retention_days
  monitoring_role_arn           = module.iam.rds_monitoring_role_arn
  primary_subnet_ids            = module.vpc_primary.private_subnet_ids
  primary_security_group_id     = module.security_groups_primary.db_sg_id
  primary_kms_key_arn           = module.kms.primary_key_arns["rds"]
  secondary_subnet_ids          = module.vpc_secondary.private_subnet_ids
  secondary_security_group_id   = module.security_groups_secondary.db_sg_id
  secondary_kms_key_arn         = module.kms.secondary_key_arns["rds"]
  secrets_kms_key_arn           = module.kms.primary_key_arns["secrets"]
  secrets_kms_key_arn_secondary = module.kms.secondary_key_arns["secrets"]
  secondary_region              = var.secondary_region
  tags                          = local.tags

  providers = {
    aws           = aws
    aws.secondary = aws.secondary
  }
}

# ---- DynamoDB global table ----
module "dynamodb" {
  source = "./modules/dynamodb"

  name                  = local.name
  deletion_protection   = var.deletion_protection
  primary_kms_key_arn   = module.kms.primary_key_arns["dynamodb"]
  secondary_region      = var.secondary_region
  secondary_kms_key_arn = module.kms.secondary_key_arns["dynamodb"]
  tags                  = local.tags

  providers = {
    aws = aws
  }
}

# ---- ALB ----
module "alb_primary" {
  source = "./modules/alb"

  name                = "${local.name}-p"
  vpc_id              = module.vpc_primary.vpc_id
  public_subnet_ids   = module.vpc_primary.public_subnet_ids
  security_group_id   = module.security_groups_primary.alb_sg_id
  certificate_arn     = var.certificate_arn_primary
  app_port            = var.app_port
  deletion_protection = var.deletion_protection
  tags                = local.tags

  providers = {
    aws = aws
  }
}

module "alb_secondary" {
  source = "./modules/alb"

  name                = "${local.name}-s"
  vpc_id              = module.vpc_secondary.vpc_id
  public_subnet_ids   = module.vpc_secondary.public_subnet_ids
  security_group_id   = module.security_groups_secondary.alb_sg_id
  certificate_arn     = var.certificate_arn_secondary
  app_port            = var.app_port
  deletion_protection = var.deletion_protection
  tags                = local.tags

  providers = {
    aws = aws.secondary
  }
}

# ---- WAF (both regions) ----
module "waf_primary" {
  source = "./modules/waf"

  name                     = "${local.name}-primary"
  alb_arn                  = module.alb_primary.alb_arn
  rate_limit_per_5_minutes = var.waf_rate_limit_per_5_minutes
  logs_kms_key_arn         = module.kms.primary_key_arns["logs"]
  tags                     = local.tags

  providers = {
    aws = aws
  }
}

module "waf_secondary" {
  source = "./modules/waf"

  name                     = "${local.name}-secondary"
  alb_arn                  = module.alb_secondary.alb_arn
  rate_limit_per_5_minutes = var.waf_rate_limit_per_5_minutes
  logs_kms_key_arn         = module.kms.secondary_key_arns["logs"]
  tags                     = local.tags

  providers = {
    aws = aws.secondary
  }
}

# ---- ASG ----
module "asg_primary" {
  source = "./modules/asg"

  name                  = local.primary_asg_name
  instance_type         = var.ec2_instance_type
  instance_profile_name = module.iam.app_instance_profile_name
  security_group_id     = module.security_groups_primary.app_sg_id
  subnet_ids            = module.vpc_primary.private_subnet_ids
  ebs_kms_key_arn       = module.kms.primary_key_arns["ebs"]
  target_group_arns     = [module.alb_primary.target_group_arn]
  min_size              = var.asg_min_capacity
  max_size              = var.asg_max_capacity
  desired_capacity      = var.asg_desired_capacity
  app_artifact_s3_uri   = var.app_artifact_s3_uri
  app_port              = var.app_port
  # dr-app's own environment variables (`dr-app --help`; tests/app check the names).
  app_config = {
    DR_REGION         = var.aws_region
    DR_DB_WRITER      = "${module.rds.primary_endpoint}:${module.rds.port}"
    DR_DB_READER      = "${module.rds.primary_reader_endpoint}:${module.rds.port}"
    DR_DB_NAME        = module.rds.database_name
    DR_DB_SECRET_ID   = module.rds.master_secret_name
    DR_SESSIONS_TABLE = module.dynamodb.table_name
    DR_LEASE_TABLE    = var.lease_table_name
  }
  tags = local.tags

  providers = {
    aws = aws
  }
}

# Warm standby: standby_asg_capacity instances serve in the secondary region all the time; the
# controller scales it to asg_desired_capacity on failover.
module "asg_secondary" {
  source = "./modules/asg"

  name                  = local.secondary_asg_name
  instance_type         = var.ec2_instance_type
  instance_profile_name = module.iam.app_instance_profile_name
  security_group_id     = module.security_groups_secondary.app_sg_id
  subnet_ids            = module.vpc_secondary.private_subnet_ids
  ebs_kms_key_arn       = module.kms.secondary_key_arns["ebs"]
  target_group_arns     = [module.alb_secondary.target_group_arn]
  min_size              = var.standby_asg_capacity
  max_size              = var.asg_max_capacity
  desired_capacity      = var.standby_asg_capacity
  app_artifact_s3_uri   = var.app_artifact_s3_uri
  app_port              = var.app_port
  # dr-app's own environment variables (`dr-app --help`; tests/app check the names).
  app_config = {
    DR_REGION         = var.secondary_region
    DR_DB_WRITER      = "${module.rds.secondary_endpoint}:${module.rds.port}"
    DR_DB_READER      = "${module.rds.secondary_reader_endpoint}:${module.rds.port}"
    DR_DB_NAME        = module.rds.database_name
    DR_DB_SECRET_ID   = module.rds.master_secret_name
    DR_SESSIONS_TABLE = module.dynamodb.table_name
    DR_LEASE_TABLE    = var.lease_table_name
  }
  tags = local.tags

  providers = {
    aws = aws.secondary
  }
}

# ---- Route 53 ----
module "route53" {
  source = "./modules/route53"

  name                           = local.name
  zone_id                        = var.route53_zone_id
  record_name                    = var.app_domain_name
  ttl_seconds                    = var.dns_ttl_seconds
  primary_alb_dns_name           = module.alb_primary.alb_dns_name
  secondary_alb_dns_name         = module.alb_secondary.alb_dns_name
  https                          = var.certificate_arn_primary != null
  health_check_interval_seconds  = var.health_check_interval_seconds
  health_check_failure_threshold = var.health_check_failure_threshold
  secondary_region               = var.secondary_region
  tags                           = local.tags

  providers = {
    aws           = aws
    aws.secondary = aws.secondary
  }
}

# ---- Monitoring ----
module "monitoring" {
  source = "./modules/monitoring"

  name                            = local.name
  primary_sns_kms_key_arn         = module.kms.primary_key_arns["sns"]
  secondary_sns_kms_key_arn       = module.kms.secondary_key_arns["sns"]
  alert_emails                    = var.alert_emails
  primary_alb_arn_suffix          = module.alb_primary.alb_arn_suffix
  primary_target_group_arn_suffix = module.alb_primary.target_group_arn_suffix
  primary_cluster_id              = module.rds.primary_cluster_id
  dynamodb_table_name             = module.dynamodb.table_name
  secondary_region                = var.secondary_region
  secondary_cluster_id            = module.rds.secondary_cluster_id
  replication_lag_alarm_seconds   = var.replication_lag_alarm_seconds
  rpo_target_seconds              = var.rpo_target_seconds
  controller_function_name        = module.lambda.function_name
  controller_schedule_minutes     = var.controller_interval_minutes
  tags                            = local.tags

  providers = {
    aws           = aws
    aws.secondary = aws.secondary
  }
}

# ---- Failover controller (secondary region) ----
module "lambda" {
  source = "./modules/lambda"

  name                   = local.name
  package_path           = var.controller_package_path
  schedule_minutes       = var.controller_interval_minutes
  tick_seconds           = var.controller_tick_seconds
  aws_poll_ms            = var.controller_aws_poll_ms
  timeout_seconds        = local.controller_timeout_seconds
  deletion_protection    = var.deletion_protection
  kms_key_arn            = module.kms.secondary_key_arns["lambda"]
  logs_kms_key_arn       = module.kms.secondary_key_arns["logs"]
  dynamodb_kms_key_arn   = module.kms.secondary_key_arns["dynamodb"]
  primary_region         = var.aws_region
  secondary_region       = var.secondary_region
  global_cluster_id      = module.rds.global_cluster_id
  global_cluster_arn     = module.rds.global_cluster_arn
  cluster_arns           = [module.rds.primary_cluster_arn, module.rds.secondary_cluster_arn]
  primary_asg_name       = local.primary_asg_name
  secondary_asg_name     = local.secondary_asg_name
  failover_capacity      = var.asg_desired_capacity
  sns_topic_arns         = [module.monitoring.sns_topic_arn, module.monitoring.secondary_sns_topic_arn]
  db_secret_name         = module.rds.master_secret_name
  secrets_kms_key_arns   = [module.kms.primary_key_arns["secrets"], module.kms.secondary_key_arns["secrets"]]
  primary_health_url     = "${var.certificate_arn_primary != null ? "https" : "http"}://${module.alb_primary.alb_dns_name}/health/deep"
  app_urls               = local.app_urls
  target_group_arns      = [module.alb_primary.target_group_arn, module.alb_secondary.target_group_arn]
  app_table_name         = module.dynamodb.table_name
  lease_table_name       = var.lease_table_name
  app_table_arns         = [module.dynamodb.table_arn, module.dynamodb.replica_arn]
  app_table_kms_key_arns = [module.kms.primary_key_arns["dynamodb"], module.kms.secondary_key_arns["dynamodb"]]
  force_failover = {
    namespace   = module.route53.force_failover.namespace
    metric_name = module.route53.force_failover.metric_name
  }
  tags = local.tags

  providers = {
    aws = aws.secondary
  }
}

# ---- Witness (third region) ----
# The controller fails a region over only when the witness agrees; it is the controller's zip
# with handler "witness", voting into the controller's state table.
module "witness" {
  source = "./modules/witness"

  name                    = local.name
  package_path            = var.controller_package_path
  schedule_minutes        = var.controller_interval_minutes
  tick_seconds            = var.controller_tick_seconds
  timeout_seconds         = local.controller_timeout_seconds
  primary_region          = var.aws_region
  secondary_region        = var.secondary_region
  global_cluster_id       = module.rds.global_cluster_id
  global_cluster_arn      = module.rds.global_cluster_arn
  app_urls                = local.app_urls
  state_table_name        = module.lambda.state_table_name
  state_table_arn         = module.lambda.state_table_arn
  state_table_kms_key_arn = module.kms.secondary_key_arns["dynamodb"]
  tags                    = local.tags

  providers = {
    aws = aws.witness
  }
}

# ---- Backup ----
module "backup" {
  source = "./modules/backup"

  name                  = local.name
  primary_kms_key_arn   = module.kms.primary_key_arns["backup"]
  secondary_kms_key_arn = module.kms.secondary_key_arns["backup"]
  iam_role_arn          = module.iam.backup_role_arn
  resource_arns         = [module.rds.primary_cluster_arn, module.dynamodb.table_arn]
  restore_testing_resources = {
    aurora   = { arn = module.rds.primary_cluster_arn, type = "Aurora" }
    sessions = { arn = module.dynamodb.table_arn, type = "DynamoDB" }
  }
  tags = local.tags

  providers = {
    aws           = aws
    aws.secondary = aws.secondary
  }
}

# ---- AWS Config (both regions) ----
module "config_primary" {
  source = "./modules/config"

  name                    = "${local.name}-primary"
  record_global_resources = true
  multi_az_expected       = true
  tags                    = local.tags

  providers = {
    aws = aws
  }
}

module "config_secondary" {
  source = "./modules/config"

  name                    = "${local.name}-secondary"
  record_global_resources = false
  # The secondary cluster runs one instance on purpose (README: What runs where).
  multi_az_expected = false
  tags              = local.tags

  providers = {
    aws = aws.secondary
  }
}
