# ---- State store ----
output "state_table_name" {
  description = "DynamoDB table holding the runbook's progress."
  value       = aws_dynamodb_table.state.name
}

# ---- Dead-letter queue ----
output "dlq_arn" {
  description = "Dead-letter queue of failed asynchronous invocations."
  value       = aws_sqs_queue.dlq.arn
}

# ---- Function ----
output "function_arn" {
  description = "ARN of the failover controller."
  value       = aws_lambda_function.this.arn
}

output "function_name" {
  description = "Name of the failover controller."
  value       = aws_lambda_function.this.function_name
}

output "role_arn" {
  description = "Role of the failover controller."
  value       = aws_iam_role.this.arn
}

output "environment" {
  description = "The controller's environment (no secrets: names, ARNs and URLs), for `drctl aws status --env-file`."
  value       = one(aws_lambda_function.this.environment).variables
}

output "state_table_arn" {
  description = "ARN of the state table (the witness writes its vote there)."
  value       = aws_dynamodb_table.state.arn
}
