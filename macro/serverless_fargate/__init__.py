"""ServerlessFargate: a CloudFormation transform for Fargate tasks declared next to Lambda functions."""

__version__ = "0.1.0"
TRANSFORM_NAME = "ServerlessFargate"
RESOURCE_TYPE = "Fargate::Tasks"
