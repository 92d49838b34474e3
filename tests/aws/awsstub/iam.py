"""IAM (moto): the facts' roles, their policies and the managed policies they name."""

import json
import re

from .wire import known


def seed(iam, facts, account):
    """Create the facts' roles in moto; return what could not be seeded. IAM is
    global: a role or policy that exists (the same account seeded in another
    region) is kept as it is."""
    created, skipped = set(), []

    def ensure_policy(arn, document):
        m = re.match(r"arn:aws:iam::([^:]*):policy(/(?:.*/)?)([^/]+)$", arn)
        if not m:
            raise ValueError(f"not a policy ARN: {arn}")
        if m.group(1) == "aws" or arn in created:
            return  # AWS managed: moto has them (see server.Moto)
        if m.group(1) != account:
            skipped.append(f"policy {arn}: another account")
            return
        created.add(arn)
        try:
            iam.create_policy(PolicyName=m.group(3), Path=m.group(2),
                              PolicyDocument=json.dumps(document))
        except iam.exceptions.EntityAlreadyExistsException:  # IAM is global: another region's
            skipped.append(f"policy {arn}: exists")

    # Session policies with their documents (GetPolicyVersion serves them).
    for arn, document in (facts.get("session_policies") or {}).items():
        if known(document):
            ensure_policy(arn, known(document))
    for key, role in (facts.get("roles") or {}).items():
        role = known(role)
        if not role:
            continue  # null (no such role) or unknown
        name = role.get("role_name", key)
        tail = role["arn"].split(":role", 1)[1]  # "/service-role/Name"
        args = {"RoleName": name, "Path": tail[: tail.rfind("/") + 1] or "/",
                "AssumeRolePolicyDocument": json.dumps(role["trust_policy"])}
        boundary = known(role.get("permissions_boundary"))
        if boundary:
            ensure_policy(boundary["name"], boundary["document"])
            args["PermissionsBoundary"] = boundary["name"]
        try:
            iam.create_role(**args)
        except iam.exceptions.EntityAlreadyExistsException:  # seeded for another region
            skipped.append(f"role {name}: exists")
            continue
        for p in known(role.get("inline_policies"), []):
            iam.put_role_policy(RoleName=name, PolicyName=p["name"],
                                PolicyDocument=json.dumps(p["document"]))
        for p in known(role.get("attached_policies"), []):
            ensure_policy(p["name"], p["document"])
            iam.attach_role_policy(RoleName=name, PolicyArn=p["name"])
    # Managed policies known only to exist (session policies): any document will do.
    for arn, exists in (facts.get("managed_policies") or {}).items():
        if known(exists) is True:
            ensure_policy(arn, {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "athena:GetWorkGroup", "Resource": "*"}]})
    return skipped
