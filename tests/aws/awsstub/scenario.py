"""Loading a scenario: moto reset and seeded from a facts file (ids rewritten to the
ones moto hands out), and the stub's own Data filled by each service module."""

import http.client
import json

from . import athena, emr, iam, identitystore, lakeformation, s3, s3control, sso
from .data import Data
from .wire import FACTS_ACCOUNT, known, log


def moto_api(port, path, obj=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, json.dumps(obj or {}), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        if resp.status >= 300:
            raise RuntimeError(f"moto {path}: HTTP {resp.status}")
    finally:
        conn.close()


def load_scenario(stub, facts, region_override):
    import boto3  # only the seeding needs boto3

    facts_region = facts["target"]["region"]
    region = region_override or facts_region
    text = json.dumps(facts)
    stub.moto.ensure(managed="arn:aws:iam::aws:policy/" in text)
    moto_api(stub.moto_port, "/moto-api/reset")

    def client(name):
        return boto3.client(name, region_name=region, endpoint_url=f"http://127.0.0.1:{stub.moto_port}",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    ids_client = client("identitystore")
    account = client("sts").get_caller_identity()["Account"]
    moto_inst = client("sso-admin").list_instances()["Instances"][0]
    store = moto_inst["IdentityStoreId"]
    inst_arn = moto_inst["InstanceArn"]

    # 1. Rewrite account, region, Identity Center instance and identity store ids.
    src_account = (known(facts.get("caller")) or {}).get("account_id", FACTS_ACCOUNT)
    swaps = [(src_account, account)]
    if region != facts_region:
        swaps.append((facts_region, region))
    facts_insts = known(facts.get("identity_center_instances"), [])
    # moto's instance plays the one the users were looked up in (else the first);
    # the stub serves the others itself, in the facts' order.
    main = next((i for i, inst in enumerate(facts_insts)
                 if inst["identity_store_id"] == facts.get("users_identity_store_id")), 0)
    if facts_insts:
        swaps.append((facts_insts[main]["instance_arn"].rsplit("/", 1)[-1], inst_arn.rsplit("/", 1)[-1]))
        swaps.append((facts_insts[main]["identity_store_id"], store))
    for old, new in swaps:
        text = text.replace(old, new)
    facts = json.loads(text)

    # 1b. The organization, when this account manages it; then rewrite its id.
    from . import organizations
    for old, new in organizations.seed(client("organizations"), facts, account).items():
        text = text.replace(old, new)
    facts = json.loads(text)

    # 2. Identity Store users, groups and memberships; then rewrite their ids.
    ids, user_status = identitystore.seed(ids_client, store, facts)
    for old, new in ids.items():
        text = text.replace(old, new)
    facts = json.loads(text)
    facts_insts = known(facts.get("identity_center_instances"), [])
    if facts_insts and facts_insts[main].get("name"):
        client("sso-admin").update_instance(InstanceArn=inst_arn, Name=facts_insts[main]["name"])

    # 3. IAM roles and policies, 4. Athena workgroups, 5. Glue tables and Lake Formation.
    skipped = iam.seed(client("iam"), facts, account)
    data = Data()
    athena.seed(client("athena"), facts, data)
    lakeformation.seed(client("glue"), client("lakeformation"), facts, data)
    s3.seed(facts, stub.moto_port)

    # 6. The stub's own data.
    data.region, data.account, data.instance_arn = region, account, inst_arn
    data.caller_arn = (known(facts.get("caller")) or {}).get("arn")
    data.instance = facts_insts[main] if facts_insts else {}
    data.instance_order = [None if i == main else inst for i, inst in enumerate(facts_insts)] or [None]
    data.no_instances = facts.get("identity_center_instances") == []
    data.user_status = user_status
    emr.seed(facts, data)
    sso.seed(facts, data)
    s3control.seed(facts, data, region, account)

    with stub.lock:
        stub.data = data
        stub.calls, stub.rules, stub.page_size = [], [], None
    log(f"scenario loaded: region {region}, ids {ids}, skipped {skipped}")
    return {"account_id": account, "region": region, "instance_arn": inst_arn,
            "identity_store_id": store, "ids": ids, "skipped": skipped, "facts": facts}
