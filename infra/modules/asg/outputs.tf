# ---- Launch template ----
output "launch_template_id" {
  description = "ID of the launch template."
  value       = aws_launch_template.this.id
}

# ---- Auto Scaling group ----
output "asg_name" {
  description = "Name of the Auto Scaling group (what the controller scales)."
  value       = aws_autoscaling_group.this.name
}

output "asg_arn" {
  description = "ARN of the Auto Scaling group."
  value       = aws_autoscaling_group.this.arn
}
