# moto gap: CreateBackupSelection answers HTTP 500 (not implemented) and the provider retries
# for minutes. On moto nothing is selected for backup.
resource "aws_backup_selection" "this" {
  count = 0
}
