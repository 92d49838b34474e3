"""Identity Store (moto): the facts' users and groups; DescribeUser patched with the
facts' user status, which moto does not keep."""

import json

from .wire import known, reply_json


def seed(ids_client, store, facts):
    """Users, groups and memberships in moto's identity store; returns the facts' ids
    -> moto's, and moto user id -> the facts' status."""
    ids, user_status = {}, {}
    for u in facts.get("users", []):
        user = known(u.get("user"))
        if user:
            display = user.get("display_name") or u["user_name"]
            given, _, family = display.partition(" ")
            uid = ids_client.create_user(
                IdentityStoreId=store, UserName=u["user_name"], DisplayName=display,
                Name={"GivenName": given, "FamilyName": family or given})["UserId"]
            ids[user["user_id"]] = uid
            if user.get("status"):
                user_status[uid] = user["status"]
        for g in known(u.get("groups"), []):
            if g["group_id"] not in ids:
                ids[g["group_id"]] = ids_client.create_group(
                    IdentityStoreId=store, DisplayName=g.get("display_name") or g["group_id"])["GroupId"]
            if user:
                ids_client.create_group_membership(
                    IdentityStoreId=store, GroupId=ids[g["group_id"]],
                    MemberId={"UserId": ids[user["user_id"]]})
    # The other users ListUsers lists (read when a --user is not found).
    seeded = {u["user_name"] for u in facts.get("users", []) if known(u.get("user"))}
    for name in known(facts.get("store_user_names"), []):
        if name not in seeded:
            ids_client.create_user(IdentityStoreId=store, UserName=name, DisplayName=name,
                                   Name={"GivenName": name, "FamilyName": name})
    return ids, user_status


def patch_describe_user(stub, req, d, answer):
    obj = json.loads(answer[2])
    status = d.user_status.get(obj.get("UserId"))
    if status:
        obj["UserStatus"] = status
    return reply_json(obj)


PATCHES = {"identitystore.DescribeUser": patch_describe_user}
