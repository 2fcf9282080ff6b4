"""Fargate Spot done right: fallback to on-demand for services and scheduled runs, and reruns of
interrupted scheduled runs. One Lambda of the SAM application, for every stack in the region."""

# The tags and markers the transform writes (macro/serverless_fargate/settings.py).
FALLBACK_SERVICE_TAG = "serverless-fargate:fallback-service"
FALLBACK_FOR_TAG = "serverless-fargate:fallback-for"
STARTED_BY = "serverless-fargate"
RERUN_STARTED_BY = "serverless-fargate/rerun"  # a run that may be rerun once
RERUN_DONE_STARTED_BY = "serverless-fargate/rerun-done"  # the rerun itself: never again
RERUN_OF_TAG = "serverless-fargate:rerun-of"
SUBNETS_TAG = "serverless-fargate:subnets"
SECURITY_GROUPS_TAG = "serverless-fargate:security-groups"
PUBLIC_IP_TAG = "serverless-fargate:public-ip"
