"""USER_SRP_AUTH through pycognito (with boto3 underneath) against ENDPOINT: an SRP client that
nobody on this project wrote. With NEW_PASSWORD set, answers the NEW_PASSWORD_REQUIRED challenge
with it. Prints the AuthenticationResult as JSON, or {"error": <code>} and exits 3 when the service
refuses or asks for a new password that wasn't given."""

import json
import os
import sys

import boto3
import botocore.exceptions
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import ForceChangePasswordException

client = boto3.client(
    "cognito-idp",
    region_name=os.environ["POOL_ID"].split("_")[0],
    endpoint_url=os.environ["ENDPOINT"],
    aws_access_key_id="unused",
    aws_secret_access_key="unused",
)
srp = AWSSRP(
    username=os.environ["USERNAME"],
    password=os.environ["PASSWORD"],
    pool_id=os.environ["POOL_ID"],
    client_id=os.environ["CLIENT_ID"],
    client=client,
)
try:
    if "NEW_PASSWORD" in os.environ:
        tokens = srp.set_new_password_challenge(os.environ["NEW_PASSWORD"])
    else:
        tokens = srp.authenticate_user()
    print(json.dumps(tokens["AuthenticationResult"]))
except botocore.exceptions.ClientError as error:
    print(json.dumps({"error": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}))
    sys.exit(3)
except ForceChangePasswordException:
    print(json.dumps({"error": "ForceChangePasswordException"}))
    sys.exit(3)
