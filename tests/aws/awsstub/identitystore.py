"""Identity Store (moto): the facts' users and groups; DescribeUser patched with the
facts' user status, which moto does not keep."""

import json

from .wire import known, reply_json


def seed(ids_client, store, facts):
    """Users, groups and memberships in moto's identity store; returns the facts' ids
    -> moto's, and moto user id -> the facts' status. A user or group already in the
    store (seeded for another account that shares it) is reused by name."""
    ids, user_status = {}, {}

    def create(kind, attr, name, **args):
        try:
            return getattr(ids_client, f"create_{kind}")(IdentityStoreId=store, **args)[f"{kind.title()}Id"]
        except ids_client.exceptions.ConflictException:
            return getattr(ids_client, f"get_{kind}_id")(IdentityStoreId=store, AlternateIdentifier={
                "UniqueAttribute": {"AttributePath": attr, "AttributeValue": name}})[f"{kind.title()}Id"]

    def user_args(name, display):
        given, _, family = display.partition(" ")
        return {"UserName": name, "DisplayName": display,
                "Name": {"GivenName": given, "FamilyName": family or given}}

    for u in facts.get("users", []):
        user = known(u.get("user"))
        if user:
            display = user.get("display_name") or u["user_name"]
            uid = create("user", "userName", u["user_name"], **user_args(u["user_name"], display))
            ids[user["user_id"]] = uid
            if user.get("status"):
                user_status[uid] = user["status"]
        for g in known(u.get("groups"), []):
            if g["group_id"] not in ids:
                name = g.get("display_name") or g["group_id"]
                ids[g["group_id"]] = create("group", "displayName", name, DisplayName=name)
            if user:
                gid, member = ids[g["group_id"]], {"UserId": ids[user["user_id"]]}
                try:
                    ids_client.get_group_membership_id(IdentityStoreId=store, GroupId=gid, MemberId=member)
                except ids_client.exceptions.ResourceNotFoundException:
                    ids_client.create_group_membership(IdentityStoreId=store, GroupId=gid, MemberId=member)
    # The other users ListUsers lists (read when a --user is not found).
    seeded = {u["user_name"] for u in facts.get("users", []) if known(u.get("user"))}
    for name in known(facts.get("store_user_names"), []):
        if name not in seeded:
            create("user", "userName", name, **user_args(name, name))
    return ids, user_status


def patch_describe_user(stub, req, d, answer):
    obj = json.loads(answer[2])
    status = d.user_status.get(obj.get("UserId"))
    if status:
        obj["UserStatus"] = status
    return reply_json(obj)


PATCHES = {"identitystore.DescribeUser": patch_describe_user}
