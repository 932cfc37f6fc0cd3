"""Drives the ssokit emulator with botocore's own sso-oidc client (independent of our TypeScript code).

Usage: python3 botocore_interop.py URL ADMIN_TOKEN. Prints one JSON object: what each step returned or raised.
"""
import base64
import json
import sys

sys.dont_write_bytecode = True

import botocore_support as support  # noqa: E402

URL = sys.argv[1]
ADMIN_TOKEN = sys.argv[2]
APP = "arn:aws:sso::123456789012:application/ssoins-111111111111/apl-222222222222"
DEVICE = "urn:ietf:params:oauth:grant-type:device_code"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
START_URL = "https://d-1234567890.awsapps.com/start"
KEY = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

# As botocore.tokens / the AWS CLI create it: unsigned.
oidc = support.unsigned_client("sso-oidc", URL)
admin = support.admin_api(URL, ADMIN_TOKEN)


def signed(region, secret=KEY[1]):
    return support.signed_client("sso-oidc", URL, region, KEY[0], secret)


def oauth_details(r):
    """The request id and the OAuth fields botocore puts at the top of the response."""
    out = {"requestId": r["ResponseMetadata"].get("RequestId")}
    for k in ("error", "error_description", "reason", "endpoint", "region"):
        if k in r:
            out[k] = r[k]
    return out


def error_of(fn):
    return support.error_of(fn, oauth_details)


def jwt(claims):
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return "eyJhbGciOiJSUzI1NiJ9." + body + ".c2ln"


out = {}
reg = oidc.register_client(clientName="botocore-client-test", clientType="public", scopes=["sso:account:access"])
out["register"] = sorted(k for k in reg if k != "ResponseMetadata")
cred = {"clientId": reg["clientId"], "clientSecret": reg["clientSecret"]}
start = oidc.start_device_authorization(startUrl=START_URL, **cred)
out["start"] = {k: start[k] for k in ("interval", "expiresIn", "verificationUri")}
poll = lambda: oidc.create_token(grantType=DEVICE, deviceCode=start["deviceCode"], **cred)
# the CLI's first two polls come back-to-back
out["pending"] = error_of(poll)
out["slowDown"] = error_of(poll)
admin("approve", {"userCode": start["userCode"]})
admin("clock", {"advanceMs": 10000})
tokens = poll()
out["tokens"] = {"tokenType": tokens["tokenType"], "expiresIn": tokens["expiresIn"], "hasRefresh": "refreshToken" in tokens}
refreshed = oidc.create_token(grantType="refresh_token", refreshToken=tokens["refreshToken"], **cred)
out["rotated"] = refreshed["refreshToken"] != tokens["refreshToken"]
out["reusedRefresh"] = error_of(lambda: oidc.create_token(grantType="refresh_token", refreshToken=tokens["refreshToken"], **cred))
out["exchangedTwice"] = error_of(poll)

out["invalidClientMetadata"] = error_of(lambda: oidc.register_client(clientName="x", clientType="confidential"))
out["invalidClient"] = error_of(lambda: oidc.start_device_authorization(
    startUrl=START_URL, clientId=reg["clientId"], clientSecret="wrong"))
out["unsupportedGrant"] = error_of(lambda: oidc.create_token(grantType="password", **cred))
denied = oidc.start_device_authorization(startUrl=START_URL, **cred)
admin("deny", {"userCode": denied["userCode"]})
out["accessDenied"] = error_of(lambda: oidc.create_token(grantType=DEVICE, deviceCode=denied["deviceCode"], **cred))
expiring = oidc.start_device_authorization(startUrl=START_URL, **cred)
admin("clock", {"advanceMs": 601000})
out["expired"] = error_of(lambda: oidc.create_token(grantType=DEVICE, deviceCode=expiring["deviceCode"], **cred))
admin("force-error", {"operation": "CreateToken", "shape": "InternalServerException"})
out["internal"] = error_of(poll)
admin("force-error", {"operation": "StartDeviceAuthorization", "shape": "InvalidRequestException", "reason": "KMS_DisabledException"})
out["kms"] = error_of(lambda: oidc.start_device_authorization(startUrl=START_URL, **cred))

# CreateTokenWithIAM: SigV4 with service sso-oauth, computed by botocore's own signer
eu = signed("eu-west-1")
iam = eu.create_token_with_iam(clientId=APP, grantType=JWT_BEARER, assertion=jwt({"sub": "alice"}))
out["iam"] = {"tokenType": iam["tokenType"], "issuedTokenType": iam["issuedTokenType"], "scope": iam["scope"],
              "identityContext": "identityContext" in iam.get("awsAdditionalDetails", {})}
out["iamRegion"] = error_of(lambda: signed("us-east-1").create_token_with_iam(
    clientId=APP, grantType="refresh_token", refreshToken=iam["refreshToken"]))
out["iamRefresh"] = "accessToken" in eu.create_token_with_iam(clientId=APP, grantType="refresh_token", refreshToken=iam["refreshToken"])
out["badSignature"] = error_of(lambda: signed("eu-west-1", secret="wrong").create_token_with_iam(
    clientId=APP, grantType=JWT_BEARER, assertion=jwt({"sub": "a"})))
out["iamInvalidGrant"] = error_of(lambda: eu.create_token_with_iam(clientId=APP, grantType=JWT_BEARER, assertion="garbage"))
print(json.dumps(out))
