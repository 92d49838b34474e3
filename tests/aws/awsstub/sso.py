"""IAM Identity Center admin (sso-admin, signing name "sso", JSON 1.1): what moto
lacks (DescribeInstance, the applications and their assignments) and the facts'
instance details patched into moto's ListInstances."""

import json

from .wire import CREATED, HOP_BY_HOP, Req, error, known, new_id, reply_json


def moto_instances(stub, req):
    """moto's SSO instances for the request's region (moto has no DescribeInstance)."""
    headers = {k: v for k, v in req.headers.items()
               if k.lower() not in HOP_BY_HOP and k.lower() != "x-amz-target"}
    headers["X-Amz-Target"] = "SWBExternalService.ListInstances"
    sub = Req("POST", "/", headers, b"{}")
    sub.account, sub.idc_account = req.account, req.idc_account
    status, _, body = stub.forward(sub)
    return json.loads(body).get("Instances", []) if status == 200 else []


def facts_fields(facts, describe):
    """What the facts say about an instance: name, status, regions, and for
    DescribeInstance the encryption key type."""
    out = {}
    for key, wire in (("name", "Name"), ("status", "Status"), ("primary_region", "PrimaryRegion")):
        if facts.get(key):
            out[wire] = facts[key]
    if facts.get("regions"):
        out["Regions"] = [{"RegionName": r["region_name"], "Status": r.get("status"),
                           "IsPrimaryRegion": r["region_name"] == facts.get("primary_region"),
                           "AddedDate": CREATED} for r in facts["regions"]]
    key_type = known(facts.get("key_type"))
    if describe and key_type:
        out["EncryptionConfigurationDetails"] = {"KeyType": key_type, "EncryptionStatus": "ENABLED"}
    return out


def instance_wire(inst, d, describe=False):
    """moto's instance, with what the facts say about it."""
    inst = dict(inst)
    if inst.get("InstanceArn") == d.instance_arn:
        inst.update(facts_fields(d.instance, describe))
    return {k: v for k, v in inst.items() if v is not None}


def extra_wire(facts, d, describe=False):
    """A further instance of the facts, as ListInstances/DescribeInstance show it."""
    inst = {"InstanceArn": facts["instance_arn"], "IdentityStoreId": facts["identity_store_id"],
            "OwnerAccountId": facts.get("owner_account_id", d.account), "CreatedDate": CREATED}
    inst.update(facts_fields(facts, describe))
    return inst


def patch_list_instances(stub, req, d, answer):
    if d.no_instances:
        return reply_json({"Instances": []})
    obj = json.loads(answer[2])
    own = [instance_wire(i, d) for i in obj.get("Instances", [])]
    listed = []
    for extra in d.instance_order:
        listed.extend(own if extra is None else [extra_wire(extra, d)])
    obj["Instances"] = listed
    return reply_json(obj)


def describe_instance(stub, req, d):
    arn = req.json().get("InstanceArn")
    extra = [i for i in d.instance_order if i and i["instance_arn"] == arn]
    if extra and not d.no_instances:
        return reply_json(extra_wire(extra[0], d, describe=True))
    found = [i for i in moto_instances(stub, req) if i.get("InstanceArn") == arn]
    if not found or d.no_instances:
        return error(req, "ResourceNotFoundException", f"Instance {arn} does not exist")
    return reply_json(instance_wire(found[0], d, describe=True))


def app_wire(arn, app, account, d):
    sign_in = {"Origin": "IDENTITY_CENTER"}
    if app.get("url"):  # an application users open at its own URL (an EMR Studio)
        sign_in = {"Origin": "APPLICATION", "ApplicationUrl": app["url"]}
    return {"ApplicationArn": arn, "ApplicationProviderArn": app["provider"],
            "Name": app["name"], "ApplicationAccount": account,
            "InstanceArn": d.instance_arn, "Status": "ENABLED", "CreatedDate": CREATED,
            "PortalOptions": {"Visibility": "ENABLED", "SignInOptions": sign_in}}


def find_app(stub, req, d):
    """(arn, app, its account, error) of the request's ApplicationArn."""
    arn = req.json().get("ApplicationArn")
    app, account = d.apps.get(arn), d.account
    if app is None:
        app, account = stub.visible_apps(d, d.instance_arn).get(arn, (None, None))
    if app is None:
        return arn, None, None, error(req, "ResourceNotFoundException",
                                      f"Application {arn} does not exist")
    return arn, app, account, None


def list_applications(stub, req, d):
    body = req.json()
    provider = (body.get("Filter") or {}).get("ApplicationProvider")
    account = (body.get("Filter") or {}).get("ApplicationAccount")
    apps = [app_wire(arn, a, acct, d) for arn, (a, acct) in
            stub.visible_apps(d, body.get("InstanceArn")).items()
            if (not provider or a["provider"] == provider) and account in (None, acct)]
    return stub.list_reply(body, "Applications", apps)


def describe_application(stub, req, d):
    arn, app, account, err = find_app(stub, req, d)
    return err or reply_json(app_wire(arn, app, account, d))


def list_assignments(stub, req, d):
    arn, app, _, err = find_app(stub, req, d)
    if err:
        return err
    rows = [{"ApplicationArn": arn, "PrincipalId": a["principal_id"],
             "PrincipalType": a["principal_type"]} for a in app["assignments"]]
    body = req.json()
    return stub.list_reply(body, "ApplicationAssignments", rows)


def list_principal_assignments(stub, req, d):
    """The applications a principal is assigned to directly (no group expansion),
    optionally filtered to one application."""
    body = req.json()
    if body.get("InstanceArn") != d.instance_arn:
        return error(req, "ResourceNotFoundException",
                     f"Instance {body.get('InstanceArn')} does not exist")
    only = (body.get("Filter") or {}).get("ApplicationArn")
    rows = [{"ApplicationArn": arn, "PrincipalId": a["principal_id"],
             "PrincipalType": a["principal_type"]}
            for arn, (app, _) in stub.visible_apps(d, d.instance_arn).items() if only in (None, arn)
            for a in app["assignments"]
            if a["principal_id"] == body.get("PrincipalId")
            and a["principal_type"] == body.get("PrincipalType")]
    return stub.list_reply(body, "ApplicationAssignments", rows)


def assignment_configuration(stub, req, d):
    _, app, _, err = find_app(stub, req, d)
    return err or reply_json({"AssignmentRequired": app["assignment_required"]})


def seed(facts, data):
    """Identity Center applications: the facts' map plus every ARN that refers to one."""
    provider = "arn:aws:sso::aws:applicationProvider/"
    for arn, app in (facts.get("applications") or {}).items():
        data.apps[arn] = {"assignment_required": known(app.get("assignment_required"), False),
                          "assignments": known(app.get("assignments"), []),
                          "name": arn.rsplit("/", 1)[-1], "provider": provider + "custom"}

    def refer(arn, name, kind):
        app = data.apps.setdefault(arn, {"assignment_required": False, "assignments": []})
        app.update(name=name, provider=provider + kind)

    for wg in known(facts.get("workgroups"), []):
        if wg.get("identity_center_application_arn"):
            refer(wg["identity_center_application_arn"], wg["name"], "athena")
    for s in known(facts.get("studios"), []):
        app_arn = known(s.get("application_arn"))
        if app_arn:
            refer(app_arn, s["name"], "emrstudio")
            data.apps[app_arn]["url"] = s.get("url")
    inst = known((facts.get("access_grants") or {}).get("instance"))
    if inst and inst.get("identity_center_application_arn"):
        refer(inst["identity_center_application_arn"], "S3AccessGrants", "s3")
    lf = known(facts.get("lake_formation_identity_center",
                         (facts.get("lake_formation") or {}).get("identity_center")))
    if lf and lf.get("application_arn"):
        refer(lf["application_arn"], "LakeFormation", "lakeformation")


LOCAL = {
    "sso.DescribeInstance": describe_instance,
    "sso.ListApplications": list_applications,
    "sso.DescribeApplication": describe_application,
    "sso.ListApplicationAssignments": list_assignments,
    "sso.ListApplicationAssignmentsForPrincipal": list_principal_assignments,
    "sso.GetApplicationAssignmentConfiguration": assignment_configuration,
}
PATCHES = {"sso.ListInstances": patch_list_instances}


# Writes: what a fix plan does to Identity Center.

def new_app(d, name, provider, required, url=None, instance=None):
    """An Identity Center application that a service creates for one of its
    resources (a Studio, a workgroup, Lake Formation, S3 Access Grants) on the
    account's instance; returns its ARN."""
    ssoins = (instance or d.instance_arn or "ssoins-0000000000000000").rsplit("/", 1)[-1]
    arn = f"arn:aws:sso::{d.account}:application/{ssoins}/apl-{new_id(16)}"
    d.apps[arn] = {"assignment_required": required, "assignments": [], "name": name,
                   "provider": "arn:aws:sso::aws:applicationProvider/" + provider}
    if url:
        d.apps[arn]["url"] = url
    return arn


def create_assignment(stub, req, d):
    """CreateApplicationAssignment; assigning a principal that is already assigned
    changes nothing."""
    arn, app, _, err = find_app(stub, req, d)
    if err:
        return err
    body = req.json()
    if body.get("PrincipalType") not in ("USER", "GROUP") or not body.get("PrincipalId"):
        return error(req, "ValidationException", "PrincipalId and PrincipalType (USER or GROUP) are required")
    row = {"principal_id": body["PrincipalId"], "principal_type": body["PrincipalType"]}
    if row not in app["assignments"]:
        app["assignments"].append(row)
    return reply_json({})


def describe_assignment(stub, req, d):
    """DescribeApplicationAssignment: the principal's direct assignment, or
    ResourceNotFoundException."""
    arn, app, _, err = find_app(stub, req, d)
    if err:
        return err
    body = req.json()
    row = {"principal_id": body.get("PrincipalId"), "principal_type": body.get("PrincipalType")}
    if row not in app["assignments"]:
        return error(req, "ResourceNotFoundException", "The application assignment does not exist")
    return reply_json({"ApplicationArn": arn, "PrincipalId": row["principal_id"],
                       "PrincipalType": row["principal_type"]})


def put_assignment_configuration(stub, req, d):
    _, app, _, err = find_app(stub, req, d)
    if err:
        return err
    required = req.json().get("AssignmentRequired")
    if not isinstance(required, bool):
        return error(req, "ValidationException", "AssignmentRequired is required")
    app["assignment_required"] = required
    return reply_json({})


def add_region(stub, req, d):
    """AddRegion: the instance is replicated to the region (ADDING, then ACTIVE;
    served here as ACTIVE at once)."""
    body = req.json()
    arn, region = body.get("InstanceArn"), body.get("RegionName")
    facts = d.instance if arn == d.instance_arn else next(
        (i for i in d.instance_order if i and i["instance_arn"] == arn), None)
    if facts is None or d.no_instances:
        return error(req, "ValidationException", f"Instance {arn} does not exist")
    regions = facts.setdefault("regions", [])
    if not regions and facts.get("primary_region"):
        regions.append({"region_name": facts["primary_region"], "status": "ACTIVE"})
    if any(r["region_name"] == region for r in regions):
        return error(req, "ConflictException", f"Region {region} is already added to the instance")
    regions.append({"region_name": region, "status": "ACTIVE"})
    return reply_json({"Status": "ADDING"})


def create_instance(stub, req, d):
    """CreateInstance: an account instance. moto always has one per account and
    region, which the stub hides while the facts say there is none: creating one
    shows it (its identity store holds the seeded users)."""
    if not d.no_instances:
        return error(req, "ConflictException", "An instance of IAM Identity Center already exists")
    d.no_instances = False
    return reply_json({"InstanceArn": d.instance_arn})


def update_instance(stub, req, d):
    """UpdateInstance: the name (moto keeps it) and the encryption configuration
    (KeyType, and KmsKeyArn for a customer managed key)."""
    body = req.json()
    arn = body.get("InstanceArn")
    facts = d.instance if arn == d.instance_arn else next(
        (i for i in d.instance_order if i and i["instance_arn"] == arn), None)
    if facts is None or d.no_instances:
        return error(req, "ResourceNotFoundException", f"Instance {arn} does not exist")
    enc = body.get("EncryptionConfiguration")
    if enc is not None:
        if enc.get("KeyType") not in ("AWS_OWNED_KMS_KEY", "CUSTOMER_MANAGED_KEY") or (
                enc["KeyType"] == "CUSTOMER_MANAGED_KEY") != bool(enc.get("KmsKeyArn")):
            return error(req, "ValidationException",
                         "EncryptionConfiguration needs KeyType, and KmsKeyArn exactly for CUSTOMER_MANAGED_KEY")
        facts["key_type"] = enc["KeyType"]
    if body.get("Name"):
        facts["name"] = body["Name"]
        if arn == d.instance_arn:
            stub.moto_json(req, "sso", "SWBExternalService.UpdateInstance",
                           {"InstanceArn": arn, "Name": body["Name"]})
    return reply_json({})


def delete_instance(stub, req, d):
    if d.no_instances or req.json().get("InstanceArn") != d.instance_arn:
        return error(req, "ResourceNotFoundException",
                     f"Instance {req.json().get('InstanceArn')} does not exist")
    d.no_instances = True
    return reply_json({})


LOCAL.update({
    "sso.CreateApplicationAssignment": create_assignment,
    "sso.DescribeApplicationAssignment": describe_assignment,
    "sso.PutApplicationAssignmentConfiguration": put_assignment_configuration,
    "sso.AddRegion": add_region,
    "sso.CreateInstance": create_instance,
    "sso.DeleteInstance": delete_instance,
    "sso.UpdateInstance": update_instance,
})
