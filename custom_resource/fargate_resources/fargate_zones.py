"""Where Fargate runs: regions in which Linux tasks run only in some Availability Zone IDs.

Source: "Supported Regions for Amazon ECS on AWS Fargate", Linux containers table,
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate-Regions.html
(read 2026-11-29). A region not listed here runs Fargate in all its zones.

To refresh: compare the table's entries marked "only" with ZONES, edit, and run the tests
(tests/test_lookups.py checks the shape). cn-north-1 is marked "only" on that page too, but
the copy read here was cut before its zone IDs: until they are added, it is not filtered.
"""

ZONES: dict[str, frozenset[str]] = {
    "us-west-1": frozenset({"usw1-az1", "usw1-az3"}),
    "ap-northeast-1": frozenset({"apne1-az1", "apne1-az2", "apne1-az4"}),
}
