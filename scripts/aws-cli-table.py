#!/usr/bin/env python3
"""Write checks/tests/data/aws-cli.json: for each AWS CLI service a fix may name,
its operations and their parameters, as the AWS CLI spells them, taken from the
botocore API models (run with the test venv's python: .venv/bin/python).

    .venv/bin/python scripts/aws-cli-table.py

The test `every_printed_command_is_a_real_aws_cli_call` reads it."""
import json
import pathlib

import botocore.session
from botocore import xform_name

# AWS CLI command name -> botocore service name.
SERVICES = {
    "athena": "athena",
    "emr": "emr",
    "glue": "glue",
    "iam": "iam",
    "identitystore": "identitystore",
    "lakeformation": "lakeformation",
    "organizations": "organizations",
    "s3api": "s3",
    "s3control": "s3control",
    "sso-admin": "sso-admin",
    "sts": "sts",
}

session = botocore.session.get_session()
out = {}
for cli, name in sorted(SERVICES.items()):
    model = session.get_service_model(name)
    ops = {}
    for op_name in model.operation_names:
        op = model.operation_model(op_name)
        params = []
        if op.input_shape is not None:
            for member, shape in op.input_shape.members.items():
                flag = xform_name(member, "-")
                params.append(flag)
                if shape.type_name == "boolean":
                    params.append("no-" + flag)
        ops[xform_name(op_name, "-")] = sorted(params)
    out[cli] = dict(sorted(ops.items()))
path = pathlib.Path(__file__).resolve().parent.parent / "checks/tests/data/aws-cli.json"
path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
print(f"wrote {path}: {sum(len(v) for v in out.values())} operations")
