# moto only: the example's zone is the one moto_zone.tf creates; it runs as staging so that it
# can be destroyed (deletion protection off), with a suffix named after the example ("@EXAMPLE@"
# is replaced by the script) so that two examples never share a name.
module "dr_app" {
  route53_zone_id     = aws_route53_zone.moto.zone_id
  environment         = "staging"
  resource_suffix     = "@EXAMPLE@"
  deletion_protection = false
}
