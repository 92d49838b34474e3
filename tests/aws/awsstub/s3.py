"""S3 (moto): the facts' results buckets."""

from .wire import known


def seed(facts, moto_port):
    """The results buckets (moto serves S3), each created in its own region."""
    import boto3
    for name, bucket in (facts.get("buckets") or {}).items():
        bucket = known(bucket)
        if bucket is None:
            continue  # null (no such bucket) or unknown
        region = bucket["region"]
        s3 = boto3.client("s3", region_name=region, endpoint_url=f"http://127.0.0.1:{moto_port}",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
        args = {"Bucket": name}
        if region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**args)
