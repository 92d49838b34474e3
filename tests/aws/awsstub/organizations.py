"""AWS Organizations: the target account's organization, created in moto when the
facts record one whose management account is the target account (moto makes the
account that creates an organization its management account)."""

from .wire import known


def seed(client, facts, account):
    """Create the facts' organization (account ids already rewritten to moto's);
    returns {facts organization id: moto's}, empty when nothing was created. An
    account already in an organization (one the control API built) keeps it: the
    facts' organization becomes that one (changed in `facts`)."""
    org = known(facts.get("organization"))
    if not org:
        return {}
    try:
        real = client.describe_organization()["Organization"]
    except client.exceptions.AWSOrganizationsNotInUseException:
        real = None
    if real:
        org["id"], org["management_account_id"] = real["Id"], real["MasterAccountId"]
        return {}
    if org.get("management_account_id") != account:
        return {}
    made = client.create_organization(FeatureSet="ALL")["Organization"]
    return {org["id"]: made["Id"]}
