# ---- Function ----
output "function_arn" {
  description = "ARN of the witness."
  value       = aws_lambda_function.this.arn
}

output "function_name" {
  description = "Name of the witness."
  value       = aws_lambda_function.this.function_name
}

output "role_arn" {
  description = "Role of the witness."
  value       = aws_iam_role.this.arn
}

output "region" {
  description = "The region the witness runs in."
  value       = local.region
}
