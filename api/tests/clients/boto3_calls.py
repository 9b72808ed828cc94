"""Runs boto3 calls against ENDPOINT, as an application would make them, with the credentials in
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN, if set). Reads
{"service": ..., "calls": [[operation, params], ...]} from stdin; prints one JSON line, a list
with {"ok": response} or {"error": {"Code", "Message", "HTTPStatusCode"}} for each call."""

import json
import os
import sys

import boto3
import botocore.exceptions

request = json.load(sys.stdin)
client = boto3.client(request["service"], region_name="us-east-1", endpoint_url=os.environ["ENDPOINT"])
results = []
for operation, params in request["calls"]:
    try:
        response = getattr(client, operation)(**params)
        response.pop("ResponseMetadata", None)
        results.append({"ok": response})
    except botocore.exceptions.ClientError as error:
        results.append(
            {
                "error": {
                    "Code": error.response["Error"]["Code"],
                    "Message": error.response["Error"].get("Message"),
                    "HTTPStatusCode": error.response["ResponseMetadata"]["HTTPStatusCode"],
                }
            }
        )
print(json.dumps(results, default=str))
