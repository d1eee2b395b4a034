#!/usr/bin/env python3
"""Aurora's in-region failover through the lab's AWS endpoint, called and parsed by botocore's
own rds model: RebootDBInstance with ForceFailover on the writer of dr-lab-us-east-1, then
FailoverDBCluster with TargetDBInstanceIdentifier back to it, each waited for with a deadline;
and the refusals. Ends with the writer where it started. Usage: botocore_in_region.py URL KEY
SECRET. Exit 0 when all passed, 1 on the first failure, 77 when this interpreter has no
botocore."""
import sys
import time

try:
    import botocore
    import botocore.session
    from botocore.exceptions import ClientError
except ImportError as e:  # the caller skips this interpreter, saying why
    print(f"SKIP no botocore: {e}")
    sys.exit(77)

url, key, secret = sys.argv[1:4]
rds = botocore.session.get_session().create_client(
    "rds", region_name="us-east-1", endpoint_url=url, aws_access_key_id=key,
    aws_secret_access_key=secret)
print(f"botocore {botocore.__version__}")


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else f": {detail}"))
    if not ok:
        sys.exit(1)


def cluster():
    return rds.describe_db_clusters(DBClusterIdentifier="dr-lab-us-east-1")["DBClusters"][0]


def writer_of(c):
    return [m["DBInstanceIdentifier"] for m in c["DBClusterMembers"] if m["IsClusterWriter"]]


def wait_writer(name, deadline_s=60):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        c = cluster()
        if writer_of(c) == [name] and c["Status"] == "available":
            return c
        time.sleep(0.1)
    check(f"{name} writes within {deadline_s} s", False, cluster())


def error_code(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


first = writer_of(cluster())
check("one writer in dr-lab-us-east-1", len(first) == 1, first)
first = first[0]
other = "a1" if first == "a2" else "a2"
check("RebootDBInstance without ForceFailover is refused",
      error_code(lambda: rds.reboot_db_instance(DBInstanceIdentifier=first)) ==
      "InvalidParameterCombination")
check("RebootDBInstance of a reader is refused",
      error_code(lambda: rds.reboot_db_instance(DBInstanceIdentifier=other, ForceFailover=True))
      == "InvalidDBInstanceStateFault")
i = rds.reboot_db_instance(DBInstanceIdentifier=first, ForceFailover=True)["DBInstance"]
check("RebootDBInstance ForceFailover: the writer is rebooting",
      i["DBInstanceIdentifier"] == first and i["DBInstanceStatus"] == "rebooting", i)
wait_writer(other)
check(f"RebootDBInstance ForceFailover: {other} writes, {first} available",
      rds.describe_db_instances(DBInstanceIdentifier=first)["DBInstances"][0]["DBInstanceStatus"]
      == "available")
c = rds.failover_db_cluster(DBClusterIdentifier="dr-lab-us-east-1",
                            TargetDBInstanceIdentifier=first)["DBCluster"]
check("FailoverDBCluster: the cluster is failing-over",
      c["DBClusterIdentifier"] == "dr-lab-us-east-1" and c["Status"] == "failing-over", c)
wait_writer(first)
check(f"FailoverDBCluster: {first} writes again", True)
sys.exit(0)
