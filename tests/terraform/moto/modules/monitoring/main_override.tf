# moto gap: PutCompositeAlarm answers HTTP 500 (not implemented) and the provider retries for
# minutes. On moto the composite alarm is not created.
resource "aws_cloudwatch_composite_alarm" "primary_region_failure" {
  count = 0
}
