"""EMR Studio (JSON 1.1), which moto lacks: ListStudios, DescribeStudio,
ListStudioSessionMappings, served from the facts' studios; and the writes a fix
plan makes (CreateStudio, DeleteStudio, UpdateStudio, Create/UpdateStudioSessionMapping)."""

import re

from .sso import new_app
from .wire import CREATED, error, known, new_id, reply_json

STUDIO_FIELDS = [
    ("studio_id", "StudioId"), ("studio_arn", "StudioArn"), ("name", "Name"),
    ("auth_mode", "AuthMode"), ("vpc_id", "VpcId"), ("subnet_ids", "SubnetIds"),
    ("service_role", "ServiceRole"), ("user_role", "UserRole"),
    ("workspace_security_group_id", "WorkspaceSecurityGroupId"),
    ("engine_security_group_id", "EngineSecurityGroupId"), ("url", "Url"),
    ("default_s3_location", "DefaultS3Location"), ("idc_instance_arn", "IdcInstanceArn"),
    ("trusted_identity_propagation_enabled", "TrustedIdentityPropagationEnabled"),
    ("idc_user_assignment", "IdcUserAssignment"), ("encryption_key_arn", "EncryptionKeyArn"),
]
SUMMARY_FIELDS = {"StudioId", "Name", "VpcId", "Url", "AuthMode"}


def studio_wire(s, summary=False):
    out = {wire: s[key] for key, wire in STUDIO_FIELDS if s.get(key) is not None}
    if summary:
        out = {k: v for k, v in out.items() if k in SUMMARY_FIELDS}
    else:
        out["Tags"] = []
    out["CreationTime"] = CREATED
    return out


def list_studios(stub, req, d):
    page, marker = stub.paginate(d.studios, req.json().get("Marker"))
    out = {"Studios": [studio_wire(s, summary=True) for s in page]}
    if marker:
        out["Marker"] = marker
    return reply_json(out)


def find_studio(d, studio_id):
    return next((s for s in d.studios if s["studio_id"] == studio_id), None)


def describe_studio(stub, req, d):
    studio_id = req.json().get("StudioId")
    s = find_studio(d, studio_id)
    if s is None:
        return error(req, "InvalidRequestException", f"Studio {studio_id} does not exist.")
    return reply_json({"Studio": studio_wire(s)})


def list_session_mappings(stub, req, d):
    body = req.json()
    studio_id, kind = body.get("StudioId"), body.get("IdentityType")
    if studio_id and find_studio(d, studio_id) is None:
        return error(req, "InvalidRequestException", f"Studio {studio_id} does not exist.")
    rows = []
    for s in d.studios:
        if studio_id and s["studio_id"] != studio_id:
            continue
        for m in s["session_mappings"]:
            if kind and m.get("identity_type") != kind:
                continue
            row = {"StudioId": s["studio_id"], "IdentityId": m["identity_id"],
                   "IdentityName": m.get("identity_name"), "IdentityType": m["identity_type"],
                   "SessionPolicyArn": m.get("session_policy_arn"), "CreationTime": CREATED}
            rows.append({k: v for k, v in row.items() if v is not None})
    page, marker = stub.paginate(rows, body.get("Marker"))
    out = {"SessionMappings": page}
    if marker:
        out["Marker"] = marker
    return reply_json(out)


def seed(facts, data):
    for s in known(facts.get("studios"), []):
        data.studios.append({**s, "session_mappings": known(s.get("session_mappings"), [])})


# Writes: what a fix plan does to Studios and their session mappings.

STUDIO_INPUT = [(wire, key) for key, wire in STUDIO_FIELDS
                if wire not in ("StudioId", "StudioArn", "Url")] + [("Description", "description")]
ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def create_studio(stub, req, d):
    """CreateStudio. A Studio with IAM Identity Center authentication is an
    Identity Center application: EMR creates it, with user assignment required
    unless IdcUserAssignment is OPTIONAL."""
    body = req.json()
    missing = [k for k in ("Name", "AuthMode", "VpcId", "SubnetIds", "ServiceRole",
                           "WorkspaceSecurityGroupId", "EngineSecurityGroupId", "DefaultS3Location")
               if not body.get(k)]
    if missing:
        return error(req, "InvalidRequestException", f"Missing required parameters: {', '.join(missing)}")
    if body["AuthMode"] not in ("SSO", "IAM"):
        return error(req, "InvalidRequestException", f"Invalid AuthMode {body['AuthMode']}")
    if body["AuthMode"] == "SSO" and not body.get("UserRole"):
        return error(req, "InvalidRequestException", "A Studio with AuthMode SSO needs a UserRole")
    if any(s["name"] == body["Name"] for s in d.studios):
        return error(req, "InvalidRequestException", f"A Studio named {body['Name']} already exists")
    for wire in ("ServiceRole", "UserRole"):
        if body.get(wire):
            arn = role_arn(stub, req, body[wire])
            if arn is None:
                return error(req, "InvalidRequestException", f"The {wire} {body[wire]} does not exist")
            body[wire] = arn
    studio_id = "es-" + new_id(25, ID_ALPHABET)
    url = f"https://{studio_id}.emrstudio-prod.{d.region}.amazonaws.com"
    studio = {key: body[wire] for wire, key in STUDIO_INPUT if body.get(wire) is not None}
    studio.update(studio_id=studio_id, url=url, session_mappings=[],
                  studio_arn=f"arn:aws:elasticmapreduce:{d.region}:{d.account}:studio/{studio_id}")
    if body["AuthMode"] == "SSO":
        studio.setdefault("idc_instance_arn", d.instance_arn)
        studio.setdefault("idc_user_assignment", "REQUIRED")
        studio.setdefault("trusted_identity_propagation_enabled", False)
        required = studio["idc_user_assignment"] != "OPTIONAL"
        studio["application_arn"] = new_app(d, body["Name"], "emrstudio", required, url,
                                           instance=studio["idc_instance_arn"])
    d.studios.append(studio)
    return reply_json({"StudioId": studio_id, "Url": url})


def role_arn(stub, req, name_or_arn):
    """The ARN of an IAM role given by name or ARN (read from IAM: moto); None if
    there is no such role."""
    name = name_or_arn.rsplit("/", 1)[-1]
    status, text = stub.moto_query(req, "iam", {"Action": "GetRole", "RoleName": name})
    m = re.search(r"<Arn>([^<]+)</Arn>", text)
    if status != 200 or m is None:
        return None
    return m.group(1) if not name_or_arn.startswith("arn:") or m.group(1) == name_or_arn else None


def studio_or_error(req, d):
    studio_id = req.json().get("StudioId")
    s = find_studio(d, studio_id)
    return s, None if s else error(req, "InvalidRequestException", f"Studio {studio_id} does not exist.")


def delete_studio(stub, req, d):
    s, err = studio_or_error(req, d)
    if err:
        return err
    d.studios.remove(s)
    d.apps.pop(s.get("application_arn"), None)
    return reply_json({})


def update_studio(stub, req, d):
    """UpdateStudio: name, description, subnets, default S3 location, encryption key."""
    s, err = studio_or_error(req, d)
    if err:
        return err
    body = req.json()
    for wire, key in (("Name", "name"), ("Description", "description"), ("SubnetIds", "subnet_ids"),
                      ("DefaultS3Location", "default_s3_location"),
                      ("EncryptionKeyArn", "encryption_key_arn")):
        if body.get(wire) is not None:
            s[key] = body[wire]
    return reply_json({})


def identity(stub, req, d, body):
    """The (id, name) of a session mapping's user or group, looked up in the
    identity store (moto) by IdentityId or IdentityName, as EMR does; None if
    there is no such identity."""
    kind = body.get("IdentityType")
    if kind not in ("USER", "GROUP"):
        return None
    status, insts = stub.moto_json(req, "sso", "SWBExternalService.ListInstances", {})
    store = next((i["IdentityStoreId"] for i in insts.get("Instances", [])
                  if i.get("InstanceArn") == d.instance_arn), None)
    if store is None:
        return None
    what = "User" if kind == "USER" else "Group"
    ident = body.get("IdentityId")
    if not ident and body.get("IdentityName"):
        attr = "UserName" if kind == "USER" else "DisplayName"
        status, out = stub.moto_json(req, "identitystore", f"AWSIdentityStore.Get{what}Id", {
            "IdentityStoreId": store,
            "AlternateIdentifier": {"UniqueAttribute": {"AttributePath": attr,
                                                        "AttributeValue": body["IdentityName"]}}})
        ident = out.get(f"{what}Id") if status == 200 else None
    if not ident:
        return None
    status, out = stub.moto_json(req, "identitystore", f"AWSIdentityStore.Describe{what}",
                                 {"IdentityStoreId": store, f"{what}Id": ident})
    if status != 200:
        return None
    return ident, out.get("UserName" if kind == "USER" else "DisplayName")


def create_session_mapping(stub, req, d):
    s, err = studio_or_error(req, d)
    if err:
        return err
    body = req.json()
    if not body.get("SessionPolicyArn"):
        return error(req, "InvalidRequestException", "SessionPolicyArn is required")
    found = identity(stub, req, d, body)
    if found is None:
        return error(req, "InvalidRequestException", "The specified identity does not exist")
    ident, name = found
    if any(m["identity_id"] == ident and m["identity_type"] == body["IdentityType"]
           for m in s["session_mappings"]):
        return error(req, "InvalidRequestException", "The session mapping already exists")
    s["session_mappings"].append({"identity_id": ident, "identity_name": name,
                                  "identity_type": body["IdentityType"],
                                  "session_policy_arn": body["SessionPolicyArn"]})
    return reply_json({})


def update_session_mapping(stub, req, d):
    s, err = studio_or_error(req, d)
    if err:
        return err
    body = req.json()
    found = identity(stub, req, d, body)
    mapping = found and next((m for m in s["session_mappings"] if m["identity_id"] == found[0]
                              and m["identity_type"] == body.get("IdentityType")), None)
    if not mapping:
        return error(req, "InvalidRequestException", "The session mapping does not exist")
    if not body.get("SessionPolicyArn"):
        return error(req, "InvalidRequestException", "SessionPolicyArn is required")
    mapping["session_policy_arn"] = body["SessionPolicyArn"]
    return reply_json({})


def get_session_mapping(stub, req, d):
    """GetStudioSessionMapping: the mapping of one user or group, or
    InvalidRequestException when there is none."""
    s, err = studio_or_error(req, d)
    if err:
        return err
    body = req.json()
    found = identity(stub, req, d, body)
    mapping = found and next((m for m in s["session_mappings"] if m["identity_id"] == found[0]
                              and m["identity_type"] == body["IdentityType"]), None)
    if not mapping:
        return error(req, "InvalidRequestException", "The session mapping does not exist")
    return reply_json({"SessionMapping": {
        "StudioId": s["studio_id"],
        "IdentityId": mapping["identity_id"], "IdentityName": mapping.get("identity_name"),
        "IdentityType": mapping["identity_type"], "SessionPolicyArn": mapping["session_policy_arn"]}})


LOCAL = {
    "emr.CreateStudio": create_studio,
    "emr.DeleteStudio": delete_studio,
    "emr.UpdateStudio": update_studio,
    "emr.CreateStudioSessionMapping": create_session_mapping,
    "emr.UpdateStudioSessionMapping": update_session_mapping,
    "emr.GetStudioSessionMapping": get_session_mapping,
    "emr.ListStudios": list_studios,
    "emr.DescribeStudio": describe_studio,
    "emr.ListStudioSessionMappings": list_session_mappings,
}
