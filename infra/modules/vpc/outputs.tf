# ---- VPC ----
output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

# ---- Subnets ----
output "public_subnet_ids" {
  description = "Public subnets (ALB, NAT gateways), one per AZ."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets (instances, Aurora), one per AZ."
  value       = aws_subnet.private[*].id
}

output "azs" {
  description = "The availability zones used."
  value       = local.azs
}

# ---- NAT gateways ----
output "nat_gateway_count" {
  description = "NAT gateways created (cost: ~$33/month each plus data)."
  value       = local.nat_count
}

# ---- Flow logs ----
output "flow_log_group_name" {
  description = "CloudWatch log group holding the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}

output "interface_endpoint_ids" {
  description = "Interface endpoint IDs by service short name."
  value       = { for k, e in aws_vpc_endpoint.interface : k => e.id }
}
