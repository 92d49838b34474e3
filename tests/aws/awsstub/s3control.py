"""S3 Access Grants (s3control, REST-XML with wrapped errors), which moto lacks:
the instance, its locations and grants, served from the facts' access_grants, and
the writes a fix plan makes to them."""

import uuid

from .sso import new_app
from .wire import CREATED_ISO, el, error, known, reply_xml


def no_grants_instance(req):
    return error(req, "AccessGrantsInstanceNotExistsError",
                 "Access Grants Instance does not exist", 404)


def get_grants_instance(stub, req, d):
    inst = d.grants_instance
    if inst is None:
        return no_grants_instance(req)
    app = inst.get("identity_center_application_arn")
    inner = (el("AccessGrantsInstanceArn", inst["access_grants_instance_arn"])
             + el("AccessGrantsInstanceId", "default")
             + el("IdentityCenterArn", app)
             + el("IdentityCenterInstanceArn", inst.get("identity_center_instance_arn"))
             + el("IdentityCenterApplicationArn", app)
             + el("CreatedAt", CREATED_ISO))
    return reply_xml("GetAccessGrantsInstanceResult", inner)


def s3_arn(d, kind, ident):
    return f"arn:aws:s3:{d.region}:{d.account}:access-grants/default/{kind}/{ident}"


def list_locations(stub, req, d):
    if d.grants_instance is None:
        return no_grants_instance(req)
    scope = req.param("locationscope")
    rows = [loc for loc in d.locations if not scope or loc["location_scope"] == scope]
    page, token = stub.paginate(rows, req.param("nextToken"), req.param("maxResults"))
    entries = "".join(
        "<AccessGrantsLocation>" + el("CreatedAt", CREATED_ISO)
        + el("AccessGrantsLocationId", loc["access_grants_location_id"])
        + el("AccessGrantsLocationArn", s3_arn(d, "location", loc["access_grants_location_id"]))
        + el("LocationScope", loc["location_scope"]) + el("IAMRoleArn", loc.get("iam_role_arn"))
        + "</AccessGrantsLocation>" for loc in page)
    inner = el("NextToken", token) + f"<AccessGrantsLocationsList>{entries}</AccessGrantsLocationsList>"
    return reply_xml("ListAccessGrantsLocationsResult", inner)


def list_grants(stub, req, d):
    if d.grants_instance is None:
        return no_grants_instance(req)
    filters = {"grantee_type": req.param("granteetype"),
               "grantee_identifier": req.param("granteeidentifier"),
               "permission": req.param("permission"), "grant_scope": req.param("grantscope"),
               "application_arn": req.param("application_arn")}
    rows = [g for g in d.grants
            if all(v is None or g.get(k) == v for k, v in filters.items())]
    page, token = stub.paginate(rows, req.param("nextToken"), req.param("maxResults"))
    scopes = {loc["access_grants_location_id"]: loc["location_scope"] for loc in d.locations}
    entries = ""
    for g in page:
        loc_scope = scopes.get(g["access_grants_location_id"], "")
        sub = g["grant_scope"][len(loc_scope):].lstrip("/") if (
            loc_scope and g["grant_scope"].startswith(loc_scope)) else None
        entries += (
            "<AccessGrant>" + el("CreatedAt", CREATED_ISO)
            + el("AccessGrantId", g["access_grant_id"])
            + el("AccessGrantArn", s3_arn(d, "grant", g["access_grant_id"]))
            + "<Grantee>" + el("GranteeType", g["grantee_type"])
            + el("GranteeIdentifier", g["grantee_identifier"]) + "</Grantee>"
            + el("Permission", g["permission"])
            + el("AccessGrantsLocationId", g["access_grants_location_id"])
            + (f"<AccessGrantsLocationConfiguration>{el('S3SubPrefix', sub)}"
               "</AccessGrantsLocationConfiguration>" if sub else "")
            + el("GrantScope", g["grant_scope"]) + el("ApplicationArn", g.get("application_arn"))
            + "</AccessGrant>")
    inner = el("NextToken", token) + f"<AccessGrantsList>{entries}</AccessGrantsList>"
    return reply_xml("ListAccessGrantsResult", inner)


def seed(facts, data, region, account):
    ag = facts.get("access_grants") or {}
    data.grants_instance = known(ag.get("instance"))
    data.locations = known(ag.get("locations"), [])
    data.grants = known(ag.get("grants"), [])
    if data.grants_instance is None and (data.locations or data.grants):
        # Unknown instance but known lists: serve a default instance with them.
        data.grants_instance = {"access_grants_instance_arn":
                                f"arn:aws:s3:{region}:{account}:access-grants/default"}


# Writes: what a fix plan does to S3 Access Grants.

def conflict(req, code, message):
    return error(req, code, message, 409)


def associate(d, instance_arn):
    """Associating an Identity Center instance: S3 Access Grants creates its own
    Identity Center application on it (no assignment required)."""
    d.grants_instance["identity_center_instance_arn"] = instance_arn
    d.grants_instance["identity_center_application_arn"] = new_app(d, "S3AccessGrants", "s3", False, instance=instance_arn)


def instance_answer(root, inst):
    app = inst.get("identity_center_application_arn")
    inner = (el("CreatedAt", CREATED_ISO) + el("AccessGrantsInstanceId", "default")
             + el("AccessGrantsInstanceArn", inst["access_grants_instance_arn"])
             + el("IdentityCenterArn", app)
             + el("IdentityCenterInstanceArn", inst.get("identity_center_instance_arn"))
             + el("IdentityCenterApplicationArn", app))
    return reply_xml(root, inner)


def create_grants_instance(stub, req, d):
    if d.grants_instance is not None:
        return conflict(req, "AccessGrantsInstanceAlreadyExists",
                        "An Access Grants Instance already exists in this Region")
    d.grants_instance = {"access_grants_instance_arn":
                         f"arn:aws:s3:{d.region}:{d.account}:access-grants/default"}
    d.locations, d.grants = [], []
    idc = req.xml().get("IdentityCenterArn")
    if idc:
        associate(d, idc)
    return instance_answer("CreateAccessGrantsInstanceResult", d.grants_instance)


def associate_identity_center(stub, req, d):
    if d.grants_instance is None:
        return no_grants_instance(req)
    idc = req.xml().get("IdentityCenterArn")
    if not idc:
        return error(req, "InvalidRequest", "IdentityCenterArn is required")
    if d.grants_instance.get("identity_center_instance_arn"):
        return conflict(req, "AccessGrantsInstanceAlreadyAssociated",
                        "The Access Grants Instance is already associated with an IAM Identity Center instance")
    associate(d, idc)
    return reply_xml("AssociateAccessGrantsIdentityCenterResult", "")


def dissociate_identity_center(stub, req, d):
    if d.grants_instance is None:
        return no_grants_instance(req)
    d.apps.pop(d.grants_instance.pop("identity_center_application_arn", None), None)
    d.grants_instance.pop("identity_center_instance_arn", None)
    return 204, [], b""


def location_answer(root, d, loc):
    inner = (el("CreatedAt", CREATED_ISO)
             + el("AccessGrantsLocationId", loc["access_grants_location_id"])
             + el("AccessGrantsLocationArn", s3_arn(d, "location", loc["access_grants_location_id"]))
             + el("LocationScope", loc["location_scope"]) + el("IAMRoleArn", loc.get("iam_role_arn")))
    return reply_xml(root, inner)


def create_location(stub, req, d):
    if d.grants_instance is None:
        return no_grants_instance(req)
    body = req.xml()
    scope, role = body.get("LocationScope"), body.get("IAMRoleArn")
    if not scope or not role:
        return error(req, "InvalidRequest", "LocationScope and IAMRoleArn are required")
    if any(loc["location_scope"] == scope for loc in d.locations):
        return conflict(req, "AccessGrantsLocationAlreadyExistsError",
                        f"An Access Grants location for {scope} already exists")
    # The default location s3:// always has the id "default".
    ident = "default" if scope == "s3://" else str(uuid.uuid4())
    loc = {"access_grants_location_id": ident, "location_scope": scope, "iam_role_arn": role}
    d.locations.append(loc)
    return location_answer("CreateAccessGrantsLocationResult", d, loc)


def update_location(stub, req, d):
    if d.grants_instance is None:
        return no_grants_instance(req)
    loc = next((x for x in d.locations if x["access_grants_location_id"] == req.path_id), None)
    if loc is None:
        return error(req, "AccessGrantsLocationNotFoundError",
                     f"Access Grants location {req.path_id} does not exist", 404)
    role = req.xml().get("IAMRoleArn")
    if not role:
        return error(req, "InvalidRequest", "IAMRoleArn is required")
    loc["iam_role_arn"] = role
    return location_answer("UpdateAccessGrantsLocationResult", d, loc)


def create_grant(stub, req, d):
    """CreateAccessGrant: the grant's scope is the location's scope plus the sub-prefix."""
    if d.grants_instance is None:
        return no_grants_instance(req)
    body = req.xml()
    grantee = body.get("Grantee") or {}
    if not isinstance(grantee, dict) or not grantee.get("GranteeType") or not grantee.get(
            "GranteeIdentifier") or body.get("Permission") not in ("READ", "WRITE", "READWRITE"):
        return error(req, "InvalidRequest", "Grantee and Permission (READ, WRITE, READWRITE) are required")
    if grantee["GranteeType"].startswith("DIRECTORY_") and not d.grants_instance.get(
            "identity_center_instance_arn"):
        return error(req, "InvalidRequest", "Directory grantees need an Access Grants Instance "
                     "associated with an IAM Identity Center instance")
    loc = next((x for x in d.locations
                if x["access_grants_location_id"] == body.get("AccessGrantsLocationId")), None)
    if loc is None:
        return error(req, "AccessGrantsLocationNotFoundError",
                     f"Access Grants location {body.get('AccessGrantsLocationId')} does not exist", 404)
    sub = ((body.get("AccessGrantsLocationConfiguration") or {}) or {}).get("S3SubPrefix") or ""
    base = loc["location_scope"]
    scope = base + sub if base == "s3://" else (base.rstrip("/") + "/" + sub if sub else base)
    grant = {"access_grant_id": str(uuid.uuid4()), "grantee_type": grantee["GranteeType"],
             "grantee_identifier": grantee["GranteeIdentifier"], "permission": body["Permission"],
             "access_grants_location_id": loc["access_grants_location_id"], "grant_scope": scope}
    if body.get("ApplicationArn"):
        grant["application_arn"] = body["ApplicationArn"]
    d.grants.append(grant)
    inner = (el("CreatedAt", CREATED_ISO) + el("AccessGrantId", grant["access_grant_id"])
             + el("AccessGrantArn", s3_arn(d, "grant", grant["access_grant_id"]))
             + "<Grantee>" + el("GranteeType", grant["grantee_type"])
             + el("GranteeIdentifier", grant["grantee_identifier"]) + "</Grantee>"
             + el("AccessGrantsLocationId", grant["access_grants_location_id"])
             + (f"<AccessGrantsLocationConfiguration>{el('S3SubPrefix', sub)}"
                "</AccessGrantsLocationConfiguration>" if sub else "")
             + el("Permission", grant["permission"]) + el("ApplicationArn", grant.get("application_arn"))
             + el("GrantScope", scope))
    return reply_xml("CreateAccessGrantResult", inner)


LOCAL = {
    "s3control.CreateAccessGrantsInstance": create_grants_instance,
    "s3control.AssociateAccessGrantsIdentityCenter": associate_identity_center,
    "s3control.DissociateAccessGrantsIdentityCenter": dissociate_identity_center,
    "s3control.CreateAccessGrantsLocation": create_location,
    "s3control.UpdateAccessGrantsLocation": update_location,
    "s3control.CreateAccessGrant": create_grant,
    "s3control.GetAccessGrantsInstance": get_grants_instance,
    "s3control.ListAccessGrantsLocations": list_locations,
    "s3control.ListAccessGrants": list_grants,
}
