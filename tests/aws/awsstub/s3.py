"""S3 (moto): the facts' results buckets."""

from .wire import known


def seed(facts, client):
    """The results buckets (moto serves S3), each created in its own region
    (`client(region)`: an S3 client for moto acting in the facts' account)."""
    for name, bucket in (facts.get("buckets") or {}).items():
        bucket = known(bucket)
        if bucket is None:
            continue  # null (no such bucket) or unknown
        region = bucket["region"]
        s3 = client(region)
        args = {"Bucket": name}
        if region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**args)
