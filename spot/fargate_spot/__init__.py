"""Fargate Spot services done right: when Spot cannot place a service's tasks, its on-demand
twin runs them until Spot can again. One Lambda of the SAM application, for every stack in the
region. (Scheduled runs fall back and rerun inside their workflow, not here.)"""

# The tags the transform writes (macro/serverless_fargate/settings.py; a test keeps them equal).
FALLBACK_SERVICE_TAG = "serverless-fargate:fallback-service"
FALLBACK_FOR_TAG = "serverless-fargate:fallback-for"
SERVICE_ID_TAG = "serverless-fargate:service"
