"""The HTTP API: each request becomes one job on the queue."""

import json
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    body = event.get("body") or "{}"
    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=body)
    return {"statusCode": 202, "body": json.dumps({"queued": True})}
