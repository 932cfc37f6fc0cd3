"""Drives the emulator's SSO portal with botocore's own `sso` client (independent of our TypeScript code).

Usage: python3 botocore_portal.py URL ACCESS_TOKEN ADMIN_TOKEN. Prints one JSON object: what each step returned or raised.
"""
import json
import sys

sys.dont_write_bytecode = True

import botocore_support as support  # noqa: E402

URL, TOKEN, ADMIN_TOKEN = sys.argv[1], sys.argv[2], sys.argv[3]
# As botocore's SSOCredentialFetcher creates it: unsigned.
sso = support.unsigned_client("sso", URL)
admin = support.admin_api(URL, ADMIN_TOKEN)


def error_of(fn):
    return support.error_of(fn, lambda r: {"message": r["Error"]["Message"]})


out = {}
pages = sso.get_paginator("list_accounts").paginate(accessToken=TOKEN, PaginationConfig={"PageSize": 2})
out["accounts"] = [a for page in pages for a in page["accountList"]]
out["roles"] = sso.list_account_roles(accessToken=TOKEN, accountId="111122223333")["roleList"]
creds = sso.get_role_credentials(accessToken=TOKEN, accountId="111122223333", roleName="Dev")["roleCredentials"]
out["credentials"] = {"keys": sorted(creds), "accessKeyId": creds["accessKeyId"], "expirationType": type(creds["expiration"]).__name__}
out["forbidden"] = error_of(lambda: sso.get_role_credentials(accessToken=TOKEN, accountId="111122223333", roleName="Ops"))
out["notFound"] = error_of(lambda: sso.list_account_roles(accessToken=TOKEN, accountId="999988887777"))
out["badNextToken"] = error_of(lambda: sso.list_accounts(accessToken=TOKEN, nextToken="forged"))
admin("force-error", {"operation": "ListAccounts", "shape": "TooManyRequestsException", "description": "slow down"})
out["tooMany"] = error_of(lambda: sso.list_accounts(accessToken=TOKEN))
out["logout"] = sorted(k for k in sso.logout(accessToken=TOKEN) if k != "ResponseMetadata")
out["afterLogout"] = error_of(lambda: sso.list_accounts(accessToken=TOKEN))
print(json.dumps(out))
