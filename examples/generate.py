#!/usr/bin/env python3
"""Regenerate examples/demo-account.json and examples/traps/<ID>.json from
examples/healthy-account.json.

Each trap file is the healthy account with exactly one trap: `<ID>.json` for a
check's main trap, `<ID>-<what>.json` for a further setup that trips the same check; `check` on it reports
that check fail (or warn), its dependants skip, and everything else pass (a test
enforces this). Run after editing healthy-account.json or adding a trap:

    python3 examples/generate.py
    python3 examples/generate.py --check   # exit 1 naming stale files (a test runs it)
"""
import copy
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).parent
HEALTHY = json.loads((HERE / "healthy-account.json").read_text())


def studio(f):
    return f["studios"][0]


def idc_wg(f):
    return next(w for w in f["workgroups"] if w["name"] == "idc-wg")


def role(f, name):
    return f["roles"][name]


def drop_sso(s):
    """What DescribeStudio returns for a Studio created with IAM authentication."""
    s["auth_mode"] = "IAM"
    for k in ("user_role", "idc_instance_arn", "idc_user_assignment"):
        s.pop(k, None)
    s["trusted_identity_propagation_enabled"] = False
    s["session_mappings"] = []


def wg001(f):
    # Created without IAM Identity Center: no application, no instance.
    w = idc_wg(f)
    w["enable_identity_center"] = False
    f["applications"].pop(w.pop("identity_center_application_arn"))
    w.pop("identity_center_instance_arn")


def es001(f):
    drop_sso(studio(f))


def es003(f):
    studio(f).pop("user_role")


def es004(f):
    # The seed's trap 2-4: the trust policy allows sts:AssumeRole only.
    role(f, "EMRStudio-UserRole")["trust_policy"]["Statement"][0]["Action"] = "sts:AssumeRole"


SESSION_POLICY = "arn:aws:iam::111122223333:policy/EMRStudio-SessionPolicy"


def session_statements(f):
    """The session policy's statements: its document in `session_policies` and its
    copy attached to the user role (one IAM policy, so both change together)."""
    attached = next(p for p in role(f, "EMRStudio-UserRole")["attached_policies"]
                    if p["name"] == SESSION_POLICY)
    doc = f["session_policies"][SESSION_POLICY]
    attached["document"] = doc
    return doc["Statement"]


def es005(f):
    # The seed's trap 2-4: no secretsmanager:TagResource, no iam:PassRole.
    drop = ("TagStudioSecrets", "PassServiceRole")
    doc = role(f, "EMRStudio-UserRole")["inline_policies"][0]["document"]
    doc["Statement"] = [s for s in doc["Statement"] if s.get("Sid") not in drop]
    session_statements(f)[:] = [s for s in session_statements(f) if s.get("Sid") not in drop]


def es005_glue_catalog_only(f):
    # Glue granted on the catalog only: reading a table needs its database and the table too.
    catalog = "arn:aws:glue:ap-northeast-1:111122223333:catalog"
    for s in role(f, "EMRStudio-UserRole")["inline_policies"][0]["document"]["Statement"]:
        if s.get("Sid") == "GlueRead":
            s["Resource"] = catalog
    st = session_statements(f)
    st[0]["Action"] = [a for a in st[0]["Action"] if not a.startswith("glue:")]
    st.append({"Sid": "GlueRead", "Effect": "Allow", "Action": "glue:Get*", "Resource": catalog})


def es005_session_policy(f):
    # The group's session policy allows no Athena actions: the Studio session cannot query.
    st = session_statements(f)
    st[0]["Action"] = [a for a in st[0]["Action"] if not a.startswith("athena:")]


def es005_service_role_path(f):
    # The service role lives under /service-role/ and DescribeStudio gives its bare
    # name; iam:PassRole is granted on the ARN without the path.
    role(f, "EMRStudio-ServiceRole")["arn"] = "arn:aws:iam::111122223333:role/service-role/EMRStudio-ServiceRole"
    studio(f)["service_role"] = "EMRStudio-ServiceRole"


def es006(f):
    # The console's sample service role: S3 only, no Athena.
    r = role(f, "EMRStudio-ServiceRole")
    r["inline_policies"] = [p for p in r["inline_policies"] if p["name"] != "StudioServiceAthena"]


def studio_app(f):
    return f["applications"][studio(f)["application_arn"]]


def es008(f):
    # Nobody is assigned: no session mapping, nothing on the Studio's application.
    studio(f)["session_mappings"] = []
    studio_app(f)["assignments"] = []


def es008_unlocated(f):
    # No session mapping, and the Studio's Identity Center application could not
    # be located, so an assignment made on it directly cannot be ruled out.
    es008(f)
    f["applications"].pop(studio(f)["application_arn"])
    studio(f)["application_arn"] = None


def wg003(f):
    f["applications"][idc_wg(f)["identity_center_application_arn"]]["assignments"] = []


def ag001(f):
    f["access_grants"] = {"instance": None, "locations": [], "grants": []}


def ag002(f):
    inst = f["access_grants"]["instance"]
    inst.pop("identity_center_instance_arn")
    inst.pop("identity_center_application_arn")


def ag003(f):
    f["access_grants"]["locations"][0]["location_scope"] = "s3://data-lake-111122223333"


def ag005(f):
    # A grant exists, but for the bucket's other prefix.
    f["access_grants"]["grants"][0]["grant_scope"] = "s3://athena-results-111122223333/primary/*"


def es002(f):
    # Created without ticking "Trusted identity propagation".
    studio(f)["trusted_identity_propagation_enabled"] = False


def es007(f):
    # Object actions granted on the bucket ARN instead of its objects.
    doc = role(f, "EMRStudio-ServiceRole")["inline_policies"][0]["document"]
    doc["Statement"][0]["Resource"] = "arn:aws:s3:::analytics-studio-111122223333"


def es009(f):
    # The mapping's session policy exists but is not attached to the user role.
    r = role(f, "EMRStudio-UserRole")
    r["attached_policies"] = [
        p for p in r["attached_policies"] if not p["name"].endswith(":policy/EMRStudio-SessionPolicy")
    ]


def wg002(f):
    idc_wg(f)["state"] = "DISABLED"


def wg006(f):
    # Result location kept (AG003 still passes), S3 Access Grants off.
    idc_wg(f)["s3_access_grants"]["enable_s3_access_grants"] = False


def wg007(f):
    # Per-user prefix on, "Override client-side settings" off.
    idc_wg(f)["enforce_workgroup_configuration"] = False


def wg008(f):
    idc_wg(f)["effective_engine_version"] = "Athena engine version 2"


def wg004(f):
    # The execution role was made for another service: Athena cannot assume it.
    t = role(f, "AWSAthenaSQLRole-idc-wg")["trust_policy"]
    t["Statement"][0]["Principal"] = {"Service": "glue.amazonaws.com"}


def wg005(f):
    # The execution role cannot get S3 Access Grants credentials for the results.
    doc = role(f, "AWSAthenaSQLRole-idc-wg")["inline_policies"][0]["document"]
    doc["Statement"] = [s for s in doc["Statement"] if s.get("Sid") != "AccessGrants"]


def wg005_glue_catalog_only(f):
    # Glue granted on the catalog only: reading a table needs its database and the table too.
    doc = role(f, "AWSAthenaSQLRole-idc-wg")["inline_policies"][0]["document"]
    for s in doc["Statement"]:
        if s.get("Sid") == "GlueCatalog":
            s["Resource"] = "arn:aws:glue:ap-northeast-1:111122223333:catalog"


def wg010(f):
    # KMS-encrypted results, no S3 Access Grant for the execution role.
    idc_wg(f)["encryption_option"] = "SSE_KMS"


def ag004(f):
    # The location role trust without the sts:SetContext statement.
    t = role(f, "S3AccessGrantsLocationRole")["trust_policy"]
    t["Statement"] = [s for s in t["Statement"] if s.get("Sid") != "AccessGrantsTrustPolicyWithIDCContext"]


def ag006(f):
    # The location role can read but not write.
    doc = role(f, "S3AccessGrantsLocationRole")["inline_policies"][0]["document"]
    doc["Statement"] = [s for s in doc["Statement"] if s.get("Sid") != "ObjectLevelWritePermissions"]


def ag003_bucket_region(f):
    # The results bucket is in another region than S3 Access Grants.
    f["buckets"]["athena-results-111122223333"]["region"] = "us-east-1"


def ag003_expected_owner(f):
    # The workgroup expects another account to own its results bucket.
    idc_wg(f)["expected_bucket_owner"] = "444455556666"


def ag004_grant_location(f):
    # The grant is in the default location, whose role lacks sts:SetContext; a
    # more specific location over the results bucket has a healthy role.
    broken = copy.deepcopy(role(f, "S3AccessGrantsLocationRole"))
    broken["role_name"] = "S3AccessGrantsDefaultRole"
    broken["arn"] = "arn:aws:iam::111122223333:role/S3AccessGrantsDefaultRole"
    t = broken["trust_policy"]
    t["Statement"] = [s for s in t["Statement"] if s.get("Sid") != "AccessGrantsTrustPolicyWithIDCContext"]
    f["roles"]["S3AccessGrantsDefaultRole"] = broken
    locations = f["access_grants"]["locations"]
    locations[0]["iam_role_arn"] = broken["arn"]
    locations.append({
        "access_grants_location_id": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
        "location_scope": "s3://athena-results-111122223333",
        "iam_role_arn": "arn:aws:iam::111122223333:role/S3AccessGrantsLocationRole",
    })


def ag005_pinned_elsewhere(f):
    # The user's grant is pinned to another Identity Center application.
    f["access_grants"]["grants"][0]["application_arn"] = (
        "arn:aws:sso::111122223333:application/ssoins-7758a1b2c3d4e5f6/apl-9f8e7d6c5b4a3f2e")


def ag005_no_star(f):
    # The user's prefix granted without the trailing `*`: one key, not the prefix.
    g = f["access_grants"]["grants"][0]
    g["grant_scope"] = g["grant_scope"].rstrip("*")


def wg006_managed_results(f):
    # Athena-managed query results: no S3 result location at all.
    w = idc_wg(f)
    w.pop("output_location")
    w["managed_query_results"] = True


def ac001(f):
    # A run over several accounts: the audit role of this one cannot be assumed,
    # so nothing but the target could be recorded.
    account = f["caller"]["account_id"]
    target = f["target"]
    f.clear()
    f.update({
        "facts_version": 1,
        "target": {"account_id": account, **target},
        "caller": {"unknown": {
            "kind": "access_denied",
            "action": "sts:AssumeRole",
            "message": f"AccessDenied: User: arn:aws:iam::999988887777:user/ci is not authorized "
                       f"to perform: sts:AssumeRole on resource: arn:aws:iam::{account}:role/StudioDoctorAudit",
        }},
    })


def ic001(f):
    # The instance is still being created: nothing can use it yet.
    f["identity_center_instances"][0]["status"] = "CREATE_IN_PROGRESS"


def ic002(f):
    # A multi-Region instance whose primary is us-east-1, replicated to the
    # target region without a customer managed KMS key.
    i = f["identity_center_instances"][0]
    i["primary_region"] = "us-east-1"
    i["regions"] = [
        {"region_name": "us-east-1", "status": "ACTIVE"},
        {"region_name": f["target"]["region"], "status": "ACTIVE"},
    ]
    i["key_type"] = "AWS_OWNED_KMS_KEY"


def ic003(f):
    f["users"][0]["user"]["status"] = "DISABLED"


def ic003_user_not_found(f):
    # A typo in --user: the store has alice and bob.
    f["target"]["users"] = ["alcie"]
    f["users"] = [{"user_name": "alcie", "user": None}]
    f["store_user_names"] = ["alice", "bob"]


def ic004(f):
    # The Studio was created on another Identity Center instance (LF001 and AG002
    # cover Lake Formation and S3 Access Grants on another instance themselves).
    studio(f)["idc_instance_arn"] = "arn:aws:sso:::instance/ssoins-0000111122223333"


def ic005(f):
    # The instance is an account instance of account 444455556666 (Identity
    # Center read from there, a member of the same organization): it serves
    # only resources in 444455556666.
    f["identity_center_instances"][0]["owner_account_id"] = "444455556666"
    f["identity_center_source"] = {
        "account_id": "444455556666",
        "organization": copy.deepcopy(f["organization"]),
    }


def ic005_other_organization(f):
    # The organization instance of another organization, whose management
    # account is 444455556666.
    f["identity_center_instances"][0]["owner_account_id"] = "444455556666"
    f["identity_center_source"] = {
        "account_id": "444455556666",
        "organization": {"id": "o-f6e5d4c3b2", "management_account_id": "444455556666"},
    }


def wg009(f):
    # The same account built in a region where Athena does not support trusted
    # identity propagation: every region string moves (target, ARNs, the Identity
    # Center instance's region), so only the region list tells it apart.
    moved = json.loads(json.dumps(f).replace("ap-northeast-1", "ap-southeast-5"))
    f.clear()
    f.update(moved)


def lf_table_grant(f):
    return next(p for p in f["lake_formation"]["permissions"] if p.get("table") == "flightdata")


def lf001(f):
    # Lake Formation never integrated with IAM Identity Center.
    f["lake_formation"]["identity_center"] = None


def lf002(f):
    # DESCRIBE kept (LF003 passes), SELECT gone.
    lf_table_grant(f)["permissions"] = ["DESCRIBE"]


def lf002_tag_mismatch(f):
    # SELECT only through an LF-Tag expression the table's tags do not match.
    lf_table_grant(f)["permissions"] = ["DESCRIBE"]
    f["lake_formation"]["tag_permissions"] = [{
        "principal": lf_table_grant(f)["principal"], "resource_type": "TABLE",
        "expression": [{"key": "domain", "values": ["finance"]}], "permissions": ["SELECT"]}]


def lf002_saved_expression(f):
    # SELECT only through a saved LF-Tag expression, which is not evaluated.
    lf_table_grant(f)["permissions"] = ["DESCRIBE"]
    f["lake_formation"]["tag_permissions"] = [{
        "principal": lf_table_grant(f)["principal"], "resource_type": "TABLE",
        "expression_name": "flight-readers", "permissions": ["SELECT"]}]


def lf003(f):
    # SELECT and DESCRIBE on the table, nothing on the database.
    f["lake_formation"]["permissions"] = [lf_table_grant(f)]


def lf004(f):
    # Only another prefix of the bucket is registered.
    f["lake_formation"]["resources"][0]["resource_arn"] = "arn:aws:s3:::data-lake-111122223333/archive"


def lf005(f):
    # Registered with the console wizard's service-linked role.
    f["lake_formation"]["resources"][0]["role_arn"] = (
        "arn:aws:iam::111122223333:role/aws-service-role/lakeformation.amazonaws.com/"
        "AWSServiceRoleForLakeFormationDataAccess"
    )


def lf006(f):
    # The default settings kept: Super to IAMAllowedPrincipals on the database and on the table.
    f["lake_formation"]["permissions"] += [
        {"principal": "IAM_ALLOWED_PRINCIPALS", "database": "flightdata_db", "permissions": ["ALL"]},
        {"principal": "IAM_ALLOWED_PRINCIPALS", "database": "flightdata_db", "table": "flightdata",
         "permissions": ["ALL"]},
    ]


def lf007(f):
    # Hybrid access mode, nobody opted in.
    f["lake_formation"]["resources"][0]["hybrid_access_enabled"] = True


def lf008(f):
    f["lake_formation"]["resources"][0]["verification_status"] = "VERIFICATION_FAILED"


def lf009(f):
    # studio-doctor runs as a role that is no Lake Formation administrator.
    f["lake_formation"]["settings"]["data_lake_admins"] = ["arn:aws:iam::111122223333:role/DataLakeAdmin"]


def es004_source_arn_pinned(f):
    # The user role trusts EMR only for a request whose aws:SourceArn is the
    # Studio's own ARN; AWS does not document that EMR sends that ARN.
    stmt = role(f, "EMRStudio-UserRole")["trust_policy"]["Statement"][0]
    stmt["Condition"] = {"ArnEquals": {"aws:SourceArn": studio(f)["studio_arn"]}}


def es005_resource_type_wildcard(f):
    # Secret tagging granted with a wildcard in the resource type (`s*` for
    # `secret`), which the ARN documentation calls incorrect usage: whether IAM
    # matches it is not documented.
    # The managed policy attached to the role is also the Studio's session
    # policy: one document, changed wherever the facts hold it.
    r = role(f, "EMRStudio-UserRole")
    docs = [p["document"] for p in r["inline_policies"] + r["attached_policies"]]
    docs += [d for d in f.get("session_policies", {}).values() if d]
    for doc in docs:
        for s in doc["Statement"]:
            if s.get("Sid") == "TagStudioSecrets":
                s["Resource"] = "arn:aws:secretsmanager:*:*:s*:emr-studio-*"


def lf010(f):
    # "Require assignments" turned on for Lake Formation's application, nobody assigned.
    arn = f["lake_formation"]["identity_center"]["application_arn"]
    f["applications"][arn] = {"assignment_required": True, "assignments": []}


def wg001_regular(f):
    # The regular workgroup "primary" is the one the Studio's users query through.
    f["target"]["workgroup"] = "primary"


TRAPS = {
    "AC001": ac001,
    "ES001": es001,
    "ES003": es003,
    "ES004": es004,
    "ES005": es005,
    "ES005-glue-catalog-only": es005_glue_catalog_only,
    "ES005-session-policy": es005_session_policy,
    "ES005-service-role-path": es005_service_role_path,
    "ES006": es006,
    "ES008": es008,
    "WG001": wg001,
    "WG003": wg003,
    "AG001": ag001,
    "AG002": ag002,
    "AG003": ag003,
    "AG005": ag005,
    "ES002": es002,
    "ES007": es007,
    "ES009": es009,
    "WG002": wg002,
    "WG006": wg006,
    "WG007": wg007,
    "WG008": wg008,
    "WG004": wg004,
    "WG005": wg005,
    "WG005-glue-catalog-only": wg005_glue_catalog_only,
    "WG010": wg010,
    "AG004": ag004,
    "AG006": ag006,
    "IC001": ic001,
    "IC002": ic002,
    "IC003": ic003,
    "IC003-user-not-found": ic003_user_not_found,
    "IC004": ic004,
    "IC005": ic005,
    "IC005-other-organization": ic005_other_organization,
    "WG009": wg009,
    "LF001": lf001,
    "LF002": lf002,
    "LF002-tag-mismatch": lf002_tag_mismatch,
    "LF002-saved-expression": lf002_saved_expression,
    "LF003": lf003,
    "LF004": lf004,
    "LF005": lf005,
    "LF006": lf006,
    "LF007": lf007,
    "LF008": lf008,
    "LF009": lf009,
    "ES004-source-arn-pinned": es004_source_arn_pinned,
    "ES005-resource-type-wildcard": es005_resource_type_wildcard,
    "LF010": lf010,
    "WG001-regular": wg001_regular,
    "ES008-unlocated": es008_unlocated,
    "AG003-bucket-region": ag003_bucket_region,
    "AG003-expected-owner": ag003_expected_owner,
    "AG004-grant-location": ag004_grant_location,
    "AG005-pinned-elsewhere": ag005_pinned_elsewhere,
    "AG005-no-star": ag005_no_star,
    "WG006-managed-results": wg006_managed_results,
}


def demo(f):
    """A first setup with the common traps at once (`studio-doctor demo`)."""
    es001(f)  # Studio created with IAM authentication
    f["roles"].pop("EMRStudio-UserRole")  # no separate user role
    es006(f)  # console sample service role without Athena
    wg001(f)  # workgroup without Identity Center
    ag001(f)  # no S3 Access Grants
    # Console defaults that also get in the way:
    lf005(f)  # data location registered with the wizard's service-linked role
    lf006(f)  # IAMAllowedPrincipals still holds ALL on the database and the table
    idc_wg(f)["name"] = "flightdata-wg"
    idc_wg_out = "s3://athena-results-111122223333/flightdata-wg/"
    next(w for w in f["workgroups"] if w["name"] == "flightdata-wg")["output_location"] = idc_wg_out
    f["workgroups"].sort(key=lambda w: w["name"])


def render(facts):
    return json.dumps(facts, indent=2, ensure_ascii=False) + "\n"


def outputs():
    """Every generated file: path -> text."""
    out = {}
    for trap_id, mutate in TRAPS.items():
        f = copy.deepcopy(HEALTHY)
        mutate(f)
        out[HERE / "traps" / f"{trap_id}.json"] = render(f)
    f = copy.deepcopy(HEALTHY)
    demo(f)
    out[HERE / "demo-account.json"] = render(f)
    return out


def main():
    """Write the files; with --check, only say which are stale or unknown (exit 1)."""
    files = outputs()
    if "--check" in sys.argv[1:]:
        stale = [p for p, text in files.items() if not p.exists() or p.read_text() != text]
        extra = [p for p in (HERE / "traps").glob("*.json") if p not in files]
        for p in stale:
            print(f"stale: {p.relative_to(HERE.parent)} (run python3 examples/generate.py)")
        for p in extra:
            print(f"not generated: {p.relative_to(HERE.parent)} (add it to TRAPS or delete it)")
        sys.exit(1 if stale or extra else 0)
    (HERE / "traps").mkdir(exist_ok=True)
    for p, text in files.items():
        p.write_text(text)


if __name__ == "__main__":
    main()
