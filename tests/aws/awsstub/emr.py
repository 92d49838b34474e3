"""EMR Studio (JSON 1.1), which moto lacks: ListStudios, DescribeStudio,
ListStudioSessionMappings, served from the facts' studios."""

from .wire import CREATED, error, known, reply_json

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


LOCAL = {
    "emr.ListStudios": list_studios,
    "emr.DescribeStudio": describe_studio,
    "emr.ListStudioSessionMappings": list_session_mappings,
}
