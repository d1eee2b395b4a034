# ---- ALB ----
output "alb_sg_id" {
  description = "Security group of the ALB."
  value       = aws_security_group.alb.id
}

# ---- App ----
output "app_sg_id" {
  description = "Security group of the dr-app instances."
  value       = aws_security_group.app.id
}

# ---- Database ----
output "db_sg_id" {
  description = "Security group of the Aurora cluster."
  value       = aws_security_group.db.id
}
