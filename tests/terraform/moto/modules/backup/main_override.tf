# moto gap: CreateBackupSelection answers HTTP 500 (not implemented) and the provider retries
# for minutes. On moto nothing is selected for backup.
resource "aws_backup_selection" "this" {
  count = 0
}

# moto gap: the restore testing API (CreateRestoreTestingPlan, ...) is not implemented (HTTP
# 404). On moto no restore testing is set up; the terraform test of modules/backup covers it.
resource "aws_backup_restore_testing_plan" "this" {
  count = 0
}

resource "aws_backup_restore_testing_selection" "this" {
  for_each                  = {}
  restore_testing_plan_name = "none on moto"
}
