"""Several accounts: which account a request acts in, sts:AssumeRole checked as AWS
does, and the organization and audit roles the control API creates.

The account of a request is that of its SigV4 access key, as moto resolves it
(moto/iam/models.py get_account_id_from: a key issued by moto's AssumeRole
belongs to the role's account, any other key to moto's default account): the
stub asks moto GetCallerIdentity signed with the key, once per key. The stub's
own calls to moto then carry `x-moto-account-id` (moto/core/responses.py
get_current_account)."""

import json
import re
from urllib.parse import parse_qs, unquote

from .wire import Req, error, log

ROLE_ARN = re.compile(r"arn:aws:iam::(\d{12}):role/(?:.*/)?([^/]+)$")
KEY_RE = re.compile(r"Credential=([^/,\s]+)/")


def identity(stub, req):
    """(account, ARN) of the request's access key, from moto (cached per key)."""
    m = KEY_RE.search(req.headers.get("Authorization", ""))
    key = m.group(1) if m else "testing"
    with stub.lock:
        hit = stub.keys.get(key)
    if hit:
        return hit
    auth = (f"AWS4-HMAC-SHA256 Credential={key}/20240101/us-east-1/sts/aws4_request, "
            "SignedHeaders=host, Signature=0")
    headers = {"Authorization": auth, "Host": f"127.0.0.1:{stub.moto_port}",
               "Content-Type": "application/x-www-form-urlencoded"}
    status, _, body = stub.forward(Req("POST", "/", headers, b"Action=GetCallerIdentity&Version=2011-06-15"))
    text = body.decode("utf-8", "replace")
    acct, arn = re.search(r"<Account>(\d+)</Account>", text), re.search(r"<Arn>([^<]+)</Arn>", text)
    if status != 200 or not acct or not arn:
        raise RuntimeError(f"moto GetCallerIdentity for key {key}: HTTP {status}")
    hit = (acct.group(1), arn.group(1))
    with stub.lock:
        stub.keys[key] = hit
    return hit


def caller_arn(stub, req, d):
    """Who the request's caller is, as GetCallerIdentity answers: a role session
    moto issued is itself; else the facts' caller of the account, if any."""
    _, arn = identity(stub, req)
    return arn if ":assumed-role/" in arn or not d.caller_arn else d.caller_arn


def trusts(doc, caller, account, external_id):
    """Whether a trust policy lets `caller` (of `account`) assume the role: an Allow
    statement for sts:AssumeRole whose Principal AWS is "*", the account, its root,
    the caller's ARN or (for a role session) its role, and whose every condition is
    StringEquals sts:ExternalId met; and no Deny statement that matches the same
    way. Any other condition key makes its statement not match."""
    m = re.match(r"arn:aws:sts::(\d{12}):assumed-role/([^/]+)/", caller)
    names = {"*", account, f"arn:aws:iam::{account}:root", caller}

    def principal_ok(p):
        if p == "*":
            return True
        aws = p.get("AWS", []) if isinstance(p, dict) else []
        for x in [aws] if isinstance(aws, str) else aws:
            if x in names or (m and re.fullmatch(rf"arn:aws:iam::{m.group(1)}:role/(?:.*/)?{re.escape(m.group(2))}", x)):
                return True
        return False

    def action_ok(a):
        acts = [a] if isinstance(a, str) else a or []
        return any(re.fullmatch(x.lower().replace("*", ".*"), "sts:assumerole") for x in acts)

    def condition_ok(c):
        for op, keys in (c or {}).items():
            for k, want in keys.items():
                want = [want] if isinstance(want, str) else want
                if op != "StringEquals" or k.lower() != "sts:externalid" or external_id not in want:
                    return False
        return True

    stmts = doc.get("Statement", [])
    matching = [s for s in ([stmts] if isinstance(stmts, dict) else stmts)
                if principal_ok(s.get("Principal", {})) and action_ok(s.get("Action"))
                and condition_ok(s.get("Condition"))]
    return any(s.get("Effect") == "Allow" for s in matching) and not any(
        s.get("Effect") == "Deny" for s in matching)


def assume_role(stub, req, d):
    """sts:AssumeRole, denied as AWS denies it (HTTP 403 AccessDenied) when the role
    does not exist in its account or its trust policy does not let the caller in;
    else moto's answer (credentials that act in the role's account)."""
    form = {k: v[0] for k, v in parse_qs(req.body.decode("utf-8", "replace")).items()}
    role_arn, caller = form.get("RoleArn", ""), caller_arn(stub, req, d)
    m = ROLE_ARN.match(role_arn)
    allowed = False
    if m:
        status, text = stub.moto_query(req, "iam", {"Action": "GetRole", "RoleName": m.group(2)},
                                       account=m.group(1))
        arn = re.search(r"<Arn>([^<]+)</Arn>", text)
        doc = re.search(r"<AssumeRolePolicyDocument>([^<]*)</AssumeRolePolicyDocument>", text)
        if status == 200 and arn and arn.group(1) == role_arn and doc:
            allowed = trusts(json.loads(unquote(doc.group(1))), caller, req.account, form.get("ExternalId"))
    if not allowed:
        return error(req, "AccessDenied", f"User: {caller} is not authorized to perform: "
                     f"sts:AssumeRole on resource: {role_arn}", 403)
    return stub.forward(req)


LOCAL = {"sts.AssumeRole": assume_role}


# The control API's side.

def boto(stub, service, region="us-east-1", account=None):
    """A boto3 client for moto acting in `account` (moto's default if None)."""
    import boto3
    c = boto3.client(service, region_name=region, endpoint_url=f"http://127.0.0.1:{stub.moto_port}",
                     aws_access_key_id="testing", aws_secret_access_key="testing")
    if account:
        def as_account(request, **_):
            request.headers["x-moto-account-id"] = account
        c.meta.events.register("request-created", as_account)
    return c


def organization(stub, body):
    """An organization in moto's default account (its management account) with
    `members` member accounts, and `closed` further ones closed (SUSPENDED);
    `member_tags`, a list beside the members, tags each ({"key": "value"})."""
    org = boto(stub, "organizations")
    desc = org.create_organization(FeatureSet="ALL")["Organization"]
    made = []
    for i in range(int(body.get("members", 0)) + int(body.get("closed", 0))):
        st = org.create_account(Email=f"member-{i + 1}@example.com",
                                AccountName=f"member-{i + 1}")["CreateAccountStatus"]
        made.append(st["AccountId"])
    members = made[: int(body.get("members", 0))]
    for acct, tags in zip(members, body.get("member_tags") or []):
        if tags:
            org.tag_resource(ResourceId=acct, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    for acct in made[len(members):]:
        org.close_account(AccountId=acct)
    log(f"organization {desc['Id']}: members {members}, closed {made[len(members):]}")
    return {"organization_id": desc["Id"], "management_account_id": desc["MasterAccountId"],
            "members": members, "closed": made[len(members):]}


def create_role(stub, body):
    """A role in an account, trusting the management (default) account's root unless
    `trust_policy` says otherwise."""
    account = body.get("account")
    mgmt = identity(stub, Req("POST", "/", {}, b""))[0]
    trust = body.get("trust_policy") or {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{mgmt}:root"},
        "Action": "sts:AssumeRole"}]}
    role = boto(stub, "iam", account=account).create_role(
        RoleName=body["name"], Path=body.get("path", "/"), AssumeRolePolicyDocument=json.dumps(trust))
    return {"arn": role["Role"]["Arn"]}
