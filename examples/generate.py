#!/usr/bin/env python3
"""Regenerate examples/blog-account.json and examples/traps/<ID>.json from
examples/healthy-account.json.

Each trap file is the healthy account with exactly one trap; `check` on it reports
that check fail (or warn), its dependants skip, and everything else pass (a test
enforces this). Run after editing healthy-account.json or adding a trap:

    python3 examples/generate.py
"""
import copy
import json
import pathlib

HERE = pathlib.Path(__file__).parent
HEALTHY = json.loads((HERE / "healthy-account.json").read_text())


def studio(f):
    return f["studios"][0]


def idc_wg(f):
    return next(w for w in f["workgroups"] if w["name"] == "idc-wg")


def role(f, name):
    return f["roles"][name]


def drop_sso(s):
    """What DescribeStudio returns for a Studio created with IAM authentication."""
    s["auth_mode"] = "IAM"
    for k in ("user_role", "idc_instance_arn", "idc_user_assignment"):
        s.pop(k, None)
    s["trusted_identity_propagation_enabled"] = False
    s["session_mappings"] = []


def wg001(f):
    # Created without IAM Identity Center: no application, no instance.
    w = idc_wg(f)
    w["enable_identity_center"] = False
    w.pop("identity_center_application_arn")
    w.pop("identity_center_instance_arn")
    f["applications"] = {}


def es001(f):
    drop_sso(studio(f))


def es003(f):
    studio(f).pop("user_role")


def es004(f):
    # The seed's trap 2-4: the trust policy allows sts:AssumeRole only.
    role(f, "EMRStudio-UserRole")["trust_policy"]["Statement"][0]["Action"] = "sts:AssumeRole"


def es005(f):
    # The seed's trap 2-4: no secretsmanager:TagResource, no iam:PassRole.
    doc = role(f, "EMRStudio-UserRole")["inline_policies"][0]["document"]
    doc["Statement"] = [
        s for s in doc["Statement"] if s.get("Sid") not in ("TagStudioSecrets", "PassServiceRole")
    ]


def es006(f):
    # The console's sample service role: S3 only, no Athena.
    r = role(f, "EMRStudio-ServiceRole")
    r["inline_policies"] = [p for p in r["inline_policies"] if p["name"] != "StudioServiceAthena"]


def es008(f):
    studio(f)["session_mappings"] = []


def wg003(f):
    for app in f["applications"].values():
        app["assignments"] = []


def ag001(f):
    f["access_grants"] = {"instance": None, "locations": [], "grants": []}


def ag002(f):
    inst = f["access_grants"]["instance"]
    inst.pop("identity_center_instance_arn")
    inst.pop("identity_center_application_arn")


def ag003(f):
    f["access_grants"]["locations"][0]["location_scope"] = "s3://data-lake-111122223333"


def ag005(f):
    # A grant exists, but for the bucket's other prefix.
    f["access_grants"]["grants"][0]["grant_scope"] = "s3://athena-results-111122223333/primary/*"


TRAPS = {
    "ES001": es001,
    "ES003": es003,
    "ES004": es004,
    "ES005": es005,
    "ES006": es006,
    "ES008": es008,
    "WG001": wg001,
    "WG003": wg003,
    "AG001": ag001,
    "AG002": ag002,
    "AG003": ag003,
    "AG005": ag005,
}


def blog(f):
    """The seed's account with every trap its author hit at once."""
    es001(f)  # trap 2-1/2-2: Studio created with IAM authentication
    f["roles"].pop("EMRStudio-UserRole")  # no separate user role (2-4)
    es006(f)  # console sample service role without Athena (2-4)
    wg001(f)  # trap 1: workgroup without Identity Center
    ag001(f)  # final trap: no S3 Access Grants
    idc_wg(f)["name"] = "flightdata-wg"
    idc_wg_out = "s3://athena-results-111122223333/flightdata-wg/"
    next(w for w in f["workgroups"] if w["name"] == "flightdata-wg")["output_location"] = idc_wg_out
    f["workgroups"].sort(key=lambda w: w["name"])


def write(path, facts):
    path.write_text(json.dumps(facts, indent=2, ensure_ascii=False) + "\n")


def main():
    (HERE / "traps").mkdir(exist_ok=True)
    for trap_id, mutate in TRAPS.items():
        f = copy.deepcopy(HEALTHY)
        mutate(f)
        write(HERE / "traps" / f"{trap_id}.json", f)
    f = copy.deepcopy(HEALTHY)
    blog(f)
    write(HERE / "blog-account.json", f)


if __name__ == "__main__":
    main()
