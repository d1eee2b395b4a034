#!/usr/bin/env python3
"""Calls the lab's AWS endpoint with botocore itself: botocore signs (so it checks our SigV4
verification from the other side) and parses every answer with its own service model, then
this script checks the fields the controller reads. Usage: botocore_calls.py URL KEY SECRET.
Prints one line per check; exit 0 when all passed, 1 on the first failure, 77 when this
interpreter has no botocore."""
import sys

try:
    import botocore
    import botocore.session
    from botocore.exceptions import ClientError
except ImportError as e:  # the caller skips this interpreter, saying why
    print(f"SKIP no botocore: {e}")
    sys.exit(77)

url, key, secret = sys.argv[1:4]
session = botocore.session.get_session()
print(f"botocore {botocore.__version__}")


def client(service, region, secret_key=secret):
    return session.create_client(service, region_name=region, endpoint_url=url,
                                 aws_access_key_id=key, aws_secret_access_key=secret_key)


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else f": {detail}"))
    if not ok:
        sys.exit(1)


def error_code(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None, 200


rds_east = client("rds", "us-east-1")
g = rds_east.describe_global_clusters()["GlobalClusters"]
check("DescribeGlobalClusters: one global cluster dr-lab", len(g) == 1 and
      g[0]["GlobalClusterIdentifier"] == "dr-lab", g)
writers = [m for m in g[0]["GlobalClusterMembers"] if m["IsWriter"]]
check("DescribeGlobalClusters: one writer member with readers",
      len(writers) == 1 and len(writers[0].get("Readers", [])) == 1, g)
check("DescribeGlobalClusters: no failover in progress", "FailoverState" not in g[0], g)
c = rds_east.describe_db_clusters(DBClusterIdentifier="dr-lab-us-east-1")["DBClusters"]
check("DescribeDBClusters us-east-1: {a1, a2}, a1 writes",
      len(c) == 1 and c[0]["Status"] == "available" and
      sorted((m["DBInstanceIdentifier"], m["IsClusterWriter"]) for m in c[0]["DBClusterMembers"])
      == [("a1", True), ("a2", False)] and isinstance(c[0]["Port"], int), c)
rds_west = client("rds", "us-west-2")
i = rds_west.describe_db_instances()["DBInstances"]
check("DescribeDBInstances us-west-2: b1, available, with an endpoint",
      [x["DBInstanceIdentifier"] for x in i] == ["b1"] and i[0]["DBInstanceStatus"] == "available"
      and isinstance(i[0]["Endpoint"]["Port"], int), i)
check("DescribeDBClusters: another region's cluster is not found",
      error_code(lambda: rds_west.describe_db_clusters(DBClusterIdentifier="dr-lab-us-east-1"))
      == ("DBClusterNotFoundFault", 404))

asg = client("autoscaling", "us-east-1")
groups = asg.describe_auto_scaling_groups()["AutoScalingGroups"]
check("DescribeAutoScalingGroups: dr-lab-us-east-1 with its instances",
      [x["AutoScalingGroupName"] for x in groups] == ["dr-lab-us-east-1"] and
      groups[0]["MinSize"] <= groups[0]["DesiredCapacity"] <= groups[0]["MaxSize"] and
      len(groups[0]["Instances"]) >= 1, groups)
too_many = groups[0]["MaxSize"] + 1
check("SetDesiredCapacity above max: ValidationError",
      error_code(lambda: asg.set_desired_capacity(AutoScalingGroupName="dr-lab-us-east-1",
                                                  DesiredCapacity=too_many))
      == ("ValidationError", 400))

elb = client("elbv2", "us-east-1")
tg = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/dr-lab-us-east-1/0000000000000000"
th = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
check("DescribeTargetHealth: the region's instances, healthy",
      sorted(d["Target"]["Id"] for d in th) == sorted(x["InstanceId"] for x in groups[0]["Instances"])
      and all(d["TargetHealth"]["State"] == "healthy" for d in th), th)

sm = client("secretsmanager", "us-west-2")
s = sm.get_secret_value(SecretId="dr-lab/app-db")
check("GetSecretValue: dr-app's login as JSON",
      s["Name"] == "dr-lab/app-db" and "AWSCURRENT" in s["VersionStages"] and
      sorted(__import__("json").loads(s["SecretString"])) == ["password", "username"], s)
check("GetSecretValue: another secret is ResourceNotFoundException",
      error_code(lambda: sm.get_secret_value(SecretId="nope"))[0] == "ResourceNotFoundException")


# CloudWatch in every protocol this botocore's model offers, all of which the lab speaks: the
# query protocol (src/aws/cloudwatch, botocore 1.29), JSON 1.0 (botocore >= 1.40's own pick)
# and Smithy RPC v2 CBOR (the model's first). The ones botocore would not pick by itself are
# checked with a copy of its model that names only that protocol.
import datetime
import json
import os
import tempfile


def cloudwatch_with(protocol):
    model = session.get_component("data_loader").load_service_model("cloudwatch", "service-2")
    model["metadata"]["protocol"] = protocol
    model["metadata"]["protocols"] = [protocol]
    models = tempfile.mkdtemp()
    path = os.path.join(models, "cloudwatch", model["metadata"]["apiVersion"])
    os.makedirs(path)
    with open(os.path.join(path, "service-2.json"), "w") as f:
        json.dump(model, f)
    s = botocore.session.get_session()
    s.get_component("data_loader").search_paths.insert(0, models)
    return s.create_client("cloudwatch", region_name="us-west-2", endpoint_url=url,
                           aws_access_key_id=key, aws_secret_access_key=secret)


def cloudwatch_clients():
    default = client("cloudwatch", "us-west-2")
    model = default.meta.service_model
    picked = getattr(model, "resolved_protocol", model.protocol)
    out = [(picked, default)]
    for protocol in model.metadata.get("protocols", [model.protocol]):
        if protocol != picked:
            out.append((protocol, cloudwatch_with(protocol)))
    return out


for protocol, cw in cloudwatch_clients():
    now = datetime.datetime.now(datetime.timezone.utc)
    stats = cw.get_metric_statistics(
        Namespace="AWS/RDS", MetricName="AuroraGlobalDBReplicationLag",
        Dimensions=[{"Name": "DBClusterIdentifier", "Value": "dr-lab-us-west-2"}],
        StartTime=now - datetime.timedelta(minutes=5), EndTime=now, Period=60,
        Statistics=["Maximum"])
    d = stats["Datapoints"]
    check(f"GetMetricStatistics ({protocol}): b1's lag, in ms",
          len(d) == 1 and d[0]["Unit"] == "Milliseconds" and d[0]["Maximum"] >= 0 and
          isinstance(d[0]["Timestamp"], datetime.datetime), stats)
    data = cw.get_metric_data(
        StartTime=now - datetime.timedelta(minutes=5), EndTime=now,
        MetricDataQueries=[{"Id": "lag", "MetricStat": {
            "Metric": {"Namespace": "AWS/RDS", "MetricName": "AuroraGlobalDBRPOLag",
                       "Dimensions": [{"Name": "DBClusterIdentifier",
                                       "Value": "dr-lab-us-west-2"}]},
            "Period": 60, "Stat": "Maximum"}}])["MetricDataResults"]
    check(f"GetMetricData ({protocol}): b1's RPO lag",
          len(data) == 1 and data[0]["Id"] == "lag" and data[0]["StatusCode"] == "Complete" and
          len(data[0]["Values"]) == 1 and isinstance(data[0]["Values"][0], float) and
          isinstance(data[0]["Timestamps"][0], datetime.datetime), data)
    alarms = cw.describe_alarms(AlarmNames=["dr-lab-force-failover"])["MetricAlarms"]
    check(f"DescribeAlarms ({protocol}): the force-failover alarm as infra defines it",
          len(alarms) == 1 and alarms[0]["Namespace"] == "DrApp/Failover" and
          alarms[0]["MetricName"] == "ForcePrimaryUnhealthy" and alarms[0]["Threshold"] == 1.0
          and alarms[0]["Period"] == 10 and
          alarms[0]["ComparisonOperator"] == "GreaterThanOrEqualToThreshold" and
          isinstance(alarms[0]["StateUpdatedTimestamp"], datetime.datetime), alarms)
    check(f"PutMetricData ({protocol}) to another metric: accepted",
          cw.put_metric_data(Namespace="DrApp/Test",
                             MetricData=[{"MetricName": "x", "Value": 1.0, "Timestamp": now}])
          ["ResponseMetadata"]["HTTPStatusCode"] == 200)
    check(f"PutMetricData ({protocol}) to AWS/: InvalidParameterValue",
          error_code(lambda: cw.put_metric_data(
              Namespace="AWS/RDS", MetricData=[{"MetricName": "x", "Value": 1.0}]))
          == ("InvalidParameterValue", 400))

r53 = client("route53", "us-east-1")
hc = r53.list_health_checks()["HealthChecks"]
check("ListHealthChecks: infra's four checks",
      sorted(h["Id"] for h in hc) == ["dr-lab-not-forced", "dr-lab-primary", "dr-lab-primary-alb",
                                      "dr-lab-secondary-alb"], hc)
obs = r53.get_health_check_status(HealthCheckId="dr-lab-primary-alb")["HealthCheckObservations"]
check("GetHealthCheckStatus: us-east-1's ALB healthy",
      len(obs) == 1 and obs[0]["StatusReport"]["Status"].startswith("Success"), obs)
check("GetHealthCheckStatus: an unknown check is NoSuchHealthCheck",
      error_code(lambda: r53.get_health_check_status(HealthCheckId="nope"))
      == ("NoSuchHealthCheck", 404))
record = {"Name": "app.dr-lab.internal.", "Type": "CNAME", "SetIdentifier": "secondary",
          "Failover": "SECONDARY", "TTL": 60,
          "ResourceRecords": [{"Value": "alb.us-west-2.dr-lab.internal"}]}
ch = r53.change_resource_record_sets(HostedZoneId="Z0DRLAB0000000000000", ChangeBatch={
    "Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}]})["ChangeInfo"]
check("ChangeResourceRecordSets: PENDING", ch["Status"] == "PENDING", ch)
got = r53.get_change(Id=ch["Id"])["ChangeInfo"]
check("GetChange: INSYNC", got["Status"] == "INSYNC", got)

ddb = client("dynamodb", "us-east-1")
t = ddb.describe_table(TableName="dr-app-sessions")["Table"]
check("dynamodb: dr-app's table in us-east-1's DynamoDB Local", t["TableName"] == "dr-app-sessions", t)
streams = client("dynamodbstreams", "us-east-1").list_streams()
check("dynamodbstreams: answered", "Streams" in streams, streams)

bad = client("rds", "us-east-1", secret_key=secret[:-1] + ("x" if secret[-1] != "x" else "y"))
check("a wrong secret: SignatureDoesNotMatch",
      error_code(bad.describe_global_clusters) == ("SignatureDoesNotMatch", 403))
print("all passed")
