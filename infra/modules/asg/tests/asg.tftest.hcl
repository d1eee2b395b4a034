# terraform test (offline, mock provider): an app fleet that failover can scale and that a later
# apply leaves alone.
mock_provider "aws" {
  mock_resource "aws_launch_template" {
    defaults = {
      id = "lt-0123456789abcdef0"
    }
  }

  mock_data "aws_ssm_parameter" {
    defaults = {
      value = "ami-0123456789abcdef0"
    }
  }
}

variables {
  name                  = "dr-test-secondary"
  instance_profile_name = "dr-test-app"
  security_group_id     = "sg-app"
  subnet_ids            = ["subnet-a", "subnet-b"]
  ebs_kms_key_arn       = "arn:aws:kms:us-west-2:111122223333:key/ebs"
  min_size              = 1
  max_size              = 10
  desired_capacity      = 1
  target_group_arns     = ["arn:aws:elasticloadbalancing:us-west-2:111122223333:targetgroup/app/1"]
  app_artifact_s3_uri   = "s3://artifacts/dr-app-1.0.tar.gz"
  app_config = {
    DR_REGION = "us-west-2"
  }
}

run "warm_standby" {
  command = apply

  assert {
    condition     = aws_autoscaling_group.this.desired_capacity == 1 && aws_autoscaling_group.this.min_size == 1
    error_message = "The standby must run the capacity it is given (1: warm standby)."
  }

  assert {
    condition     = aws_autoscaling_group.this.health_check_type == "ELB" && toset(aws_autoscaling_group.this.target_group_arns) == toset(var.target_group_arns)
    error_message = "Instances must be replaced when the load balancer finds them unhealthy."
  }

  assert {
    condition     = one(aws_launch_template.this.metadata_options).http_tokens == "required" && one(aws_launch_template.this.network_interfaces).associate_public_ip_address == "false"
    error_message = "IMDSv2 only, no public IPs."
  }

  assert {
    condition     = one(one(aws_launch_template.this.block_device_mappings).ebs).kms_key_id == var.ebs_kms_key_arn
    error_message = "Root volumes are encrypted with the region's EBS key."
  }

  assert {
    condition     = strcontains(base64decode(aws_launch_template.this.user_data), var.app_artifact_s3_uri)
    error_message = "Instances install the release named by app_artifact_s3_uri."
  }

  assert {
    condition     = strcontains(base64decode(aws_launch_template.this.user_data), "aws-xray-daemon") && strcontains(base64decode(aws_launch_template.this.user_data), "AWS_XRAY_DAEMON_ADDRESS=127.0.0.1:2000")
    error_message = "X-Ray is on by default: the daemon is installed and dr-app is told where it listens."
  }
}

run "without_xray" {
  command = apply

  variables {
    xray_tracing = false
  }

  assert {
    condition     = !strcontains(base64decode(aws_launch_template.this.user_data), "xray")
    error_message = "xray_tracing = false installs no daemon and sends no segments."
  }
}
