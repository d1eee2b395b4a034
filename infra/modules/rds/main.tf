# Aurora Global Database: a writer cluster in the primary region (Multi-AZ) and a read-only
# secondary cluster in the secondary region, replicated by storage (typically < 1 s lag), which
# the controller promotes with FailoverGlobalCluster (planned: SwitchoverGlobalCluster).

locals {
  final_snapshot_suffix = formatdate("YYYYMMDDhhmm", plantimestamp())
}

# ---- Credentials ----
# Aurora global clusters cannot use RDS-managed (Secrets Manager) master passwords, so the caller
# generates one (the root: Secrets Manager GetRandomPassword, an ephemeral resource) and passes it
# in as an ephemeral variable. Both uses here are write-only (Terraform >= 1.11): it is never
# stored in state or plan; bump master_password_version to rotate it.

resource "aws_secretsmanager_secret" "master" {
  name                    = "${var.name}/aurora/master"
  description             = "Aurora master credentials of ${var.name}; replicated so the secondary region can read them when the primary is down"
  kms_key_id              = var.secrets_kms_key_arn
  recovery_window_in_days = 30
  tags                    = var.tags

  replica {
    region     = var.secondary_region
    kms_key_id = var.secrets_kms_key_arn_secondary
  }
}

resource "aws_secretsmanager_secret_version" "master" {
  secret_id = aws_secretsmanager_secret.master.id
  secret_string_wo = jsonencode({
    engine   = "mysql"
    username = var.master_username
    password = var.master_password
    dbname   = var.database_name
    port     = 3306
  })
  secret_string_wo_version = var.master_password_version
}

# ---- Global cluster ----
resource "aws_rds_global_cluster" "this" {
  global_cluster_identifier = "${var.name}-global"
  engine                    = "aurora-mysql"
  engine_version            = var.engine_version
  database_name             = var.database_name
  storage_encrypted         = true
  deletion_protection       = var.deletion_protection
}

# ---- Parameter groups ----
# The audit log export needs the server audit plugin turned on.
resource "aws_rds_cluster_parameter_group" "primary" {
  name_prefix = "${var.name}-primary-"
  family      = "aurora-mysql8.0"
  description = "dr-app: audit logging (and the general log when asked)"
  tags        = var.tags

  parameter {
    name  = "server_audit_logging"
    value = "1"
  }

  parameter {
    name  = "server_audit_events"
    value = "CONNECT,QUERY_DCL,QUERY_DDL"
  }

  # Every statement, for debugging only: it costs I/O and log storage.
  dynamic "parameter" {
    for_each = var.general_log ? { general_log = "1", log_output = "FILE" } : {}

    content {
      name  = parameter.key
      value = parameter.value
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_rds_cluster_parameter_group" "secondary" {
  provider = aws.secondary

  name_prefix = "${var.name}-secondary-"
  family      = "aurora-mysql8.0"
  description = "dr-app: audit logging (and the general log when asked)"
  tags        = var.tags

  parameter {
    name  = "server_audit_logging"
    value = "1"
  }

  parameter {
    name  = "server_audit_events"
    value = "CONNECT,QUERY_DCL,QUERY_DDL"
  }

  # Every statement, for debugging only: it costs I/O and log storage.
  dynamic "parameter" {
    for_each = var.general_log ? { general_log = "1", log_output = "FILE" } : {}

    content {
      name  = parameter.key
      value = parameter.value
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

# ---- Primary cluster ----
resource "aws_db_subnet_group" "primary" {
  name_prefix = "${var.name}-primary-"
  subnet_ids  = var.primary_subnet_ids
  tags        = var.tags
}

resource "aws_rds_cluster" "primary" {
  cluster_identifier              = "${var.name}-primary"
  global_cluster_identifier       = aws_rds_global_cluster.this.id
  engine                          = aws_rds_global_cluster.this.engine
  engine_version                  = aws_rds_global_cluster.this.engine_version
  database_name                   = var.database_name
  master_username                 = var.master_username
  master_password_wo              = var.master_password
  master_password_wo_version      = var.master_password_version
  db_subnet_group_name            = aws_db_subnet_group.primary.name
  vpc_security_group_ids          = [var.primary_security_group_id]
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.primary.name
  storage_encrypted               = true
  kms_key_id                      = var.primary_kms_key_arn
  backup_retention_period         = var.backup_retention_days
  preferred_backup_window         = "03:00-04:00"
  preferred_maintenance_window    = "mon:04:30-mon:05:30"
  copy_tags_to_snapshot           = true
  deletion_protection             = var.deletion_protection
  skip_final_snapshot             = false
  final_snapshot_identifier       = "${var.name}-primary-final-${local.final_snapshot_suffix}"
  enabled_cloudwatch_logs_exports = concat(["audit", "error", "slowquery"], var.general_log ? ["general"] : [])
  tags                            = merge(var.tags, { Role = "primary" })

  lifecycle {
    ignore_changes = [
      # After a failover this cluster may be the secondary (or detached and re-added); the
      # controller, not the next apply, decides global membership.
      global_cluster_identifier,
      # Set by AWS when this cluster becomes a replica after a failover; clearing it would
      # detach the cluster from the global database.
      replication_source_identifier,
      # The final snapshot name carries the plan time; it only matters at destroy.
      final_snapshot_identifier,
      # Global databases upgrade from the global cluster; members follow it.
      engine_version,
    ]
  }
}

resource "aws_rds_cluster_instance" "primary" {
  count = var.primary_instance_count

  identifier                            = "${var.name}-primary-${count.index + 1}"
  cluster_identifier                    = aws_rds_cluster.primary.id
  instance_class                        = var.instance_class
  engine                                = aws_rds_cluster.primary.engine
  engine_version                        = aws_rds_cluster.primary.engine_version
  db_subnet_group_name                  = aws_db_subnet_group.primary.name
  publicly_accessible                   = false
  auto_minor_version_upgrade            = true
  monitoring_interval                   = var.monitoring_interval
  monitoring_role_arn                   = var.monitoring_role_arn
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.primary_kms_key_arn
  performance_insights_retention_period = var.performance_insights_retention_days
  promotion_tier                        = count.index
  tags                                  = merge(var.tags, { Role = "primary" })

  lifecycle {
    # Members follow the global cluster's version (see aws_rds_cluster.primary).
    ignore_changes = [engine_version]
  }
}

# ---- Secondary cluster ----
resource "aws_db_subnet_group" "secondary" {
  provider = aws.secondary

  name_prefix = "${var.name}-secondary-"
  subnet_ids  = var.secondary_subnet_ids
  tags        = var.tags
}

resource "aws_rds_cluster" "secondary" {
  provider = aws.secondary

  cluster_identifier              = "${var.name}-secondary"
  global_cluster_identifier       = aws_rds_global_cluster.this.id
  engine                          = aws_rds_global_cluster.this.engine
  engine_version                  = aws_rds_global_cluster.this.engine_version
  db_subnet_group_name            = aws_db_subnet_group.secondary.name
  vpc_security_group_ids          = [var.secondary_security_group_id]
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.secondary.name
  storage_encrypted               = true
  kms_key_id                      = var.secondary_kms_key_arn
  backup_retention_period         = var.backup_retention_days
  preferred_backup_window         = "03:00-04:00"
  preferred_maintenance_window    = "tue:04:30-tue:05:30"
  copy_tags_to_snapshot           = true
  deletion_protection             = var.deletion_protection
  skip_final_snapshot             = false
  final_snapshot_identifier       = "${var.name}-secondary-final-${local.final_snapshot_suffix}"
  enabled_cloudwatch_logs_exports = concat(["audit", "error", "slowquery"], var.general_log ? ["general"] : [])
  tags                            = merge(var.tags, { Role = "secondary" })

  # The secondary can only join once the primary has a writer.
  depends_on = [aws_rds_cluster_instance.primary]

  lifecycle {
    ignore_changes = [
      # A failover makes this cluster the writer and may move global membership around; the
      # next apply must not try to undo it.
      global_cluster_identifier,
      # Changes whenever the global database's writer moves between regions.
      replication_source_identifier,
      # The final snapshot name carries the plan time; it only matters at destroy.
      final_snapshot_identifier,
      # Global databases upgrade from the global cluster; members follow it.
      engine_version,
    ]
  }
}

resource "aws_rds_cluster_instance" "secondary" {
  provider = aws.secondary
  count    = var.secondary_instance_count

  identifier                            = "${var.name}-secondary-${count.index + 1}"
  cluster_identifier                    = aws_rds_cluster.secondary.id
  instance_class                        = var.instance_class
  engine                                = aws_rds_cluster.secondary.engine
  engine_version                        = aws_rds_cluster.secondary.engine_version
  db_subnet_group_name                  = aws_db_subnet_group.secondary.name
  publicly_accessible                   = false
  auto_minor_version_upgrade            = true
  monitoring_interval                   = var.monitoring_interval
  monitoring_role_arn                   = var.monitoring_role_arn
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.secondary_kms_key_arn
  performance_insights_retention_period = var.performance_insights_retention_days
  promotion_tier                        = count.index
  tags                                  = merge(var.tags, { Role = "secondary" })

  lifecycle {
    # Members follow the global cluster's version (see aws_rds_cluster.primary).
    ignore_changes = [engine_version]
  }
}
