# moto gap: see main_override.tf (no restore testing on moto).
output "restore_testing_plan_name" {
  value = null
}
