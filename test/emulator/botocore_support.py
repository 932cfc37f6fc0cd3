"""What the botocore drivers (botocore_interop.py, botocore_portal.py) share: botocore clients made as botocore's own
callers make them, the emulator's admin API, and a ClientError turned into plain JSON.

Importing this writes no bytecode next to the tests (a leftover file in the tree).
"""
import json
import sys
import urllib.request

sys.dont_write_bytecode = True

import botocore.session  # noqa: E402
from botocore import UNSIGNED  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

NO_RETRY = {"total_max_attempts": 1}
session = botocore.session.get_session()


def unsigned_client(service, url, region="us-east-1"):
    """A client as botocore.tokens / SSOCredentialFetcher / the AWS CLI create it: unsigned, one attempt."""
    return session.create_client(
        service, region_name=region, endpoint_url=url,
        config=Config(signature_version=UNSIGNED, retries=NO_RETRY))


def signed_client(service, url, region, key_id, secret):
    """A SigV4-signing client with a static key, one attempt."""
    return session.create_client(
        service, region_name=region, endpoint_url=url, aws_access_key_id=key_id,
        aws_secret_access_key=secret, config=Config(retries=NO_RETRY))


def admin_api(url, admin_token):
    """POST /admin/<path> on the emulator with a JSON body; its JSON answer."""
    def admin(path, body):
        req = urllib.request.Request(url + "/admin/" + path, data=json.dumps(body).encode(), method="POST", headers={
            "Content-Type": "application/json", "Authorization": "Bearer " + admin_token})
        with urllib.request.urlopen(req) as res:
            return json.load(res)
    return admin


def error_of(fn, details=lambda response: {}):
    """None when fn() returns; when it raises a ClientError, its code and HTTP status plus details(response)."""
    try:
        fn()
    except ClientError as e:
        r = e.response
        return {"code": r["Error"]["Code"], "status": r["ResponseMetadata"]["HTTPStatusCode"], **details(r)}
    return None
