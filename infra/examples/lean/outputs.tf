output "app_fqdn" {
  description = "Name users resolve (Route 53 failover records)."
  value       = module.dr_app.app_fqdn
}

output "rto_rpo_summary" {
  description = "The DR budget this configuration meets."
  value       = module.dr_app.rto_rpo_summary
}

output "global_cluster_id" {
  description = "Aurora global cluster the controller fails over."
  value       = module.dr_app.global_cluster_id
}

output "secondary_aurora_endpoint" {
  description = "Writer endpoint of the secondary cluster (writable after a failover)."
  value       = module.dr_app.secondary_aurora_endpoint
}

output "db_secret_name" {
  description = "Secrets Manager name of the database credentials (same name in both regions)."
  value       = module.dr_app.db_secret_name
}

output "lambda_failover_function" {
  description = "ARN of the failover controller (secondary region)."
  value       = module.dr_app.lambda_failover_function
}
