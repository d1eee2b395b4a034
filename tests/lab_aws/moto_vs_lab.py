#!/usr/bin/env python3
"""Runs the same AWS calls against moto and against the lab's AWS endpoint and compares the
shapes of the answers (issue 11: "for operations moto also implements, a test runs the same call
sequence against moto and against the lab and compares the response key sets").

Usage: moto_vs_lab.py MOTO_URL LAB_URL KEY SECRET (KEY/SECRET: the lab's; moto takes any).

First it creates in moto what the lab has (docs/lab-aws-endpoint.md, "The mapping"), as far as
moto can; then, for every operation both implement, it calls both with botocore, which parses
each answer with the service model, and compares the parsed answers' flattened key paths (lists
as `[]`, ResponseMetadata left out); for an error, the Error Code and the HTTP status. The lab's
key set must equal moto's but for ALLOWED below: one entry per key path, `-path` a key moto
answers and the lab does not, `+path` one the lab answers and moto does not, each with its
reason. An allowed difference that no longer occurs fails too (the list stays exact).

Prints one line per operation (`ok` or the difference), then `all passed`; exit 0 when every
operation matched, 1 otherwise, 77 when this interpreter has no botocore."""
import sys

try:
    import botocore
    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError as e:  # the caller skips this interpreter, saying why
    print(f"SKIP no botocore: {e}")
    sys.exit(77)

import datetime
import functools
import json
import time

moto_url, lab_url, key, secret = sys.argv[1:5]
session = botocore.session.get_session()
print(f"botocore {botocore.__version__}")

ACCOUNT = "000000000000"
GLOBAL = "dr-lab"
REGIONS = {"us-east-1": ["a1", "a2"], "us-west-2": ["b1"]}
ZONE_NAME = "dr-lab.internal."
RECORD = "app.dr-lab.internal."

# What the lab answers differently from moto, per operation, and why. `-path`: moto answers it,
# the lab does not; `+path`: the lab answers it, moto does not. The reasons below are checked
# against the botocore service model (what AWS documents) and against what src/ reads.
BACKUP = "backups, snapshots and storage are not modelled (the servers are MariaDB processes); nothing of ours reads it"
NETWORK = "no VPC in the lab (loopback addresses, no subnets, security groups or DNS zones); nothing of ours reads it"
SETTINGS = "a setting the lab does not model (maintenance, parameter/option groups, IAM, logs, tags); nothing of ours reads it"
CREATED = "creation times: the lab's resources are not created through the API; nothing of ours reads them"
LAUNCH = "the lab's instances are dr-app processes the supervisor starts, no launch configuration; nothing of ours reads it"


def under(prefix, allowed):
    return {k[0] + prefix + k[1:]: v for k, v in allowed.items()}


CLUSTER = {
    "-AllocatedStorage": BACKUP, "-BackupRetentionPeriod": BACKUP, "-BacktrackWindow": BACKUP,
    "-EarliestRestorableTime": BACKUP, "-LatestRestorableTime": BACKUP,
    "-PreferredBackupWindow": BACKUP, "-StorageType": BACKUP, "-KmsKeyId": BACKUP,
    "-CopyTagsToSnapshot": BACKUP, "-CrossAccountClone": BACKUP,
    "-DBSubnetGroup": NETWORK, "-VpcSecurityGroups": NETWORK, "-HostedZoneId": NETWORK,
    "-NetworkType": NETWORK, "-PubliclyAccessible": NETWORK, "-HttpEndpointEnabled": NETWORK,
    "-AutoMinorVersionUpgrade": SETTINGS, "-PreferredMaintenanceWindow": SETTINGS,
    "-DBClusterParameterGroup": SETTINGS, "-DBClusterMembers[].DBClusterParameterGroupStatus":
    SETTINGS, "-EnabledCloudwatchLogsExports": SETTINGS, "-IAMDatabaseAuthenticationEnabled":
    SETTINGS, "-AssociatedRoles": SETTINGS, "-DomainMemberships": SETTINGS, "-TagList": SETTINGS,
    "-MasterUsername": "the login is the secret's (dr-lab/app-db), not the cluster's; nothing of ours reads it",
    "-ScalingConfigurationInfo": "Aurora Serverless v1 only (EngineMode provisioned); moto answers it for any cluster",
    "-GlobalWriteForwardingRequested": "write forwarding is not modelled: secondaries refuse writes; nothing of ours reads it",
    "-ReadReplicaIdentifiers": "cross-region read replica clusters, which the lab has none of (a global database's secondaries are in DescribeGlobalClusters)",
    "-ClusterCreateTime": CREATED,
}
INSTANCE = {
    "-AllocatedStorage": BACKUP, "-BackupRetentionPeriod": BACKUP, "-LatestRestorableTime": BACKUP,
    "-PreferredBackupWindow": BACKUP, "-StorageType": BACKUP, "-KmsKeyId": BACKUP,
    "-CopyTagsToSnapshot": BACKUP, "-DeletionProtection": "an Aurora instance's deletion protection is its cluster's (DescribeDBClusters has it)",
    "-VpcSecurityGroups": NETWORK, "-DBSecurityGroups": NETWORK,
    "-CACertificateIdentifier": "no TLS to the lab's servers; nothing of ours reads it",
    "-AutoMinorVersionUpgrade": SETTINGS, "-PreferredMaintenanceWindow": SETTINGS,
    "-DBParameterGroups": SETTINGS, "-DBParameterGroups[].DBParameterGroupName": SETTINGS,
    "-DBParameterGroups[].ParameterApplyStatus": SETTINGS, "-OptionGroupMemberships": SETTINGS,
    "-OptionGroupMemberships[].OptionGroupName": SETTINGS,
    "-OptionGroupMemberships[].Status": SETTINGS, "-EnabledCloudwatchLogsExports": SETTINGS,
    "-IAMDatabaseAuthenticationEnabled": SETTINGS, "-DomainMemberships": SETTINGS,
    "-TagList": SETTINGS, "-LicenseModel": SETTINGS,
    "-MasterUsername": "the login is the secret's (dr-lab/app-db); nothing of ours reads it",
    "-DBName": "the database name is the cluster's (DescribeDBClusters' DatabaseName); nothing of ours reads the instance's",
    "-DbInstancePort": "AWS answers 0 for an Aurora instance (the port is Endpoint.Port, which the lab answers)",
    "-MultiAZ": "an Aurora instance is in one AZ (AvailabilityZone, which the lab answers); Multi-AZ is the cluster's MultiAZ",
    "-ReadReplicaDBInstanceIdentifiers": "RDS (non-Aurora) read replicas: Aurora replicas are the cluster's DBClusterMembers",
    "-InstanceCreateTime": CREATED,
}
GROUP = {
    "-LaunchConfigurationName": LAUNCH, "-Instances[].LaunchConfigurationName": LAUNCH,
    "-CapacityRebalance": "Spot capacity rebalancing: no Spot in the lab; nothing of ours reads it",
    "-EnabledMetrics": "the group's CloudWatch metrics are not published; nothing of ours reads them",
    "-LoadBalancerNames": "Classic Load Balancers: the lab's ALBs are TargetGroupARNs, which it answers",
    "-NewInstancesProtectedFromScaleIn": "scale-in protection is not modelled (each instance's ProtectedFromScaleIn is false)",
    "-ServiceLinkedRoleARN": "no IAM in the lab; nothing of ours reads it",
    "-SuspendedProcesses": "suspending scaling processes is not modelled; nothing of ours reads it",
    "-TerminationPolicies": "the supervisor stops the newest instances first, no policy to name; nothing of ours reads it",
    "-Tags": SETTINGS,
}
ALLOWED = {
    "rds DescribeGlobalClusters": {
        "+GlobalClusters[].GlobalClusterMembers[].SynchronizationStatus": "AWS documents it for a secondary member and the controller reads it; moto omits it",
        "-GlobalClusters[].Endpoint": "no single global writer endpoint address in the lab: each region's writer endpoint follows the writer (DescribeDBClusters' Endpoint, which dr-app uses)",
        "-GlobalClusters[].GlobalClusterMembers[].GlobalWriteForwardingStatus": "write forwarding is not modelled: secondaries refuse writes; src/aws parses it, nothing acts on it",
        "-GlobalClusters[].TagList": SETTINGS,
        "+GlobalClusters[].DatabaseName": "AWS documents it; moto's CreateGlobalCluster drops it",
    },
    "rds DescribeDBClusters us-east-1": under("DBClusters[].", CLUSTER),
    "rds DescribeDBClusters us-west-2": {
        **under("DBClusters[].", CLUSTER),
        "+DBClusters[].ReplicationSourceIdentifier": "AWS documents it (the primary cluster's ARN) and src/aws parses it; moto's secondary omits it",
    },
    "rds DescribeDBInstances us-east-1": under("DBInstances[].", INSTANCE),
    "rds DescribeDBInstances us-west-2": under("DBInstances[].", INSTANCE),
    "rds FailoverDBCluster": under("DBCluster.", CLUSTER),
    "rds RebootDBInstance ForceFailover": under("DBInstance.", INSTANCE),
    "autoscaling DescribeAutoScalingGroups us-east-1": under("AutoScalingGroups[].", GROUP),
    "autoscaling DescribeAutoScalingGroups us-west-2": under("AutoScalingGroups[].", GROUP),
    "elbv2 DescribeTargetHealth us-east-1": {
        "+TargetHealthDescriptions[].Target.AvailabilityZone": "AWS documents the target's AZ; moto omits it",
    },
    "elbv2 DescribeTargetHealth us-west-2": {
        "+TargetHealthDescriptions[].Target.AvailabilityZone": "AWS documents the target's AZ; moto omits it",
    },
    "route53 ListHealthChecks": {
        "+IsTruncated": "AWS documents it as required; moto omits it",
        "+Marker": "AWS documents it as required; moto omits it",
        "+MaxItems": "AWS documents it as required; moto omits it",
        "+HealthChecks[].HealthCheckConfig.AlarmIdentifier": "the CLOUDWATCH_METRIC check's alarm, as created; moto drops it",
        "+HealthChecks[].HealthCheckConfig.AlarmIdentifier.Name": "the CLOUDWATCH_METRIC check's alarm, as created; moto drops it",
        "+HealthChecks[].HealthCheckConfig.AlarmIdentifier.Region": "the CLOUDWATCH_METRIC check's alarm, as created; moto drops it",
        "+HealthChecks[].HealthCheckConfig.InsufficientDataHealthStatus": "the CLOUDWATCH_METRIC check's setting, as created; moto drops it",
        "-HealthChecks[].HealthCheckConfig.Port": "the lab's ALB checks are HAProxy's, on the ALB's loopback port, not infra's 80/443; nothing of ours reads it",
        "-HealthChecks[].HealthCheckConfig.MeasureLatency": "latency graphs are not modelled; nothing of ours reads it",
        "-HealthChecks[].HealthCheckConfig.EnableSNI": "the lab's checks are plain HTTP; nothing of ours reads it",
    },
    "cloudwatch GetMetricData": {
        "+Messages": "AWS documents it (the call's warnings, empty here); moto omits it",
    },
    "cloudwatch DescribeAlarms": {
        "+MetricAlarms[].StateTransitionedTimestamp": "AWS documents it; moto omits it",
        "-MetricAlarms[].Metrics": "metric math alarms only: moto answers an empty list for a single-metric alarm",
        "-MetricAlarms[].StateReasonData": "the last evaluation's JSON detail (the lab says why in StateReason); nothing of ours reads it",
    },
    "dynamodb DescribeTable": {
        "+Table.BillingModeSummary.LastUpdateToPayPerRequestDateTime": "DynamoDB Local's answer (passed through): AWS documents it; moto omits it",
        "+Table.ProvisionedThroughput.LastDecreaseDateTime": "DynamoDB Local's answer (passed through): AWS documents it; moto omits it",
        "+Table.ProvisionedThroughput.LastIncreaseDateTime": "DynamoDB Local's answer (passed through): AWS documents it; moto omits it",
        "-Table.GlobalSecondaryIndexes": "moto answers an empty list for a table without indexes; AWS and DynamoDB Local omit it",
        "-Table.LocalSecondaryIndexes": "moto answers an empty list for a table without indexes; AWS and DynamoDB Local omit it",
        "-Table.WarmThroughput": "newer than DynamoDB Local (passed through unchanged); nothing of ours reads it",
        "-Table.WarmThroughput.ReadUnitsPerSecond": "newer than DynamoDB Local (passed through unchanged); nothing of ours reads it",
        "-Table.WarmThroughput.Status": "newer than DynamoDB Local (passed through unchanged); nothing of ours reads it",
        "-Table.WarmThroughput.WriteUnitsPerSecond": "newer than DynamoDB Local (passed through unchanged); nothing of ours reads it",
    },
}
# Error cases where moto and the lab part: the lab's (code, HTTP status), checked, and why.
ALLOWED_ERRORS = {
    "autoscaling SetDesiredCapacity above MaxSize (error)": (
        ("ValidationError", 400), "moto does not check the range; AWS documents ValidationError and the controller relies on it"),
    "autoscaling UpdateAutoScalingGroup MinSize above MaxSize (error)": (
        ("ValidationError", 400), "moto does not check MinSize <= MaxSize; AWS refuses it with ValidationError"),
    "secretsmanager GetSecretValue unknown (error)": (
        ("ResourceNotFoundException", 400), "moto answers 404; AWS's JSON errors are 400 (the model gives this one no other status)"),
}


@functools.lru_cache(maxsize=None)
def client(url, service, region):
    # No retries: an error is compared, not retried away.
    return session.create_client(service, region_name=region, endpoint_url=url,
                                 aws_access_key_id=key, aws_secret_access_key=secret,
                                 config=Config(retries={"max_attempts": 1}))


def moto(service, region="us-east-1"):
    return client(moto_url, service, region)


def lab(service, region="us-east-1"):
    return client(lab_url, service, region)


def flatten(value, path, out):
    if isinstance(value, dict):
        for k, v in value.items():
            p = f"{path}.{k}" if path else k
            out.add(p)
            flatten(v, p, out)
    elif isinstance(value, list):
        for v in value:
            flatten(v, path + "[]", out)


def shape(call):
    """The key paths of a call's parsed answer, or its error (code, HTTP status)."""
    try:
        answer = call()
    except ClientError as e:
        return None, (e.response["Error"].get("Code"),
                      e.response["ResponseMetadata"]["HTTPStatusCode"])
    answer.pop("ResponseMetadata", None)
    keys = set()
    flatten(answer, "", keys)
    return keys, None


def model_paths(service, operation):
    """Every key path this botocore's model gives the operation's answer: an allowed
    difference outside it cannot occur with this botocore (an older model), so is not stale."""
    out = set()

    def walk(shape, path, depth):
        if depth > 12:  # recursive shapes
            return
        if shape.type_name == "structure":
            for name, member in shape.members.items():
                p = f"{path}.{name}" if path else name
                out.add(p)
                walk(member, p, depth + 1)
        elif shape.type_name == "list":
            walk(shape.member, path + "[]", depth + 1)

    model = session.get_service_model(service).operation_model(operation)
    if model.output_shape is not None:
        walk(model.output_shape, "", 0)
    return out


failures = []


def compare(operation, on_moto, on_lab, model):
    """Calls both and prints the operation's line. on_moto/on_lab: callables; model: (botocore
    service name, operation name)."""
    mk, me = shape(on_moto)
    lk, le = shape(on_lab)
    allowed = ALLOWED.get(operation, {})
    problems = []
    if operation.endswith("(error)") and not le:
        problems.append("the lab answered where an error was asked for")
    if operation in ALLOWED_ERRORS:
        lab_error = ALLOWED_ERRORS[operation][0]
        if le != lab_error or me == le:
            problems.append(f"allowed: moto {me or 'answered'}, lab {lab_error}; "
                            f"seen: moto {me or 'answered'}, lab {le or 'answered'}")
    elif me or le:
        if me != le:
            problems.append(f"moto {me or 'answered'}, lab {le or 'answered'}")
    else:
        seen = {"-" + k for k in mk - lk} | {"+" + k for k in lk - mk}
        unexplained = sorted(seen - set(allowed))
        known = model_paths(*model)
        stale = sorted(k for k in set(allowed) - seen if k[1:] in known)
        if unexplained:
            problems.append("differs: " + " ".join(unexplained))
        if stale:
            problems.append("allowed but not seen (stale): " + " ".join(stale))
    if problems:
        failures.append(operation)
        print(f"FAIL {operation}: " + "; ".join(problems))
    else:
        note = f" ({len(allowed)} allowed differences)" if allowed else ""
        if operation in ALLOWED_ERRORS:
            note = f" (lab {le}, moto {me or 'answered'}: allowed)"
        print(f"ok   {operation}{' error ' + str(le) if le else ''}{note}")


def arn(service, region, resource):
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{resource}"


# ---- moto: what the lab has -----------------------------------------------------------------
# From a clean moto (this script owns the moto it is given), so it can run again.
import urllib.request

urllib.request.urlopen(urllib.request.Request(moto_url + "/moto-api/reset", method="POST"),
                       timeout=30).read()
moto("rds").create_global_cluster(GlobalClusterIdentifier=GLOBAL, Engine="aurora-mysql",
                                  DatabaseName="app")
for region, instances in REGIONS.items():
    rds = moto("rds", region)
    rds.create_db_cluster(DBClusterIdentifier=f"dr-lab-{region}", Engine="aurora-mysql",
                          GlobalClusterIdentifier=GLOBAL, DatabaseName="app",
                          MasterUsername="admin", MasterUserPassword="password123")
    for name in instances:
        rds.create_db_instance(DBInstanceIdentifier=name, DBClusterIdentifier=f"dr-lab-{region}",
                               Engine="aurora-mysql", DBInstanceClass="db.r6g.large")

moto_tg = {}
for region, instances in REGIONS.items():
    ec2 = moto("ec2", region)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    ami = ec2.describe_images()["Images"][0]["ImageId"]
    tg = moto("elbv2", region).create_target_group(
        Name=f"dr-lab-{region}", Protocol="HTTP", Port=80, VpcId=vpc["VpcId"],
        TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
    moto_tg[region] = tg
    asg = moto("autoscaling", region)
    asg.create_launch_configuration(LaunchConfigurationName=f"dr-lab-{region}", ImageId=ami,
                                    InstanceType="t3.micro")
    asg.create_auto_scaling_group(
        AutoScalingGroupName=f"dr-lab-{region}", LaunchConfigurationName=f"dr-lab-{region}",
        MinSize=1, MaxSize=4, DesiredCapacity=len(instances),
        AvailabilityZones=[f"{region}a", f"{region}b"][:len(instances)], TargetGroupARNs=[tg],
        HealthCheckType="ELB")

r53 = moto("route53")
moto_checks = {}
for name, region in (("dr-lab-primary-alb", "us-east-1"), ("dr-lab-secondary-alb", "us-west-2")):
    moto_checks[name] = r53.create_health_check(CallerReference=name, HealthCheckConfig={
        "Type": "HTTP", "FullyQualifiedDomainName": f"alb.{region}.dr-lab.internal",
        "Port": 80, "ResourcePath": "/healthz", "RequestInterval": 10,
        "FailureThreshold": 2})["HealthCheck"]["Id"]
moto_checks["dr-lab-not-forced"] = r53.create_health_check(
    CallerReference="dr-lab-not-forced", HealthCheckConfig={
        "Type": "CLOUDWATCH_METRIC", "InsufficientDataHealthStatus": "Healthy",
        "AlarmIdentifier": {"Region": "us-west-2", "Name": "dr-lab-force-failover"}})[
    "HealthCheck"]["Id"]
moto_checks["dr-lab-primary"] = r53.create_health_check(
    CallerReference="dr-lab-primary", HealthCheckConfig={
        "Type": "CALCULATED", "HealthThreshold": 2,
        "ChildHealthChecks": [moto_checks["dr-lab-primary-alb"],
                              moto_checks["dr-lab-not-forced"]]})["HealthCheck"]["Id"]
moto_zone = r53.create_hosted_zone(Name=ZONE_NAME, CallerReference="dr-lab", HostedZoneConfig={
    "PrivateZone": False})["HostedZone"]["Id"].split("/")[-1]


def record(identifier, failover, region, check):
    return {"Name": RECORD, "Type": "CNAME", "SetIdentifier": identifier, "Failover": failover,
            "TTL": 60, "ResourceRecords": [{"Value": f"alb.{region}.dr-lab.internal"}],
            "HealthCheckId": check}


r53.change_resource_record_sets(HostedZoneId=moto_zone, ChangeBatch={"Changes": [
    {"Action": "CREATE", "ResourceRecordSet": record("primary", "PRIMARY", "us-east-1",
                                                      moto_checks["dr-lab-primary"])},
    {"Action": "CREATE", "ResourceRecordSet": record("secondary", "SECONDARY", "us-west-2",
                                                      moto_checks["dr-lab-secondary-alb"])}]})

moto_topic = {}
for region in REGIONS:
    moto_topic[region] = moto("sns", region).create_topic(Name="dr-lab-notifications")["TopicArn"]
    moto("secretsmanager", region).create_secret(
        Name="dr-lab/app-db", SecretString=json.dumps({"username": "app", "password": "x"}))
    moto("dynamodb", region).create_table(
        TableName="dr-app-sessions", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
moto("cloudwatch", "us-west-2").put_metric_alarm(
    AlarmName="dr-lab-force-failover", Namespace="DrApp/Failover",
    MetricName="ForcePrimaryUnhealthy", Statistic="Maximum", Period=10, EvaluationPeriods=1,
    Threshold=1.0, ComparisonOperator="GreaterThanOrEqualToThreshold",
    TreatMissingData="ignore",
    AlarmDescription="Set by the failover controller: in ALARM, Route 53 sends traffic to the "
                     "secondary region")

# ---- the same calls against both --------------------------------------------------------------
lab_tg = {r: arn("elasticloadbalancing", r, f"targetgroup/dr-lab-{r}/0000000000000000")
          for r in REGIONS}
lab_checks = {n: n for n in moto_checks}
lab_zone = "Z0DRLAB0000000000000"


def api_name(service, method):
    return lab(service).meta.method_to_api_mapping[method]


def both(operation, service, region, method, moto_kwargs, lab_kwargs=None):
    compare(operation,
            lambda: getattr(moto(service, region), method)(**moto_kwargs),
            lambda: getattr(lab(service, region), method)(**(lab_kwargs or moto_kwargs)),
            (service, api_name(service, method)))


both("rds DescribeGlobalClusters", "rds", "us-east-1", "describe_global_clusters", {})
for region in REGIONS:
    both(f"rds DescribeDBClusters {region}", "rds", region, "describe_db_clusters",
         {"DBClusterIdentifier": f"dr-lab-{region}"})
    both(f"rds DescribeDBInstances {region}", "rds", region, "describe_db_instances", {})
both("rds DescribeDBClusters of another region (error)", "rds", "us-west-2",
     "describe_db_clusters", {"DBClusterIdentifier": "dr-lab-us-east-1"})
both("rds DescribeDBInstances unknown (error)", "rds", "us-east-1", "describe_db_instances",
     {"DBInstanceIdentifier": "nope"})


def lab_writer():
    c = lab("rds").describe_db_clusters(DBClusterIdentifier="dr-lab-us-east-1")["DBClusters"][0]
    writers = [m["DBInstanceIdentifier"] for m in c["DBClusterMembers"] if m["IsClusterWriter"]]
    return (writers[0] if c["Status"] == "available" and len(writers) == 1 else None), c


def lab_writes(writer):
    """Waits (60 s at most) for the lab's us-east-1 cluster to be available with `writer`
    writing: the in-region moves run asynchronously, and one must end before the next."""
    deadline = time.monotonic() + 60
    while True:
        now_writing, c = lab_writer()
        if now_writing == writer:
            print(f"ok   (the lab) {writer} writes in dr-lab-us-east-1")
            return
        if time.monotonic() > deadline:
            failures.append(f"the lab's move to {writer}")
            print(f"FAIL (the lab) {writer} does not write in dr-lab-us-east-1 after 60 s: {c}")
            return
        time.sleep(0.2)


# Both move the lab's writer in its region (moto only answers): to the other instance and back,
# so the lab is left as it was found.
writer = lab_writer()[0]
other = {"a1": "a2", "a2": "a1"}.get(writer)
if other is None:
    failures.append("the lab's us-east-1 writer")
    print(f"FAIL (the lab) dr-lab-us-east-1 is not available with a1 or a2 writing: {lab_writer()[1]}")
else:
    both("rds FailoverDBCluster", "rds", "us-east-1", "failover_db_cluster",
         {"DBClusterIdentifier": "dr-lab-us-east-1", "TargetDBInstanceIdentifier": other})
    lab_writes(other)
    both("rds RebootDBInstance ForceFailover", "rds", "us-east-1", "reboot_db_instance",
         {"DBInstanceIdentifier": other, "ForceFailover": True})
    lab_writes(writer)
both("rds FailoverDBCluster unknown cluster (error)", "rds", "us-east-1", "failover_db_cluster",
     {"DBClusterIdentifier": "nope"})

for region in REGIONS:
    both(f"autoscaling DescribeAutoScalingGroups {region}", "autoscaling", region,
         "describe_auto_scaling_groups", {"AutoScalingGroupNames": [f"dr-lab-{region}"]})
group = "dr-lab-us-west-2"
lab_group = lab("autoscaling", "us-west-2").describe_auto_scaling_groups(
    AutoScalingGroupNames=[group])["AutoScalingGroups"][0]
sizes = {k: lab_group[k] for k in ("MinSize", "MaxSize", "DesiredCapacity")}
both("autoscaling UpdateAutoScalingGroup", "autoscaling", "us-west-2",
     "update_auto_scaling_group", {"AutoScalingGroupName": group, **sizes})
both("autoscaling SetDesiredCapacity", "autoscaling", "us-west-2", "set_desired_capacity",
     {"AutoScalingGroupName": group, "DesiredCapacity": sizes["DesiredCapacity"]})
both("autoscaling SetDesiredCapacity above MaxSize (error)", "autoscaling", "us-west-2",
     "set_desired_capacity", {"AutoScalingGroupName": group, "DesiredCapacity": 99})
both("autoscaling UpdateAutoScalingGroup MinSize above MaxSize (error)", "autoscaling",
     "us-west-2", "update_auto_scaling_group",
     {"AutoScalingGroupName": group, "MinSize": 3, "MaxSize": 2})

for region in REGIONS:
    both(f"elbv2 DescribeTargetHealth {region}", "elbv2", region, "describe_target_health",
         {"TargetGroupArn": moto_tg[region]}, {"TargetGroupArn": lab_tg[region]})

both("route53 ListHealthChecks", "route53", "us-east-1", "list_health_checks", {})
both("route53 GetHealthCheckStatus", "route53", "us-east-1", "get_health_check_status",
     {"HealthCheckId": moto_checks["dr-lab-primary-alb"]},
     {"HealthCheckId": lab_checks["dr-lab-primary-alb"]})
both("route53 GetHealthCheckStatus unknown (error)", "route53", "us-east-1",
     "get_health_check_status", {"HealthCheckId": "00000000-0000-0000-0000-000000000000"})
changes = {}


def change(url_zone_checks):
    def call():
        c, zone, checks = url_zone_checks
        answer = c.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
            {"Action": "UPSERT", "ResourceRecordSet": record(
                "secondary", "SECONDARY", "us-west-2", checks["dr-lab-secondary-alb"])}]})
        changes[zone] = answer["ChangeInfo"]["Id"]
        return answer
    return call


compare("route53 ChangeResourceRecordSets", change((moto("route53"), moto_zone, moto_checks)),
        change((lab("route53"), lab_zone, lab_checks)),
        ("route53", "ChangeResourceRecordSets"))
compare("route53 GetChange",
        lambda: moto("route53").get_change(Id=changes[moto_zone]),
        lambda: lab("route53").get_change(Id=changes[lab_zone]), ("route53", "GetChange"))

now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
metric = {"Namespace": "DrApp/MotoVsLab", "MetricName": "calls"}
both("cloudwatch PutMetricData", "cloudwatch", "us-west-2", "put_metric_data",
     {"Namespace": metric["Namespace"],
      "MetricData": [{"MetricName": metric["MetricName"], "Value": 2.0, "Unit": "Count",
                      "Timestamp": now}]})
both("cloudwatch GetMetricStatistics", "cloudwatch", "us-west-2", "get_metric_statistics",
     {**metric, "StartTime": now - datetime.timedelta(minutes=5),
      "EndTime": now + datetime.timedelta(minutes=1), "Period": 60,
      "Statistics": ["Maximum", "SampleCount"]})
both("cloudwatch GetMetricData", "cloudwatch", "us-west-2", "get_metric_data",
     {"StartTime": now - datetime.timedelta(minutes=5),
      "EndTime": now + datetime.timedelta(minutes=1),
      "MetricDataQueries": [{"Id": "calls", "MetricStat": {
          "Metric": metric, "Period": 60, "Stat": "Maximum"}}]})
both("cloudwatch DescribeAlarms", "cloudwatch", "us-west-2", "describe_alarms",
     {"AlarmNames": ["dr-lab-force-failover"]})

both("sns Publish", "sns", "us-west-2", "publish",
     {"TopicArn": moto_topic["us-west-2"], "Message": json.dumps({"event": "moto-vs-lab"})},
     {"TopicArn": arn("sns", "us-west-2", "dr-lab-notifications"),
      "Message": json.dumps({"event": "moto-vs-lab"})})
both("sns Publish to an unknown topic (error)", "sns", "us-west-2", "publish",
     {"TopicArn": arn("sns", "us-west-2", "nope"), "Message": "x"})

both("secretsmanager GetSecretValue", "secretsmanager", "us-west-2", "get_secret_value",
     {"SecretId": "dr-lab/app-db"})
both("secretsmanager GetSecretValue unknown (error)", "secretsmanager", "us-west-2",
     "get_secret_value", {"SecretId": "nope"})

item = {"id": {"S": "moto-vs-lab"}, "data": {"S": "{}"}, "version": {"N": "0"}}
both("dynamodb PutItem", "dynamodb", "us-east-1", "put_item",
     {"TableName": "dr-app-sessions", "Item": item})
both("dynamodb GetItem", "dynamodb", "us-east-1", "get_item",
     {"TableName": "dr-app-sessions", "Key": {"id": item["id"]}, "ConsistentRead": True})
both("dynamodb DescribeTable", "dynamodb", "us-east-1", "describe_table",
     {"TableName": "dr-app-sessions"})
both("dynamodb DeleteItem", "dynamodb", "us-east-1", "delete_item",
     {"TableName": "dr-app-sessions", "Key": {"id": item["id"]}})
both("dynamodb DescribeTable unknown (error)", "dynamodb", "us-east-1", "describe_table",
     {"TableName": "nope"})

if failures:
    print(f"{len(failures)} operations differ: " + ", ".join(failures))
    sys.exit(1)
print("all passed")
