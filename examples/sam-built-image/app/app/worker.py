"""The Fargate worker: takes jobs off the queue until the task is stopped (SIGTERM)."""

import os
import signal

import boto3

running = True


def stop(signum, frame):
    global running
    running = False


def main() -> None:
    signal.signal(signal.SIGTERM, stop)
    sqs = boto3.client("sqs")
    queue = os.environ["QUEUE_URL"]
    while running:
        got = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=20, MaxNumberOfMessages=10)
        for message in got.get("Messages", []):
            print("job", message["Body"], flush=True)
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])


if __name__ == "__main__":
    main()
