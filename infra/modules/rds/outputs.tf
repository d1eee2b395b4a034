# ---- Credentials ----
output "master_secret_arn" {
  description = "ARN of the master credentials secret (primary region; the replica has the same name in the secondary region)."
  value       = aws_secretsmanager_secret.master.arn
}

output "master_secret_name" {
  description = "Name of the master credentials secret, the same in both regions."
  value       = aws_secretsmanager_secret.master.name
}

# ---- Global cluster ----
output "global_cluster_id" {
  description = "Identifier of the Aurora global cluster (what FailoverGlobalCluster takes)."
  value       = aws_rds_global_cluster.this.id
}

output "global_cluster_arn" {
  description = "ARN of the Aurora global cluster."
  value       = aws_rds_global_cluster.this.arn
}

# ---- Primary cluster ----
output "primary_cluster_id" {
  description = "Identifier of the primary-region cluster."
  value       = aws_rds_cluster.primary.id
}

output "primary_cluster_arn" {
  description = "ARN of the primary-region cluster."
  value       = aws_rds_cluster.primary.arn
}

output "primary_endpoint" {
  description = "Writer endpoint of the primary-region cluster."
  value       = aws_rds_cluster.primary.endpoint
}

output "primary_reader_endpoint" {
  description = "Reader endpoint of the primary-region cluster."
  value       = aws_rds_cluster.primary.reader_endpoint
}

# ---- Secondary cluster ----
output "secondary_cluster_id" {
  description = "Identifier of the secondary-region cluster."
  value       = aws_rds_cluster.secondary.id
}

output "secondary_cluster_arn" {
  description = "ARN of the secondary-region cluster."
  value       = aws_rds_cluster.secondary.arn
}

output "secondary_endpoint" {
  description = "Cluster endpoint of the secondary-region cluster (becomes the writer after a failover)."
  value       = aws_rds_cluster.secondary.endpoint
}

output "secondary_reader_endpoint" {
  description = "Reader endpoint of the secondary-region cluster."
  value       = aws_rds_cluster.secondary.reader_endpoint
}

# ---- What the apps connect with ----
output "database_name" {
  description = "The database (schema) the apps use."
  value       = var.database_name
}

output "port" {
  description = "The clusters' MySQL port."
  value       = aws_rds_cluster.primary.port
}
