"""Loading a scenario: moto reset and seeded from a facts file (ids rewritten to the
ones moto hands out), and the stub's own Data filled by each service module."""

import http.client
import json

from . import athena, emr, iam, identitystore, lakeformation, s3, s3control, sso
from .accounts import boto
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


def reset_all(stub, managed=False):
    """moto reset (restarted if the AWS managed policies mode must change), and
    every account's data in the stub dropped."""
    stub.moto.ensure(managed=managed)
    moto_api(stub.moto_port, "/moto-api/reset")
    with stub.lock:
        stub.datas, stub.keys = {}, {}


def load_scenario(stub, facts, region_override, account=None, idc_account=None, reset=False):
    """Seed a facts file. Without `account`: moto reset and the facts seeded in its
    default account (the only data then). With `account`: seeded into that account,
    the other accounts' data kept (after a reset of everything with `reset`); with
    `idc_account`, the facts' Identity Center instance and identity store are that
    account's (its moto instance in the region; users and groups seeded there,
    reusing those that exist by name)."""
    facts_region = facts["target"]["region"]
    region = region_override or facts_region
    text = json.dumps(facts)
    managed = "arn:aws:iam::aws:policy/" in text
    if account is None or reset:
        reset_all(stub, managed)
    elif managed and not stub.moto.managed:
        raise ValueError("these facts name AWS managed policies: POST /_stub/reset_all?managed=1 first")

    def client(name, acct=account):
        return boto(stub, name, region, acct)

    account = client("sts").get_caller_identity()["Account"]
    idc_account = idc_account or account
    ids_client = client("identitystore", idc_account)
    moto_inst = client("sso-admin", idc_account).list_instances()["Instances"][0]
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
    swaps = organizations.seed(client("organizations"), facts, account)
    text = json.dumps(facts)
    for old, new in swaps.items():
        text = text.replace(old, new)
    facts = json.loads(text)

    # 2. Identity Store users, groups and memberships; then rewrite their ids.
    ids, user_status = identitystore.seed(ids_client, store, facts)
    for old, new in ids.items():
        text = text.replace(old, new)
    facts = json.loads(text)
    facts_insts = known(facts.get("identity_center_instances"), [])
    if facts_insts and facts_insts[main].get("name"):
        client("sso-admin", idc_account).update_instance(InstanceArn=inst_arn, Name=facts_insts[main]["name"])
    if facts_insts and idc_account != account:
        facts_insts[main]["owner_account_id"] = idc_account

    # 3. IAM roles and policies, 4. Athena workgroups, 5. Glue tables and Lake Formation.
    skipped = iam.seed(client("iam"), facts, account)
    data = Data()
    athena.seed(client("athena"), facts, data)
    lakeformation.seed(client("glue"), client("lakeformation"), facts, data)
    s3.seed(facts, lambda r: boto(stub, "s3", r, account))

    # 6. The stub's own data.
    data.region, data.account, data.instance_arn = region, account, inst_arn
    data.idc_account = idc_account if idc_account != account else None
    data.caller_arn = (known(facts.get("caller")) or {}).get("arn")
    data.instance = facts_insts[main] if facts_insts else {}
    data.instance_order = [None if i == main else inst for i, inst in enumerate(facts_insts)] or [None]
    data.no_instances = facts.get("identity_center_instances") == []
    data.user_status = user_status
    emr.seed(facts, data)
    sso.seed(facts, data)
    s3control.seed(facts, data, region, account)

    with stub.lock:
        stub.datas[(account, region)] = data
        if data.idc_account:
            owner = stub.datas.get((idc_account, region))
            if owner is None:  # the instance's own account reads it too
                owner = stub.datas[(idc_account, region)] = Data()
                owner.region, owner.account, owner.instance_arn = region, idc_account, inst_arn
                owner.instance = data.instance
            owner.user_status.update(user_status)
        stub.calls, stub.rules, stub.page_size = [], [], None
    log(f"scenario loaded: account {account}, region {region}, ids {ids}, skipped {skipped}")
    return {"account_id": account, "region": region, "instance_arn": inst_arn,
            "identity_store_id": store, "ids": ids, "skipped": skipped, "facts": facts}
