#!/usr/bin/env python3
"""Self-test of tests/aws/stub.py, with boto3 as the client.

Starts the stub, loads examples/healthy-account.json (and variants of it), and
checks that every operation the stub serves parses in botocore and returns the
seeded data, that pagination works at page size 1, that each fault kind has
the expected shape, and that the stub exits when its stdin closes / on SIGTERM.

Run with the test venv's python:  .venv/bin/python tests/aws/selftest.py
Exits non-zero on failure; prints "N passed, M failed" last.
"""

import copy
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
HEALTHY = json.loads((ROOT / "examples" / "healthy-account.json").read_text())
# Ids of the healthy example, before the stub rewrites them.
ALICE = "97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b"
ANALYSTS = "e7b4d8a8-6041-7011-9c2d-0a1b2c3d4e5f"
STUDIO = "es-D1A2B3C4D5E6F7A8B9C0D1E2F"

passed, failed = 0, []


def check(cond, what, detail=""):
    global passed
    if cond:
        passed += 1
    else:
        failed.append(what)
        print(f"FAIL: {what} {detail}", file=sys.stderr)


def error_of(fn, **kwargs):
    """(code, HTTP status) of the ClientError fn raises, or (None, None)."""
    try:
        fn(**kwargs)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None, None


class Stub:
    def __init__(self):
        env = dict(os.environ)
        self.proc = subprocess.Popen([sys.executable, str(HERE / "stub.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env)
        line = self.proc.stdout.readline().split()
        if len(line) != 3 or line[0] != "READY":
            sys.exit(f"stub did not start: {line}")
        self.port, self.moto_port = int(line[1]), int(line[2])
        self.url = f"http://127.0.0.1:{self.port}"

    def control(self, path, body=None, method="POST"):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        try:
            with urllib.request.urlopen(req) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{path}: HTTP {e.code}: {e.read().decode()}") from None

    def scenario(self, facts, region=None):
        return self.control("/_stub/scenario" + (f"?region={region}" if region else ""), facts)

    def client(self, service, region, **config):
        config.setdefault("retries", {"mode": "standard", "max_attempts": 3})
        return client(service, region, self.url, Config(**config))


def client(service, region, url, config=None):
    """A boto3 client for the stub. For S3 Control, the endpoint rules put the account
    in front of the host ("123456789012.127.0.0.1"), which does not resolve: drop it."""
    c = boto3.client(service, region_name=region, endpoint_url=url, config=config,
                     aws_access_key_id="testing", aws_secret_access_key="testing")
    if service == "s3control":
        def drop_account(request, **_):
            request.url = request.url.replace("://" + request.headers["x-amz-account-id"] + ".", "://")
        c.meta.events.register("before-sign.s3-control", drop_account)
    return c


def port_open(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def collect(fn, items_key, token_in, token_out, **kwargs):
    """Every page of a list call: (items, number of pages)."""
    items, pages, token = [], 0, None
    while True:
        out = fn(**kwargs, **({token_in: token} if token else {}))
        items += out.get(items_key, [])
        pages += 1
        token = out.get(token_out)
        if not token or pages > 50:
            return items, pages


def test_healthy(stub):
    r = stub.scenario(copy.deepcopy(HEALTHY))
    region, acct, ids = r["region"], r["account_id"], r["ids"]
    c = lambda s, **k: stub.client(s, region, **k)  # noqa: E731
    check(region == "ap-northeast-1" and acct == "123456789012", "scenario region/account", r)
    check(set(ids) == {ALICE, ANALYSTS}, "ids for alice and analysts", ids)
    check("111122223333" not in json.dumps(r["facts"]), "rewritten facts lose the example account")
    alice, analysts = ids[ALICE], ids[ANALYSTS]

    check(c("sts").get_caller_identity()["Account"] == acct, "sts via forward")

    # Identity Center instance (moto) with the facts' name, DescribeInstance (stub).
    sso = c("sso-admin")
    insts = sso.list_instances()["Instances"]
    check([i["InstanceArn"] for i in insts] == [r["instance_arn"]], "list_instances")
    check(insts[0].get("Name") == "analytics-org" and insts[0]["IdentityStoreId"] == r["identity_store_id"],
          "instance name + store", insts)
    check(insts[0].get("PrimaryRegion") == region and insts[0]["Regions"][0]["RegionName"] == region,
          "instance regions", insts)
    d = sso.describe_instance(InstanceArn=r["instance_arn"])
    check(d["Status"] == "ACTIVE" and d["IdentityStoreId"] == r["identity_store_id"]
          and d["EncryptionConfigurationDetails"]["KeyType"] == "AWS_OWNED_KMS_KEY"
          and d["Regions"][0]["IsPrimaryRegion"] is True, "describe_instance", d)

    # Identity Store (moto + UserStatus patch).
    ids_c = c("identitystore")
    store = r["identity_store_id"]
    uid = ids_c.get_user_id(IdentityStoreId=store, AlternateIdentifier={
        "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": "alice"}})["UserId"]
    check(uid == alice, "get_user_id(alice)", uid)
    user = ids_c.describe_user(IdentityStoreId=store, UserId=uid)
    check(user["DisplayName"] == "Alice Example" and user.get("UserStatus") == "ENABLED", "describe_user", user)
    ms = ids_c.list_group_memberships_for_member(IdentityStoreId=store, MemberId={"UserId": uid})
    check([m["GroupId"] for m in ms["GroupMemberships"]] == [analysts], "group memberships", ms)
    g = ids_c.describe_group(IdentityStoreId=store, GroupId=analysts)
    check(g["DisplayName"] == "analysts", "describe_group", g)

    # IAM (moto).
    iam = c("iam")
    role = iam.get_role(RoleName="EMRStudio-UserRole")["Role"]
    check(role["Arn"] == f"arn:aws:iam::{acct}:role/EMRStudio-UserRole", "role ARN", role["Arn"])
    check(iam.list_role_policies(RoleName="EMRStudio-UserRole")["PolicyNames"] == ["StudioAthenaTip"],
          "inline policies")
    att = iam.list_attached_role_policies(RoleName="EMRStudio-UserRole")["AttachedPolicies"]
    policy_arn = f"arn:aws:iam::{acct}:policy/EMRStudio-SessionPolicy"
    check([a["PolicyArn"] for a in att] == [policy_arn], "attached policies", att)
    ver = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
    doc = iam.get_policy_version(PolicyArn=policy_arn, VersionId=ver)["PolicyVersion"]["Document"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    check(doc["Statement"][0]["Action"][0] == "athena:*", "policy document", doc)
    trust = iam.get_role(RoleName="EMRStudio-ServiceRole")["Role"]["AssumeRolePolicyDocument"]
    check(trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"] == acct,
          "trust policy rewritten", trust)
    check(error_of(iam.get_role, RoleName="Nope") == ("NoSuchEntity", 404), "missing role")
    check(set(r["facts"]["managed_policies"]) == {policy_arn}, "managed_policies rewritten")
    check(iam.get_policy(PolicyArn=policy_arn)["Policy"]["Arn"] == policy_arn, "managed policy exists")

    # EMR (stub).
    emr = c("emr")
    studios = emr.list_studios()["Studios"]
    check([s["StudioId"] for s in studios] == [STUDIO] and studios[0]["AuthMode"] == "SSO",
          "list_studios", studios)
    s = emr.describe_studio(StudioId=STUDIO)["Studio"]
    check(s["IdcInstanceArn"] == r["instance_arn"] and s["TrustedIdentityPropagationEnabled"] is True
          and s["IdcUserAssignment"] == "REQUIRED" and s["ServiceRole"].endswith(f"{acct}:role/EMRStudio-ServiceRole")
          and s["SubnetIds"] == ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
          and s["DefaultS3Location"] == f"s3://analytics-studio-{acct}/studio/", "describe_studio", s)
    check(hasattr(s["CreationTime"], "year"), "CreationTime parses as a timestamp")
    check(error_of(emr.describe_studio, StudioId="es-NOPE")[0] == "InvalidRequestException", "unknown studio")
    maps = emr.list_studio_session_mappings(StudioId=STUDIO)["SessionMappings"]
    check([(m["IdentityId"], m["IdentityType"], m["IdentityName"]) for m in maps]
          == [(analysts, "GROUP", "analysts")], "session mappings", maps)
    check(emr.list_studio_session_mappings(StudioId=STUDIO, IdentityType="USER")["SessionMappings"] == [],
          "session mappings IdentityType filter")

    # SSO Admin applications (stub).
    wg_app = next(w for w in r["facts"]["workgroups"] if w["name"] == "idc-wg")["identity_center_application_arn"]
    check(r["instance_arn"].rsplit("/", 1)[1] in wg_app and acct in wg_app, "app ARN rewritten", wg_app)
    apps = sso.list_applications(InstanceArn=r["instance_arn"])["Applications"]
    check(wg_app in [a["ApplicationArn"] for a in apps] and len(apps) == 3, "list_applications", apps)
    check(sso.describe_application(ApplicationArn=wg_app)["ApplicationProviderArn"].endswith("/athena"),
          "describe_application")
    asg = sso.list_application_assignments(ApplicationArn=wg_app)["ApplicationAssignments"]
    check([(a["PrincipalId"], a["PrincipalType"]) for a in asg] == [(analysts, "GROUP")], "assignments", asg)
    check(sso.get_application_assignment_configuration(ApplicationArn=wg_app)["AssignmentRequired"] is True,
          "assignment configuration")
    bad = wg_app[:-4] + "zzzz"
    check(error_of(sso.get_application_assignment_configuration, ApplicationArn=bad)[0]
          == "ResourceNotFoundException", "unknown application")

    # S3 Access Grants (stub).
    s3c = c("s3control")
    inst = s3c.get_access_grants_instance(AccountId=acct)
    check(inst["AccessGrantsInstanceArn"] == f"arn:aws:s3:{region}:{acct}:access-grants/default"
          and inst["IdentityCenterInstanceArn"] == r["instance_arn"]
          and inst["IdentityCenterApplicationArn"].startswith(f"arn:aws:sso::{acct}:application/"),
          "get_access_grants_instance", inst)
    check(hasattr(inst["CreatedAt"], "year"), "CreatedAt parses as a timestamp")
    locs = s3c.list_access_grants_locations(AccountId=acct)["AccessGrantsLocationsList"]
    check([(x["AccessGrantsLocationId"], x["LocationScope"], x["IAMRoleArn"]) for x in locs]
          == [("default", "s3://", f"arn:aws:iam::{acct}:role/S3AccessGrantsLocationRole")], "locations", locs)
    grants = s3c.list_access_grants(AccountId=acct)["AccessGrantsList"]
    check(len(grants) == 1 and grants[0]["Grantee"] == {"GranteeType": "DIRECTORY_USER", "GranteeIdentifier": alice}
          and grants[0]["Permission"] == "READWRITE"
          and grants[0]["GrantScope"] == f"s3://athena-results-{acct}/idc-wg/{alice}/*"
          and grants[0]["AccessGrantsLocationConfiguration"]["S3SubPrefix"] == f"athena-results-{acct}/idc-wg/{alice}/*",
          "list_access_grants", grants)
    check(s3c.list_access_grants(AccountId=acct, GranteeType="DIRECTORY_GROUP")["AccessGrantsList"] == [],
          "list_access_grants filter")

    # Athena (moto + IdentityCenterApplicationArn patch).
    ath = c("athena")
    wgs = {w["Name"]: w for w in ath.list_work_groups()["WorkGroups"]}
    check(set(wgs) == {"idc-wg", "primary"} and wgs["idc-wg"].get("IdentityCenterApplicationArn") == wg_app
          and "IdentityCenterApplicationArn" not in wgs["primary"], "list_work_groups", wgs)
    wg = ath.get_work_group(WorkGroup="idc-wg")["WorkGroup"]
    conf = wg["Configuration"]
    check(wg.get("IdentityCenterApplicationArn") == wg_app and wg["State"] == "ENABLED"
          and conf["IdentityCenterConfiguration"] == {"EnableIdentityCenter": True,
                                                      "IdentityCenterInstanceArn": r["instance_arn"]}
          and conf["ExecutionRole"] == f"arn:aws:iam::{acct}:role/service-role/AWSAthenaSQLRole-idc-wg"
          and conf["ResultConfiguration"] == {"OutputLocation": f"s3://athena-results-{acct}/idc-wg/",
                                              "EncryptionConfiguration": {"EncryptionOption": "SSE_S3"}}
          and conf["EnforceWorkGroupConfiguration"] is True
          and conf["QueryResultsS3AccessGrantsConfiguration"] == {
              "EnableS3AccessGrants": True, "CreateUserLevelPrefix": True, "AuthenticationType": "DIRECTORY_IDENTITY"}
          and conf["EngineVersion"]["EffectiveEngineVersion"] == "Athena engine version 3", "get_work_group", wg)
    check(ath.get_work_group(WorkGroup="primary")["WorkGroup"]["Configuration"]["EnforceWorkGroupConfiguration"]
          is False, "primary workgroup from the facts")
    check(error_of(ath.get_work_group, WorkGroup="nope")[0] == "InvalidRequestException", "unknown workgroup")

    # Glue (moto) and Lake Formation (moto + stub).
    table = c("glue").get_table(DatabaseName="flightdata_db", Name="flightdata")["Table"]
    check(table["StorageDescriptor"]["Location"] == f"s3://data-lake-{acct}/flightdata/", "glue table", table)
    lf = c("lakeformation")
    conf = lf.describe_lake_formation_identity_center_configuration()
    check(conf["CatalogId"] == acct and conf["InstanceArn"] == r["instance_arn"]
          and conf["ApplicationArn"].endswith("/apl-7a8b9c0d1e2f3a4b"), "lake formation IdC config", conf)
    admins = lf.get_data_lake_settings()["DataLakeSettings"]["DataLakeAdmins"]
    check(admins == [{"DataLakePrincipalIdentifier": f"arn:aws:iam::{acct}:role/studio-doctor-readonly"}],
          "data lake admins", admins)
    perms = lf.list_permissions()["PrincipalResourcePermissions"]
    check(len(perms) == 2 and all(p["Principal"]["DataLakePrincipalIdentifier"]
                                  == f"arn:aws:identitystore:::group/{analysts}" for p in perms), "LF permissions", perms)
    res = lf.list_resources()["ResourceInfoList"]
    check([(x["ResourceArn"], x["HybridAccessEnabled"], x["VerificationStatus"]) for x in res]
          == [(f"arn:aws:s3:::data-lake-{acct}/flightdata", False, "VERIFIED")], "LF resources", res)
    check(lf.list_lake_formation_opt_ins()["LakeFormationOptInsInfoList"] == [], "LF opt-ins: none")

    # Another region sees none of the stub's data.
    check(stub.client("emr", "us-east-1").list_studios()["Studios"] == [], "other region: no studios")
    return r


def test_calls_and_faults(stub, r):
    region, acct = r["region"], r["account_id"]
    c = lambda s, **k: stub.client(s, region, **k)  # noqa: E731
    stub.control("/_stub/reset")
    c("iam").get_role(RoleName="EMRStudio-UserRole")
    c("emr").list_studios()
    c("s3control").get_access_grants_instance(AccountId=acct)
    c("sso-admin").list_instances()
    calls = stub.control("/_stub/calls", method="GET")
    check(calls == ["iam.GetRole", "emr.ListStudios", "s3control.GetAccessGrantsInstance", "sso.ListInstances"],
          "calls", calls)

    # AccessDenied, always, in each protocol's shape.
    stub.control("/_stub/faults", {"rules": [
        {"op": "iam.GetRole", "error": "AccessDenied"},
        {"op": "emr.DescribeStudio", "error": "AccessDenied"},
        {"op": "s3control.ListAccessGrants", "error": "AccessDenied"},
        {"op": "athena.GetWorkGroup", "error": "AccessDenied"},
        {"op": "sso.ListApplicationAssignments", "error": "AccessDenied"},
        {"op": "identitystore.GetUserId", "error": "AccessDenied"},
        {"op": "lakeformation.*", "error": "AccessDenied"},
        {"op": "sts.GetCallerIdentity", "error": "AccessDenied"},
    ]})
    s3c = c("s3control")
    cases = [
        (c("iam").get_role, {"RoleName": "EMRStudio-UserRole"}, ("AccessDenied", 403)),
        (c("sts").get_caller_identity, {}, ("AccessDenied", 403)),
        (c("emr").describe_studio, {"StudioId": STUDIO}, ("AccessDeniedException", 400)),
        (s3c.list_access_grants, {"AccountId": acct}, ("AccessDenied", 403)),
        (c("athena").get_work_group, {"WorkGroup": "idc-wg"}, ("AccessDeniedException", 400)),
        (c("sso-admin").list_application_assignments, {"ApplicationArn": "x" * 10}, ("AccessDeniedException", 400)),
        (c("identitystore").get_user_id, {"IdentityStoreId": r["identity_store_id"], "AlternateIdentifier": {
            "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": "alice"}}},
         ("AccessDeniedException", 400)),
        (c("lakeformation").describe_lake_formation_identity_center_configuration, {},
         ("AccessDeniedException", 403)),
    ]
    for fn, kwargs, want in cases:
        got = error_of(fn, **kwargs)
        check(got == want, f"AccessDenied shape of {fn.__name__}", got)
    c("emr").list_studios()  # not faulted

    # Throttling once, then success: the SDK retries.
    stub.control("/_stub/faults", {"rules": [
        {"op": "athena.GetWorkGroup", "error": "Throttling", "times": 1},
        {"op": "iam.GetRole", "error": "Throttling", "times": 1},
        {"op": "emr.ListStudios", "error": "Throttling", "times": 1},
        {"op": "s3control.GetAccessGrantsInstance", "error": "Throttling", "times": 1},
        {"op": "lakeformation.*", "error": "Throttling", "times": 1},
    ]})
    for fn, kwargs in [(c("athena").get_work_group, {"WorkGroup": "idc-wg"}),
                       (c("iam").get_role, {"RoleName": "EMRStudio-UserRole"}),
                       (c("emr").list_studios, {}),
                       (s3c.get_access_grants_instance, {"AccountId": acct}),
                       (c("lakeformation").describe_lake_formation_identity_center_configuration, {})]:
        out = fn(**kwargs)
        check(out["ResponseMetadata"]["RetryAttempts"] == 1, f"throttled once then OK: {fn.__name__}",
              out["ResponseMetadata"])
    calls = stub.control("/_stub/calls", method="GET")
    check(calls.count("athena.GetWorkGroup") == 2 + 1, "throttled call recorded twice", calls)

    # Throttling codes as the SDKs see them (no retries).
    stub.control("/_stub/faults", {"rules": [{"op": "*", "error": "Throttling"}]})
    no_retry = {"retries": {"mode": "standard", "max_attempts": 1}}
    for svc, fn, kwargs, want in [
            ("iam", "get_role", {"RoleName": "x"}, ("Throttling", 400)),
            ("emr", "list_studios", {}, ("ThrottlingException", 400)),
            ("athena", "list_work_groups", {}, ("TooManyRequestsException", 400)),
            ("lakeformation", "describe_lake_formation_identity_center_configuration", {}, ("ThrottledException", 429)),
            ("s3control", "list_access_grants", {"AccountId": acct}, ("SlowDown", 503))]:
        cl = client(svc, region, stub.url, Config(**no_retry))
        got = error_of(getattr(cl, fn), **kwargs)
        check(got == want, f"throttling shape of {svc}", got)

    # A delay ("Timeout"): answered after the delay; a client with a shorter read timeout gives up.
    stub.control("/_stub/faults", {"rules": [{"op": "emr.ListStudios", "error": "Timeout", "delay": 1.0}]})
    t = time.time()
    out = c("emr").list_studios()
    check(time.time() - t >= 1.0 and len(out["Studios"]) == 1, "delayed answer", time.time() - t)
    impatient = client("emr", region, stub.url,
                       Config(read_timeout=0.3, retries={"mode": "standard", "max_attempts": 1}))
    try:
        impatient.list_studios()
        check(False, "read timeout")
    except ReadTimeoutError:
        check(True, "read timeout")

    # times: N, then the rule is spent.
    stub.control("/_stub/faults", {"rules": [{"op": "emr.DescribeStudio", "error": "AccessDenied", "times": 2}]})
    emr = c("emr")
    got = [error_of(emr.describe_studio, StudioId=STUDIO)[0] for _ in range(3)]
    check(got == ["AccessDeniedException", "AccessDeniedException", None], "times: 2", got)
    stub.control("/_stub/reset")
    check(stub.control("/_stub/calls", method="GET") == [], "reset clears calls")


def variant():
    """The healthy account with two of everything the stub lists, and a few twists."""
    f = copy.deepcopy(HEALTHY)
    s2 = copy.deepcopy(f["studios"][0])
    s2.update(studio_id="es-SECOND000000000000000000", name="second", studio_arn=None, url=None)
    s2 = {k: v for k, v in s2.items() if v is not None}
    s2["session_mappings"].append({"identity_id": ALICE, "identity_name": "alice", "identity_type": "USER"})
    f["studios"].append(s2)
    app = next(iter(f["applications"].values()))
    app["assignments"].append({"principal_id": ALICE, "principal_type": "USER"})
    f["access_grants"]["locations"].append({"access_grants_location_id": "loc-2",
                                            "location_scope": "s3://bucket-two/data",
                                            "iam_role_arn": "arn:aws:iam::111122223333:role/S3AccessGrantsLocationRole"})
    f["access_grants"]["grants"].append({"access_grant_id": "g-2", "grantee_type": "DIRECTORY_GROUP",
                                         "grantee_identifier": ANALYSTS, "permission": "READ",
                                         "access_grants_location_id": "loc-2",
                                         "grant_scope": "s3://bucket-two/data/*"})
    f["workgroups"].append({"name": "off-wg", "state": "DISABLED", "enable_identity_center": False})
    role = copy.deepcopy(f["roles"]["EMRStudio-UserRole"])
    role.update(role_name="AWSAthenaSQLRole-idc-wg",
                arn="arn:aws:iam::111122223333:role/service-role/AWSAthenaSQLRole-idc-wg",
                inline_policies={"unknown": {"kind": "access_denied", "action": "iam:ListRolePolicies"}},
                attached_policies=[{"name": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "document": {}}],
                permissions_boundary={"name": "arn:aws:iam::111122223333:policy/boundaries/Boundary",
                                      "document": {"Version": "2012-10-17", "Statement": [
                                          {"Effect": "Allow", "Action": "*", "Resource": "*"}]}})
    f["roles"]["AWSAthenaSQLRole-idc-wg"] = role
    f["lake_formation"]["opt_ins"] = [{"principal": f"arn:aws:identitystore:::group/{ANALYSTS}",
                                       "database": "flightdata_db", "table": "flightdata"}]
    f["lake_formation_identity_center"] = {
        "instance_arn": "arn:aws:sso:::instance/ssoins-7758a1b2c3d4e5f6",
        "application_arn": "arn:aws:sso::111122223333:application/ssoins-7758a1b2c3d4e5f6/apl-lf00000000000000",
        "external_filtering": {"status": "ENABLED", "authorized_targets": ["111122223333"]}}
    return f


def test_variant(stub):
    r = stub.scenario(variant(), region="us-east-1")
    region, acct, ids = r["region"], r["account_id"], r["ids"]
    c = lambda s, **k: stub.client(s, region, **k)  # noqa: E731
    check(region == "us-east-1" and "ap-northeast-1" not in json.dumps(r["facts"]), "region override")
    s = c("emr").describe_studio(StudioId=STUDIO)["Studio"]
    check(s["StudioArn"] == f"arn:aws:elasticmapreduce:us-east-1:{acct}:studio/{STUDIO}", "ARN in new region")

    # IAM: path, permissions boundary, AWS managed policy, unknown inline policies skipped.
    iam = c("iam")
    role = iam.get_role(RoleName="AWSAthenaSQLRole-idc-wg")["Role"]
    check(role["Path"] == "/service-role/" and role["PermissionsBoundary"]["PermissionsBoundaryArn"]
          == f"arn:aws:iam::{acct}:policy/boundaries/Boundary", "role path + boundary", role)
    att = iam.list_attached_role_policies(RoleName="AWSAthenaSQLRole-idc-wg")["AttachedPolicies"]
    check([a["PolicyArn"] for a in att] == ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"], "AWS managed", att)
    check(iam.list_role_policies(RoleName="AWSAthenaSQLRole-idc-wg")["PolicyNames"] == [], "unknown inline skipped")

    # Lake Formation configuration present.
    lf = c("lakeformation").describe_lake_formation_identity_center_configuration()
    check(lf["CatalogId"] == acct and lf["ExternalFiltering"] == {"Status": "ENABLED", "AuthorizedTargets": [acct]}
          and lf["ApplicationArn"].endswith("apl-lf00000000000000"), "lake formation config", lf)

    opt = c("lakeformation").list_lake_formation_opt_ins()["LakeFormationOptInsInfoList"]
    check([(o["Principal"]["DataLakePrincipalIdentifier"], o["Resource"]["Table"]["Name"]) for o in opt]
          == [(f"arn:aws:identitystore:::group/{ids[ANALYSTS]}", "flightdata")], "LF opt-ins", opt)

    # Disabled workgroup.
    ath = c("athena")
    check(ath.get_work_group(WorkGroup="off-wg")["WorkGroup"]["State"] == "DISABLED", "DISABLED workgroup")

    # Pagination at page size 1.
    stub.control("/_stub/page_size", {"n": 1})
    emr, sso = c("emr"), c("sso-admin")
    s3c = c("s3control")
    wg_app = next(w for w in r["facts"]["workgroups"] if w["name"] == "idc-wg")["identity_center_application_arn"]
    for what, (items, pages), want in [
        ("studios", collect(emr.list_studios, "Studios", "Marker", "Marker"), 2),
        ("session mappings", collect(emr.list_studio_session_mappings, "SessionMappings", "Marker", "Marker"), 3),
        # The facts' three applications and the Lake Formation one the variant adds.
        ("applications", collect(sso.list_applications, "Applications", "NextToken", "NextToken",
                                 InstanceArn=r["instance_arn"]), 4),
        ("assignments", collect(sso.list_application_assignments, "ApplicationAssignments", "NextToken",
                                "NextToken", ApplicationArn=wg_app), 2),
        ("locations", collect(s3c.list_access_grants_locations, "AccessGrantsLocationsList", "NextToken",
                              "NextToken", AccountId=acct), 2),
        ("grants", collect(s3c.list_access_grants, "AccessGrantsList", "NextToken", "NextToken", AccountId=acct), 2),
        ("workgroups", collect(ath.list_work_groups, "WorkGroups", "NextToken", "NextToken"), 3),
    ]:
        check(len(items) == want and pages == want, f"page size 1: {what}", (len(items), pages))
    studio_ids = [x["StudioId"] for x in collect(emr.list_studios, "Studios", "Marker", "Marker")[0]]
    check(studio_ids == [STUDIO, "es-SECOND000000000000000000"], "studio order", studio_ids)
    stub.control("/_stub/page_size", {"n": None})
    check(len(ath.list_work_groups(MaxResults=2)["WorkGroups"]) == 2, "ListWorkGroups MaxResults")
    got = s3c.list_access_grants(AccountId=acct, GranteeType="DIRECTORY_GROUP")["AccessGrantsList"]
    check([g["Grantee"]["GranteeIdentifier"] for g in got] == [ids[ANALYSTS]], "grant filter", got)


def test_unknowns(stub):
    f = copy.deepcopy(HEALTHY)
    unknown = {"unknown": {"kind": "access_denied"}}
    f["studios"] = unknown
    f["workgroups"] = unknown
    f["access_grants"]["instance"] = None
    f["access_grants"]["locations"] = unknown
    f["access_grants"]["grants"] = unknown
    f["roles"]["EMRStudio-ServiceRole"] = None
    f["identity_center_instances"] = []
    f["users"][0]["user"] = None  # no such user
    f["lake_formation"]["identity_center"] = None
    f["tables"] = {"flightdata_db.flightdata": None}
    r = stub.scenario(f)
    c = lambda s, **k: stub.client(s, r["region"], **k)  # noqa: E731
    check(c("emr").list_studios()["Studios"] == [], "unknown studios: none seeded")
    check([w["Name"] for w in c("athena").list_work_groups()["WorkGroups"]] == ["primary"],
          "unknown workgroups: moto's primary only")
    s3c = c("s3control")
    check(error_of(s3c.get_access_grants_instance, AccountId=r["account_id"])
          == ("AccessGrantsInstanceNotExistsError", 404), "no access grants instance")
    check(error_of(s3c.list_access_grants, AccountId=r["account_id"])[0] == "AccessGrantsInstanceNotExistsError",
          "no instance: list grants")
    check(error_of(c("iam").get_role, RoleName="EMRStudio-ServiceRole")[0] == "NoSuchEntity", "null role")
    check(c("sso-admin").list_instances()["Instances"] == [], "no Identity Center instance")
    check(error_of(c("lakeformation").describe_lake_formation_identity_center_configuration)
          == ("EntityNotFoundException", 400), "lake formation: no IdC configuration")
    check(error_of(c("glue").get_table, DatabaseName="flightdata_db", Name="flightdata")[0]
          == "EntityNotFoundException", "null table")
    check(r["ids"] == {ANALYSTS: r["ids"].get(ANALYSTS)} and len(r["ids"]) == 1, "null user: only the group", r["ids"])
    got = error_of(c("identitystore").get_user_id, IdentityStoreId=r["identity_store_id"], AlternateIdentifier={
        "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": "alice"}})
    check(got[0] == "ResourceNotFoundException", "null user: get_user_id", got)


def test_organization(stub):
    """Several accounts: an organization, audit roles, facts seeded per account with
    the management account's Identity Center, AssumeRole denied as AWS does, and
    faults for one account."""
    demo = json.loads((ROOT / "examples" / "demo-account.json").read_text())
    stub.control("/_stub/reset_all")
    org = stub.control("/_stub/organization", {"members": 3, "closed": 1})
    mgmt, (d1, d2, d3), closed = org["management_account_id"], org["members"], org["closed"]
    check(mgmt == "123456789012" and len(closed) == 1, "organization", org)
    for acct in (mgmt, d1, d2):
        stub.control("/_stub/role", {"account": acct, "name": "StudioDoctorAudit"})
    region = "ap-northeast-1"
    m = stub.control(f"/_stub/scenario?account={mgmt}&region={region}", copy.deepcopy(HEALTHY))
    r1 = stub.control(f"/_stub/scenario?account={d1}&region={region}&identity_center_account={mgmt}",
                      copy.deepcopy(HEALTHY))
    r2 = stub.control(f"/_stub/scenario?account={d2}&region={region}&identity_center_account={mgmt}", demo)
    check(m["account_id"] == mgmt and r1["account_id"] == d1 and r2["account_id"] == d2, "seeded accounts")
    check(r1["instance_arn"] == m["instance_arn"] and r1["identity_store_id"] == m["identity_store_id"]
          and r1["ids"].get(ALICE) == m["ids"].get(ALICE), "D1 uses M's instance, store and alice", r1["ids"])
    check(r1["facts"]["identity_center_instances"][0]["owner_account_id"] == mgmt, "owner rewritten")
    check(r1["facts"]["organization"] == {"id": org["organization_id"], "management_account_id": mgmt}
          and m["facts"]["organization"] == r1["facts"]["organization"], "facts' organization is the built one",
          r1["facts"].get("organization"))

    sts = stub.client("sts", region)
    code = error_of(sts.assume_role, RoleArn=f"arn:aws:iam::{d3}:role/StudioDoctorAudit",
                    RoleSessionName="studio-doctor")
    check(code == ("AccessDenied", 403), "no role in D3: AccessDenied", code)
    try:
        sts.assume_role(RoleArn=f"arn:aws:iam::{d3}:role/StudioDoctorAudit", RoleSessionName="ss")
    except ClientError as e:
        msg = e.response["Error"]["Message"]
        check(msg == f"User: arn:aws:sts::{mgmt}:assumed-role/studio-doctor-readonly/ci is not authorized "
              f"to perform: sts:AssumeRole on resource: arn:aws:iam::{d3}:role/StudioDoctorAudit",
              "AccessDenied message", msg)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{d1}:role/StudioDoctorAudit",
                            RoleSessionName="studio-doctor")["Credentials"]

    def as_d1(service, reg=region):
        return boto3.client(service, region_name=reg, endpoint_url=stub.url,
                            aws_access_key_id=creds["AccessKeyId"],
                            aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds["SessionToken"])

    who = as_d1("sts").get_caller_identity()
    check(who["Account"] == d1 and who["Arn"] == f"arn:aws:sts::{d1}:assumed-role/StudioDoctorAudit/studio-doctor",
          "D1 session identity", who)
    studios = as_d1("emr").list_studios()["Studios"]
    arns = [as_d1("emr").describe_studio(StudioId=s["StudioId"])["Studio"]["StudioArn"] for s in studios]
    check([a.split(":")[4] for a in arns] == [d1], "D1 sees its studio", arns)
    check(len(stub.client("emr", region).list_studios()["Studios"]) == 1, "M keeps its studio")
    insts = as_d1("sso-admin").list_instances()["Instances"]
    check([(i["InstanceArn"], i["OwnerAccountId"]) for i in insts] == [(m["instance_arn"], mgmt)],
          "D1 lists M's organization instance", insts)
    user = as_d1("identitystore").describe_user(IdentityStoreId=m["identity_store_id"], UserId=m["ids"][ALICE])
    check(user["UserName"] == "alice", "D1 reads M's identity store", user)
    members = as_d1("identitystore").list_group_memberships_for_member(
        IdentityStoreId=m["identity_store_id"], MemberId={"UserId": m["ids"][ALICE]})["GroupMemberships"]
    check(len(members) == 1, "alice's membership is not duplicated", members)
    desc = as_d1("organizations").describe_organization()["Organization"]
    check(desc["Id"] == org["organization_id"] and desc["MasterAccountId"] == mgmt, "D1's organization", desc)
    apps = as_d1("sso-admin").list_applications(InstanceArn=m["instance_arn"])["Applications"]
    check(apps and {a["ApplicationAccount"] for a in apps} == {d1}, "D1 lists its own applications", apps)
    apps = stub.client("sso-admin", region).list_applications(
        InstanceArn=m["instance_arn"], Filter={"ApplicationAccount": d1})["Applications"]
    check(apps and {a["ApplicationAccount"] for a in apps} == {d1}
          and all(f":{d1}:application/" in a["ApplicationArn"] for a in apps),
          "M lists D1's applications", apps)
    got = stub.client("sso-admin", region).describe_application(ApplicationArn=apps[0]["ApplicationArn"])
    check(got["ApplicationAccount"] == d1, "M describes D1's application", got)
    check(as_d1("sso-admin", "us-east-1").list_instances()["Instances"] == []
          and as_d1("emr", "us-east-1").list_studios()["Studios"] == [], "D1 in another region: nothing")
    listed = stub.client("organizations", region).list_accounts()["Accounts"]
    status = {a["Id"]: a["Status"] for a in listed}
    check(status == {mgmt: "ACTIVE", d1: "ACTIVE", d2: "ACTIVE", d3: "ACTIVE", closed[0]: "SUSPENDED"},
          "ListAccounts", status)

    # Trust policies: ExternalId and the principal.
    stub.control("/_stub/role", {"account": d2, "name": "WithExternalId", "trust_policy": {
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{mgmt}:root"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "xyz"}}}]}})
    stub.control("/_stub/role", {"account": d2, "name": "OtherPrincipal", "trust_policy": {
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{d3}:root"}, "Action": "sts:AssumeRole"}]}})
    arn = f"arn:aws:iam::{d2}:role/WithExternalId"
    check(error_of(sts.assume_role, RoleArn=arn, RoleSessionName="ss")[0] == "AccessDenied", "ExternalId missing")
    check(error_of(sts.assume_role, RoleArn=arn, RoleSessionName="ss", ExternalId="no")[0] == "AccessDenied",
          "ExternalId wrong")
    check(error_of(sts.assume_role, RoleArn=arn, RoleSessionName="ss", ExternalId="xyz") == (None, None),
          "ExternalId right")
    check(error_of(sts.assume_role, RoleArn=f"arn:aws:iam::{d2}:role/OtherPrincipal",
                   RoleSessionName="ss")[0] == "AccessDenied", "principal of another account")

    # A fault for one account: identitystore denied in D1 only (an SCP).
    stub.control("/_stub/faults", {"rules": [{"op": "identitystore.*", "error": "AccessDenied",
                                              "account": d1}]})
    code = error_of(as_d1("identitystore").describe_user, IdentityStoreId=m["identity_store_id"],
                    UserId=m["ids"][ALICE])
    check(code == ("AccessDeniedException", 400), "D1's identitystore denied", code)
    check(error_of(stub.client("identitystore", region).describe_user, IdentityStoreId=m["identity_store_id"],
                   UserId=m["ids"][ALICE]) == (None, None), "M's identitystore allowed")
    stub.control("/_stub/reset")

    # A plain scenario is back to one account.
    r = stub.scenario(copy.deepcopy(HEALTHY))
    now = stub.client("organizations", region).describe_organization()["Organization"]
    check(r["account_id"] == mgmt and now["Id"] != org["organization_id"]
          and stub.client("organizations", region).list_accounts()["Accounts"][0]["Id"] == mgmt
          and len(stub.client("organizations", region).list_accounts()["Accounts"]) == 1,
          "scenario without account= resets everything", now)


def test_lifecycle():
    for how in ("stdin", "sigterm"):
        stub = Stub()
        check(port_open(stub.port) and port_open(stub.moto_port), f"{how}: ports open")
        if how == "stdin":
            stub.proc.stdin.close()
        else:
            stub.proc.send_signal(signal.SIGTERM)
        try:
            code = stub.proc.wait(10)
        except subprocess.TimeoutExpired:
            stub.proc.kill()
            code = None
        time.sleep(0.5)
        check(code == 0 and not port_open(stub.moto_port) and not port_open(stub.port),
              f"{how}: stub and moto gone", code)


def main():
    stub = Stub()
    try:
        for test in (test_healthy, test_calls_and_faults, test_variant, test_unknowns,
                     test_organization):
            try:
                if test is test_calls_and_faults:
                    test(stub, stub.scenario(copy.deepcopy(HEALTHY)))
                else:
                    test(stub)
            except Exception as e:  # noqa: BLE001 - report and go on
                check(False, f"{test.__name__} raised {type(e).__name__}: {e}")
    finally:
        stub.proc.stdin.close()
        stub.proc.wait(10)
    test_lifecycle()
    print(f"selftest: {passed} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
