#!/usr/bin/python3
"""Builds and signs AWS requests with botocore (AWS's own Python SDK), without sending them.

This is the reference side of tests/aws/botocore_compare_test.cc: for each case in a JSON case
file ([{name, service, operation, params, region, session_token?}]) it makes botocore serialize
and SigV4-sign the request with fixed credentials and a frozen clock, captures it in a
`before-send` handler (which answers with a fake response so nothing leaves the machine), and
prints one JSON object keyed by case name:

  {"<name>": {"method", "path", "query", "body", "headers": {signed name: value},
              "authorization", "model_extension"}}

The C++ test runs it with the newest botocore it finds: DR_BOTOCORE_PYTHON if set, then the
`python3` on PATH (our machines: botocore 1.43 from pip, which models SwitchoverGlobalCluster
itself), then Debian's /usr/bin/python3 with python3-botocore 1.29 (the fallback, which needs the
model extension below). Exit status 3: this interpreter has no botocore.
"""
import copy
import datetime
import json
import os
import sys
import types
from urllib.parse import urlsplit

# Nothing on this machine (profiles, env keys, IMDS) may leak into the requests.
for _name in list(os.environ):
    if _name.startswith("AWS_"):
        del os.environ[_name]
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

try:
    import botocore
    import botocore.auth
    import botocore.session
    from botocore.awsrequest import AWSResponse
    from botocore.config import Config
except ImportError as e:  # the C++ test turns this into a clear failure
    print(f"reference.py: cannot import botocore ({e}); install python3-botocore and run "
          "with /usr/bin/python3", file=sys.stderr)
    sys.exit(3)

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
# 2015-08-30T12:36:00Z, the date of AWS's SigV4 test suite; the C++ test freezes the same instant.
FROZEN_NOW = datetime.datetime(2015, 8, 30, 12, 36, 0)


class _FrozenDateTime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return FROZEN_NOW

    @classmethod
    def now(cls, tz=None):
        return FROZEN_NOW if tz is None else FROZEN_NOW.replace(tzinfo=tz)


# botocore.auth calls datetime.datetime.utcnow() (1.29) or botocore.compat.get_current_datetime()
# (newer) for X-Amz-Date and the credential scope.
botocore.auth.datetime = types.SimpleNamespace(datetime=_FrozenDateTime)
if hasattr(botocore.auth, "get_current_datetime"):
    botocore.auth.get_current_datetime = (
        lambda remove_tzinfo=True: FROZEN_NOW if remove_tzinfo
        else FROZEN_NOW.replace(tzinfo=datetime.timezone.utc))

# The wire protocol our client speaks where a newer botocore prefers another one the service also
# accepts (botocore >= 1.3x sends CloudWatch as smithy-rpc-v2-cbor; its model still lists query).
WIRE_PROTOCOL = {"cloudwatch": "query"}

# Debian's botocore 1.29.27 predates these API additions. They are added to its model exactly as
# the AWS API reference (RDS API version 2014-10-31) defines them, so the request is still built
# and signed by botocore's own serializer and signer. Cases that need one are marked
# "model_extension" in the output.
#   FailoverGlobalCluster: AllowDataLoss (Boolean), Switchover (Boolean) — API_FailoverGlobalCluster
#   SwitchoverGlobalCluster: GlobalClusterIdentifier, TargetDbClusterIdentifier (both required,
#   String); result wrapper SwitchoverGlobalClusterResult/GlobalCluster — API_SwitchoverGlobalCluster
def _extend_rds(model):
    shapes = model["shapes"]
    failover = shapes["FailoverGlobalClusterMessage"]["members"]
    failover.setdefault("AllowDataLoss", {"shape": "BooleanOptional"})
    failover.setdefault("Switchover", {"shape": "BooleanOptional"})
    if "SwitchoverGlobalCluster" not in model["operations"]:
        model["operations"]["SwitchoverGlobalCluster"] = {
            "name": "SwitchoverGlobalCluster",
            "http": {"method": "POST", "requestUri": "/"},
            "input": {"shape": "SwitchoverGlobalClusterMessage"},
            "output": {"shape": "SwitchoverGlobalClusterResult",
                       "resultWrapper": "SwitchoverGlobalClusterResult"},
        }
        shapes["SwitchoverGlobalClusterMessage"] = {
            "type": "structure",
            "required": ["GlobalClusterIdentifier", "TargetDbClusterIdentifier"],
            "members": {
                "GlobalClusterIdentifier": {"shape": "GlobalClusterIdentifier"},
                "TargetDbClusterIdentifier": {"shape": "DBClusterIdentifier"},
            },
        }
        shapes["SwitchoverGlobalClusterResult"] = {
            "type": "structure",
            "members": {"GlobalCluster": {"shape": "GlobalCluster"}},
        }


MODEL_EXTENSIONS = {
    "rds": (_extend_rds, {"SwitchoverGlobalCluster"}, {"AllowDataLoss", "Switchover"}),
}

# Just enough of a response for botocore's parser to finish the call.
FAKE_BODIES = {
    "query": b"<R><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></R>",
    "json": b"{}",
    "rest-xml": b"<R/>",
}


def _needs_extension(case, model):
    """True when this botocore's own model lacks what the case uses (1.29 for RDS)."""
    ext = MODEL_EXTENSIONS.get(case["service"])
    if not ext:
        return False
    _, ops, params = ext
    op = model["operations"].get(case["operation"])
    if op is None:
        return True
    members = model["shapes"][op["input"]["shape"]]["members"]
    return bool((params & set(case["params"])) - set(members))


def _snake(name):
    out = ""
    for i, c in enumerate(name):
        if c.isupper() and i and (not name[i - 1].isupper() or
                                  (i + 1 < len(name) and name[i + 1].islower())):
            out += "_"
        out += c.lower()
    return out


def build(case):
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    api_version = loader.determine_latest_version(case["service"], "service-2")
    # The loader caches the parsed model, so changing it here is what the client sees.
    model = loader.load_service_model(case["service"], "service-2", api_version)
    extended = _needs_extension(case, model)
    if extended:
        MODEL_EXTENSIONS[case["service"]][0](model)
    wire = WIRE_PROTOCOL.get(case["service"])
    if wire and model["metadata"].get("protocol") != wire:
        if wire not in model["metadata"].get("protocols", [wire]):
            raise RuntimeError(f"{case['name']}: this botocore cannot speak {wire} to {case['service']}")
        model["metadata"]["protocol"] = wire
        model["metadata"]["protocols"] = [wire]
    client = session.create_client(
        case["service"],
        region_name=case["region"],
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=case.get("session_token"),
        config=Config(retries={"total_max_attempts": 1}),
    )
    protocol = client.meta.service_model.protocol
    captured = {}

    def drop_random_headers(request, **kwargs):
        # Random per call (a UUID and an attempt counter): they would make signatures unstable.
        for name in ("amz-sdk-invocation-id", "amz-sdk-request"):
            if name in request.headers:
                del request.headers[name]

    def capture(request, **kwargs):
        captured["request"] = request
        return AWSResponse(request.url, 200, {}, _RawBody(FAKE_BODIES[protocol]))

    client.meta.events.register("before-sign", drop_random_headers)
    client.meta.events.register("before-send", capture)
    try:
        getattr(client, _snake(case["operation"]))(**copy.deepcopy(case["params"]))
    except Exception as e:  # parsing the fake response may fail; the request is what matters
        if "request" not in captured:
            raise RuntimeError(f"{case['name']}: botocore raised before sending: {e!r}") from e

    request = captured["request"]
    url = urlsplit(request.url)
    auth = request.headers["Authorization"]
    auth = auth.decode() if isinstance(auth, bytes) else auth
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    headers = {}
    for name in signed:
        if name == "host":
            headers[name] = url.netloc  # signed, but not in request.headers
            continue
        value = request.headers[name]
        headers[name] = value.decode() if isinstance(value, bytes) else value
    body = request.body or b""
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode("utf-8")
    return {
        "method": request.method,
        "url": request.url,
        "path": url.path,
        "query": url.query,
        "body": body.decode("utf-8"),
        "headers": headers,
        "authorization": auth,
        "model_extension": extended,
    }


class _RawBody:
    """The urllib3-like raw stream AWSResponse reads the body from."""

    def __init__(self, data):
        self._data = data

    def stream(self, *args, **kwargs):
        yield self._data

    def read(self, *args, **kwargs):
        data, self._data = self._data, b""
        return data


def main(argv):
    if len(argv) != 2:
        print("usage: /usr/bin/python3 reference.py cases.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    out = {"botocore_version": botocore.__version__, "cases": {}}
    for case in cases:
        out["cases"][case["name"]] = build(case)
    json.dump(out, sys.stdout, indent=1, ensure_ascii=True, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
