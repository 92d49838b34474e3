"""Lake Formation (REST-JSON) and the Glue tables it governs. moto serves settings,
permissions and resources; the stub serves what moto lacks or gets wrong (the
Identity Center configuration, opt-ins, ListPermissions, LF-Tags, data cells
filters) and patches moto's ListResources."""

import html
import json
import re
from urllib.parse import unquote

from .sso import new_app
from .wire import CREATED, error, known, pascal, reply_json

REST_JSON = "application/json"


def lf_idc_config(stub, req, d):
    if d.lake_formation is None:
        return error(req, "EntityNotFoundException",
                     "Lake Formation Identity Center configuration not found")
    out = {"CatalogId": d.account, **pascal(d.lake_formation)}
    return reply_json(out, content_type=REST_JSON)


def lf_opt_ins(stub, req, d):
    body = req.json()
    want = (body.get("Principal") or {}).get("DataLakePrincipalIdentifier")
    rows = []
    for o in d.lf_opt_ins:
        if want and o["principal"] != want:
            continue
        if o.get("table"):
            res = {"Table": {"CatalogId": d.account, "DatabaseName": o["database"], "Name": o["table"]}}
        else:
            res = {"Database": {"CatalogId": d.account, "Name": o["database"]}}
        rows.append({"Resource": res, "Principal": {"DataLakePrincipalIdentifier": o["principal"]},
                     "LastModified": CREATED, "LastUpdatedBy": f"arn:aws:iam::{d.account}:root"})
    return stub.list_reply(body, "LakeFormationOptInsInfoList", rows, REST_JSON)


def lf_permissions(stub, req, d):
    """ListPermissions filtered like AWS: by principal and by the exact resource
    (a named table, a database's table wildcard, or a database), by a data cells
    filter, or by ResourceType LF_TAG_POLICY (grants through LF-Tag expressions)."""
    body = req.json()
    want = (body.get("Principal") or {}).get("DataLakePrincipalIdentifier")
    res = body.get("Resource") or {}
    kind = body.get("ResourceType")
    if kind and kind.startswith("LF_TAG_POLICY") or "DataCellsFilter" in res:
        rows = [r for r in lf_policy_rows(d, kind, res)
                if not want or r["Principal"]["DataLakePrincipalIdentifier"] == want]
        return stub.list_reply(body, "PrincipalResourcePermissions", rows, REST_JSON)
    # Each page of one listing asks the same question: answer it once (a grant
    # or revoke clears the answers), so a listing of n rows costs O(n), not
    # O(n) per page.
    cache = d.__dict__.setdefault("lf_list_cache", {})
    question = json.dumps([want, res], sort_keys=True)
    if question not in cache:
        cache[question] = matching_permissions(d, want, res)
    return stub.list_reply(body, "PrincipalResourcePermissions", cache[question], REST_JSON)


def matching_permissions(d, want, res):
    """The PrincipalResourcePermissions rows of `want` (any principal when None)
    on exactly `res`."""
    rows = []
    for p in d.lf_permissions:
        if want and p["principal"] != want:
            continue
        table = res.get("Table")
        if table is not None:
            if p["database"] != table.get("DatabaseName"):
                continue
            if "TableWildcard" in table:
                if not p.get("table_wildcard"):
                    continue
            elif p.get("table") != table.get("Name") or p.get("table_wildcard"):
                continue
        elif "Database" in res:
            if p["database"] != res["Database"].get("Name") or p.get("table") or p.get("table_wildcard"):
                continue
        if p.get("table"):
            wire = {"Table": {"CatalogId": d.account, "DatabaseName": p["database"], "Name": p["table"]}}
        elif p.get("table_wildcard"):
            wire = {"Table": {"CatalogId": d.account, "DatabaseName": p["database"], "TableWildcard": {}}}
        else:
            wire = {"Database": {"CatalogId": d.account, "Name": p["database"]}}
        rows.append({"Principal": {"DataLakePrincipalIdentifier": p["principal"]}, "Resource": wire,
                     "Permissions": list(p["permissions"]), "PermissionsWithGrantOption": []})
    return rows


def lf_policy_rows(d, kind, res):
    """Grants on LF-Tag policies (ResourceType LF_TAG_POLICY[_TABLE|_DATABASE]) or
    on one data cells filter."""
    if "DataCellsFilter" in res:
        f = res["DataCellsFilter"]
        return [{"Principal": {"DataLakePrincipalIdentifier": p["principal"]},
                 "Resource": {"DataCellsFilter": {"TableCatalogId": d.account, "DatabaseName": p["database"],
                                                  "TableName": p["table"], "Name": p["filter"]}},
                 "Permissions": p["permissions"], "PermissionsWithGrantOption": []}
                for p in d.lf_filter_permissions
                if (p["database"], p["table"], p["filter"])
                == (f.get("DatabaseName"), f.get("TableName"), f.get("Name"))]
    only = {"LF_TAG_POLICY_TABLE": "TABLE", "LF_TAG_POLICY_DATABASE": "DATABASE"}.get(kind)
    rows = []
    for p in d.lf_tag_permissions:
        if only and p["resource_type"] != only:
            continue
        policy = {"CatalogId": d.account, "ResourceType": p["resource_type"],
                  "Expression": [{"TagKey": t["key"], "TagValues": t["values"]}
                                 for t in p.get("expression", [])]}
        if p.get("expression_name"):
            policy["ExpressionName"] = p["expression_name"]
        rows.append({"Principal": {"DataLakePrincipalIdentifier": p["principal"]},
                     "Resource": {"LFTagPolicy": policy},
                     "Permissions": p["permissions"], "PermissionsWithGrantOption": []})
    return rows


def lf_resource_tags(stub, req, d):
    """GetResourceLFTags on a table: its database's, its own and its columns' tags."""
    table = (req.json().get("Resource") or {}).get("Table") or {}
    name = f"{table.get('DatabaseName')}.{table.get('Name')}"
    tags = known(d.lf_table_tags.get(name))
    if tags is None:
        return error(req, "EntityNotFoundException", f"Table {name} not found", 400)

    def pairs(lst):
        return [{"CatalogId": d.account, "TagKey": t["key"], "TagValues": t["values"]} for t in lst]

    out = {}
    if tags.get("database"):
        out["LFTagOnDatabase"] = pairs(tags["database"])
    if tags.get("table"):
        out["LFTagsOnTable"] = pairs(tags["table"])
    if tags.get("columns"):
        out["LFTagsOnColumns"] = [{"Name": c["name"], "LFTags": pairs(c["tags"])} for c in tags["columns"]]
    return reply_json(out, content_type=REST_JSON)


def lf_data_filters(stub, req, d):
    """ListDataCellsFilter on a table: the filters the facts' grants name."""
    body = req.json()
    table = body.get("Table") or {}
    seen, filters = set(), []
    for p in d.lf_filter_permissions:
        key = (p["database"], p["table"], p["filter"])
        if key in seen or (table and (p["database"], p["table"]) != (table.get("DatabaseName"), table.get("Name"))):
            continue
        seen.add(key)
        filters.append({"TableCatalogId": d.account, "DatabaseName": p["database"], "TableName": p["table"],
                        "Name": p["filter"], "ColumnWildcard": {}})
    return stub.list_reply(body, "DataCellsFilters", filters, REST_JSON)


def patch_lf_resources(stub, req, d, answer):
    """moto keeps only ResourceArn and RoleArn."""
    obj = json.loads(answer[2])
    for r in obj.get("ResourceInfoList", []):
        facts = d.lf_resources.get(r.get("ResourceArn"), {})
        r["HybridAccessEnabled"] = bool(facts.get("hybrid_access_enabled"))
        if facts.get("verification_status"):
            r["VerificationStatus"] = facts["verification_status"]
    return reply_json(obj, content_type=REST_JSON)


def seed(glue, lf, facts, data):
    """Glue tables (moto), Lake Formation settings/permissions/resources (moto),
    Identity Center configuration and opt-ins (the stub)."""
    databases = set()
    for name, table in (facts.get("tables") or {}).items():
        table = known(table)
        if table is None:
            continue  # null: no such table
        db, _, tbl = name.partition(".")
        if db not in databases:
            glue.create_database(DatabaseInput={"Name": db})
            databases.add(db)
        sd = {"Location": table["location"]} if table.get("location") else {}
        glue.create_table(DatabaseName=db, TableInput={"Name": tbl, "StorageDescriptor": sd})
    # The other tables GetTables lists (read when a --table is not found); null: no database.
    tables = facts.get("tables") or {}
    for db, names in (facts.get("table_names") or {}).items():
        names = known(names)
        if names is None:
            continue
        if db not in databases:
            glue.create_database(DatabaseInput={"Name": db})
            databases.add(db)
        for tbl in names:
            if known(tables.get(f"{db}.{tbl}")) is None:
                glue.create_table(DatabaseName=db, TableInput={"Name": tbl})
    lake = facts.get("lake_formation") or {}
    settings = known(lake.get("settings"))
    if settings:
        # The whole settings document when the facts hold it, its administrators
        # those of the facts' lists (a trap changes only the lists).
        document = dict(settings.get("document") or {})
        for key, field in (("DataLakeAdmins", "data_lake_admins"),
                           ("ReadOnlyAdmins", "read_only_admins")):
            document[key] = [{"DataLakePrincipalIdentifier": p} for p in settings.get(field, [])]
        lf.put_data_lake_settings(DataLakeSettings=document)
    for p in known(lake.get("permissions"), []):
        if p.get("table"):
            resource = {"Table": {"DatabaseName": p["database"], "Name": p["table"]}}
        elif p.get("table_wildcard"):
            resource = {"Table": {"DatabaseName": p["database"], "TableWildcard": {}}}
        else:
            resource = {"Database": {"Name": p["database"]}}
        lf.grant_permissions(Principal={"DataLakePrincipalIdentifier": p["principal"]},
                             Resource=resource, Permissions=p["permissions"])
    for r in known(lake.get("resources"), []):
        args = {"ResourceArn": r["resource_arn"]}
        if r.get("role_arn"):
            args["RoleArn"] = r["role_arn"]
        else:
            args["UseServiceLinkedRole"] = True
        lf.register_resource(**args)
        data.lf_resources[r["resource_arn"]] = r
    data.lf_opt_ins = known(lake.get("opt_ins"), [])
    data.lf_permissions = known(lake.get("permissions"), [])
    data.__dict__.pop("lf_list_cache", None)
    data.lf_tag_permissions = known(lake.get("tag_permissions"), [])
    data.lf_table_tags = lake.get("table_tags") or {}
    data.lf_filter_permissions = known(lake.get("filter_permissions"), [])
    # The Identity Center configuration; "lake_formation_identity_center" is an older spelling.
    data.lake_formation = known(facts.get("lake_formation_identity_center",
                                          lake.get("identity_center")))


# Writes: what a fix plan does to Lake Formation. Grants live in the stub (its
# ListPermissions serves them); registrations in moto, with what moto drops kept here.

def grant_key(req, body):
    """(principal, database, table, table_wildcard) of a Grant/RevokePermissions
    request, or an error answer."""
    principal = (body.get("Principal") or {}).get("DataLakePrincipalIdentifier")
    res = body.get("Resource") or {}
    if "Table" in res:
        t = res["Table"]
        wildcard = "TableWildcard" in t
        key = (principal, t.get("DatabaseName"), None if wildcard else t.get("Name"), wildcard)
    elif "Database" in res:
        key = (principal, res["Database"].get("Name"), None, False)
    else:
        return None, error(req, "InvalidInputException", "Only Database and Table resources are supported here")
    if not principal or not key[1] or not (key[2] or key[3] or "Database" in res):
        return None, error(req, "InvalidInputException", "Principal and a resource are required")
    return key, None


def find_grant(d, key):
    principal, db, table, wildcard = key
    return next((p for p in d.lf_permissions if p["principal"] == principal and p["database"] == db
                 and p.get("table") == table and bool(p.get("table_wildcard")) == wildcard), None)


def grant_permissions(stub, req, d):
    body = req.json()
    key, err = grant_key(req, body)
    if err:
        return err
    perms = body.get("Permissions") or []
    if not perms:
        return error(req, "InvalidInputException", "Permissions are required")
    d.__dict__.pop("lf_list_cache", None)
    row = find_grant(d, key)
    if row is None:
        row = {"principal": key[0], "database": key[1], "permissions": []}
        if key[2]:
            row["table"] = key[2]
        if key[3]:
            row["table_wildcard"] = True
        d.lf_permissions.append(row)
    row["permissions"] += [p for p in perms if p not in row["permissions"]]
    return reply_json({}, content_type=REST_JSON)


def revoke_permissions(stub, req, d):
    body = req.json()
    key, err = grant_key(req, body)
    if err:
        return err
    perms = body.get("Permissions") or []
    row = find_grant(d, key)
    if row is None or not set(perms) <= set(row["permissions"]):
        return error(req, "InvalidInputException", "No permissions revoked. Grantee "
                     f"{key[0]} does not have {perms} permission on the resource.")
    d.__dict__.pop("lf_list_cache", None)
    row["permissions"] = [p for p in row["permissions"] if p not in perms]
    if not row["permissions"]:
        d.lf_permissions.remove(row)
    return reply_json({}, content_type=REST_JSON)


def patch_register(stub, req, d, answer):
    """RegisterResource (moto): keep what moto drops. Lake Formation verifies the
    role: served VERIFIED when the role exists and trusts Lake Formation."""
    body = req.json()
    role = body.get("RoleArn")
    verified = "VERIFIED" if body.get("UseServiceLinkedRole") else (
        "VERIFIED" if role and trusts_lake_formation(stub, req, role) else "VERIFICATION_FAILED")
    d.lf_resources[body.get("ResourceArn")] = {
        "resource_arn": body.get("ResourceArn"), "role_arn": role,
        "hybrid_access_enabled": bool(body.get("HybridAccessEnabled")), "verification_status": verified}
    return answer


def trusts_lake_formation(stub, req, role_arn):
    status, text = stub.moto_query(req, "iam", {"Action": "GetRole", "RoleName": role_arn.rsplit("/", 1)[-1]})
    m = re.search(r"<AssumeRolePolicyDocument>(.*?)</AssumeRolePolicyDocument>", text, re.S)
    return status == 200 and m is not None and "lakeformation.amazonaws.com" in unquote(html.unescape(m.group(1)))


def update_resource(stub, req, d):
    """UpdateResource, which moto lacks: the registration's role (and hybrid access
    mode) replaced, and verified again; moto's copy re-registered with the role."""
    body = req.json()
    arn, role = body.get("ResourceArn"), body.get("RoleArn")
    if not arn or not role:
        return error(req, "InvalidInputException", "ResourceArn and RoleArn are required")
    status, _ = stub.moto_rest(req, "lakeformation", "/DeregisterResource", {"ResourceArn": arn})
    if status != 200:
        return error(req, "EntityNotFoundException", f"Resource {arn} is not registered")
    stub.moto_rest(req, "lakeformation", "/RegisterResource", {"ResourceArn": arn, "RoleArn": role})
    patch_register(stub, req, d, None)
    return reply_json({}, content_type=REST_JSON)


def patch_deregister(stub, req, d, answer):
    d.lf_resources.pop(req.json().get("ResourceArn"), None)
    return answer


def create_idc_config(stub, req, d):
    """CreateLakeFormationIdentityCenterConfiguration: Lake Formation creates its
    Identity Center application (assignment not required)."""
    if d.lake_formation is not None:
        return error(req, "AlreadyExistsException", "Lake Formation Identity Center configuration already exists")
    instance = req.json().get("InstanceArn")
    if not instance:
        return error(req, "InvalidInputException", "InstanceArn is required")
    app = new_app(d, "LakeFormation", "lakeformation", False, instance=instance)
    d.lake_formation = {"instance_arn": instance, "application_arn": app}
    return reply_json({"ApplicationArn": app}, content_type=REST_JSON)


def delete_idc_config(stub, req, d):
    if d.lake_formation is None:
        return error(req, "EntityNotFoundException", "Lake Formation Identity Center configuration not found")
    d.apps.pop(d.lake_formation.get("application_arn"), None)
    d.lake_formation = None
    return reply_json({}, content_type=REST_JSON)


def create_opt_in(stub, req, d):
    body = req.json()
    principal = (body.get("Principal") or {}).get("DataLakePrincipalIdentifier")
    res = body.get("Resource") or {}
    if "Table" in res:
        row = {"principal": principal, "database": res["Table"].get("DatabaseName"),
               "table": res["Table"].get("Name")}
    elif "Database" in res:
        row = {"principal": principal, "database": res["Database"].get("Name")}
    else:
        return error(req, "InvalidInputException", "Only Database and Table resources are supported here")
    if not principal or not row["database"]:
        return error(req, "InvalidInputException", "Principal and Resource are required")
    if row not in d.lf_opt_ins:
        d.lf_opt_ins.append(row)
    return reply_json({}, content_type=REST_JSON)


LOCAL = {
    "lakeformation.GrantPermissions": grant_permissions,
    "lakeformation.RevokePermissions": revoke_permissions,
    "lakeformation.CreateLakeFormationIdentityCenterConfiguration": create_idc_config,
    "lakeformation.DeleteLakeFormationIdentityCenterConfiguration": delete_idc_config,
    "lakeformation.CreateLakeFormationOptIn": create_opt_in,
    "lakeformation.UpdateResource": update_resource,
    "lakeformation.DescribeLakeFormationIdentityCenterConfiguration": lf_idc_config,
    "lakeformation.ListLakeFormationOptIns": lf_opt_ins,
    # moto's ListPermissions fails (HTTP 500, KeyError 'TableWildcard') when a
    # TableWildcard query meets a named-table grant; AWS answers it.
    "lakeformation.ListPermissions": lf_permissions,
    # moto keeps table tags apart from database tags and lists no data cells filters.
    "lakeformation.GetResourceLFTags": lf_resource_tags,
    "lakeformation.ListDataCellsFilter": lf_data_filters,
}
PATCHES = {
    "lakeformation.ListResources": patch_lf_resources,
    "lakeformation.RegisterResource": patch_register,
    "lakeformation.DeregisterResource": patch_deregister,
}
