#!/usr/bin/env python3
"""Prints, as JSON, the endpoint botocore resolves for each service given on the command line
(botocore service names), with the environment it was started with: the reference side of
tests/aws/endpoint_config_test.cc. Exit 4 when this botocore predates service-specific
endpoints (AWS_ENDPOINT_URL_<SERVICE>, botocore 1.31), so the test can say it skipped and why."""
import json
import os
import sys

os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE"
os.environ["AWS_SECRET_ACCESS_KEY"] = "secret"

try:
    import botocore
    import botocore.session
except ImportError as e:
    print(f"endpoints.py: cannot import botocore ({e})", file=sys.stderr)
    sys.exit(3)

session = botocore.session.get_session()
probe = dict(os.environ)
os.environ["AWS_ENDPOINT_URL_STS"] = "http://probe.invalid:1"
if session.create_client("sts", region_name="us-east-1").meta.endpoint_url != "http://probe.invalid:1":
    print(f"botocore {botocore.__version__} does not read AWS_ENDPOINT_URL_<SERVICE>", file=sys.stderr)
    sys.exit(4)
del os.environ["AWS_ENDPOINT_URL_STS"]

session = botocore.session.get_session()
out = {}
for name in sys.argv[1:]:
    out[name] = session.create_client(name, region_name="us-west-2").meta.endpoint_url
print(json.dumps({"version": botocore.__version__, "endpoints": out}))
