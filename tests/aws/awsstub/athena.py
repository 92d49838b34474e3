"""Athena (JSON 1.1): moto serves the workgroups; the stub adds what moto drops (the
Identity Center application ARN, a DISABLED state) and AWS's error for a missing one,
and serves UpdateWorkGroup, which moto lacks."""

import json

from .sso import new_app
from .wire import error, known, reply_json


def patch_get_work_group(stub, req, d, answer):
    obj = json.loads(answer[2])
    wg = obj.get("WorkGroup")
    if wg is None:  # moto answers {"WorkGroup": null}; AWS answers an error
        name = req.json().get("WorkGroup")
        return error(req, "InvalidRequestException", f"WorkGroup {name} is not found.")
    patch_work_group(wg, d)
    return reply_json(obj)


def patch_work_group(wg, d):
    if wg.get("Name") in d.wg_apps:
        wg["IdentityCenterApplicationArn"] = d.wg_apps[wg["Name"]]
    if wg.get("Name") in d.wg_disabled:
        wg["State"] = "DISABLED"


def patch_list_work_groups(stub, req, d, answer):
    groups = json.loads(answer[2]).get("WorkGroups", [])
    for wg in groups:
        patch_work_group(wg, d)
    body = req.json()
    page, token = stub.paginate(groups, body.get("NextToken"), body.get("MaxResults") or 10**6)
    out = {"WorkGroups": page}
    if token:
        out["NextToken"] = token
    return reply_json(out)


def seed(athena, facts, data):
    workgroups = known(facts.get("workgroups"))
    if workgroups is None:
        return  # unknown or absent: leave moto's default "primary"
    athena.delete_work_group(WorkGroup="primary")
    for wg in workgroups:
        conf = {}
        if wg.get("enable_identity_center") is not None or wg.get("identity_center_instance_arn"):
            idc = {"EnableIdentityCenter": bool(wg.get("enable_identity_center"))}
            if wg.get("identity_center_instance_arn"):
                idc["IdentityCenterInstanceArn"] = wg["identity_center_instance_arn"]
            conf["IdentityCenterConfiguration"] = idc
        if wg.get("execution_role"):
            conf["ExecutionRole"] = wg["execution_role"]
        result = {}
        if wg.get("output_location"):
            result["OutputLocation"] = wg["output_location"]
        if wg.get("encryption_option"):
            result["EncryptionConfiguration"] = {"EncryptionOption": wg["encryption_option"]}
        if wg.get("expected_bucket_owner"):
            result["ExpectedBucketOwner"] = wg["expected_bucket_owner"]
        if result:
            conf["ResultConfiguration"] = result
        if wg.get("managed_query_results") is not None:
            conf["ManagedQueryResultsConfiguration"] = {"Enabled": wg["managed_query_results"]}
        if wg.get("enforce_workgroup_configuration") is not None:
            conf["EnforceWorkGroupConfiguration"] = wg["enforce_workgroup_configuration"]
        grants = wg.get("s3_access_grants")
        if grants:
            conf["QueryResultsS3AccessGrantsConfiguration"] = {
                "EnableS3AccessGrants": grants["enable_s3_access_grants"],
                "CreateUserLevelPrefix": grants.get("create_user_level_prefix", False),
                **({"AuthenticationType": grants["authentication_type"]}
                   if grants.get("authentication_type") else {})}
        if wg.get("effective_engine_version"):
            v = wg["effective_engine_version"]
            conf["EngineVersion"] = {"SelectedEngineVersion": v, "EffectiveEngineVersion": v}
        athena.create_work_group(Name=wg["name"], Configuration=conf)
        if wg.get("identity_center_application_arn"):
            data.wg_apps[wg["name"]] = wg["identity_center_application_arn"]
        if wg.get("state") == "DISABLED":
            data.wg_disabled.add(wg["name"])


# Writes: what a fix plan does to workgroups.

def engine_version(conf):
    """Athena reports the engine a workgroup runs (EffectiveEngineVersion) for the
    one selected: the latest (engine version 3) for AUTO. moto stores only what it
    was given."""
    engine = conf.get("EngineVersion")
    if isinstance(engine, dict) and engine.get("SelectedEngineVersion") and not engine.get(
            "EffectiveEngineVersion"):
        selected = engine["SelectedEngineVersion"]
        engine["EffectiveEngineVersion"] = "Athena engine version 3" if selected == "AUTO" else selected
    return conf


def create_work_group(stub, req, d):
    """CreateWorkGroup, stored in moto with the engine version Athena reports; an
    Identity Center workgroup gets its Identity Center application from Athena,
    with assignment required (moto has none)."""
    body = req.json()
    body["Configuration"] = engine_version(body.get("Configuration") or {})
    status, out = stub.moto_json(req, "athena", "AmazonAthena.CreateWorkGroup", body)
    if status != 200:
        return error(req, out.get("__type", "InvalidRequestException").rpartition("#")[2],
                     out.get("message") or out.get("Message") or "CreateWorkGroup failed", status)
    idc = body["Configuration"].get("IdentityCenterConfiguration") or {}
    if idc.get("EnableIdentityCenter"):
        d.wg_apps[body["Name"]] = new_app(d, body["Name"], "athena", True,
                                          instance=idc.get("IdentityCenterInstanceArn"))
    return reply_json(out)


# ConfigurationUpdates members that clear a setting: flag -> (section, key).
REMOVALS = {
    "RemoveBytesScannedCutoffPerQuery": (None, "BytesScannedCutoffPerQuery"),
    "RemoveCustomerContentEncryptionConfiguration": (None, "CustomerContentEncryptionConfiguration"),
    "RemoveOutputLocation": ("ResultConfiguration", "OutputLocation"),
    "RemoveEncryptionConfiguration": ("ResultConfiguration", "EncryptionConfiguration"),
    "RemoveExpectedBucketOwner": ("ResultConfiguration", "ExpectedBucketOwner"),
    "RemoveAclConfiguration": ("ResultConfiguration", "AclConfiguration"),
}


def updated(conf, updates):
    """A workgroup Configuration with UpdateWorkGroup's ConfigurationUpdates applied."""
    conf = json.loads(json.dumps(conf))
    for key, value in updates.items():
        if key == "ResultConfigurationUpdates":
            result = conf.setdefault("ResultConfiguration", {})
            for k, v in value.items():
                if k in REMOVALS:
                    if v:
                        result.pop(REMOVALS[k][1], None)
                else:
                    result[k] = v
        elif key == "ManagedQueryResultsConfigurationUpdates":
            managed = conf.setdefault("ManagedQueryResultsConfiguration", {})
            for k, v in value.items():
                if k == "RemoveEncryptionConfiguration":
                    if v:
                        managed.pop("EncryptionConfiguration", None)
                else:
                    managed[k] = v
        elif key in REMOVALS:
            if value:
                conf.pop(REMOVALS[key][1], None)
        else:
            conf[key] = value
    return conf


def update_work_group(stub, req, d):
    """UpdateWorkGroup, which moto lacks: the workgroup is read from moto and
    written back with the updates (moto keeps a configuration as given)."""
    body = req.json()
    name = body.get("WorkGroup")
    status, got = stub.moto_json(req, "athena", "AmazonAthena.GetWorkGroup", {"WorkGroup": name})
    wg = got.get("WorkGroup") if status == 200 else None
    if not wg:
        return error(req, "InvalidRequestException", f"WorkGroup {name} is not found.")
    if body.get("State") not in (None, "ENABLED", "DISABLED"):
        return error(req, "InvalidRequestException", f"Invalid State {body['State']}")
    conf = engine_version(updated(wg.get("Configuration") or {}, body.get("ConfigurationUpdates") or {}))
    description = body.get("Description", wg.get("Description"))
    stub.moto_json(req, "athena", "AmazonAthena.DeleteWorkGroup", {"WorkGroup": name})
    create = {"Name": name, "Configuration": conf}
    if description:
        create["Description"] = description
    status, out = stub.moto_json(req, "athena", "AmazonAthena.CreateWorkGroup", create)
    if status != 200:
        return error(req, "InternalServerException", f"moto could not store the workgroup: {out}", 500)
    if body.get("State") == "DISABLED":
        d.wg_disabled.add(name)
    elif body.get("State") == "ENABLED":
        d.wg_disabled.discard(name)
    return reply_json({})


LOCAL = {"athena.CreateWorkGroup": create_work_group, "athena.UpdateWorkGroup": update_work_group}
PATCHES = {
    "athena.GetWorkGroup": patch_get_work_group,
    "athena.ListWorkGroups": patch_list_work_groups,
}
