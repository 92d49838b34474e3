"""S3 Access Grants (s3control, REST-XML with wrapped errors), which moto lacks:
the instance, its locations and grants, served from the facts' access_grants."""

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


LOCAL = {
    "s3control.GetAccessGrantsInstance": get_grants_instance,
    "s3control.ListAccessGrantsLocations": list_locations,
    "s3control.ListAccessGrants": list_grants,
}
