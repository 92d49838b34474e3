#!/usr/bin/env python3
"""AWS test double for studio-doctor's integration tests: moto plus what moto lacks.

Started by the Rust tests as `$STUDIO_DOCTOR_TEST_PYTHON tests/aws/stub.py`. It

* starts moto's server (moto_server's entry point, see awsstub/server.py) on a free
  127.0.0.1 port,
* serves HTTP on another free 127.0.0.1 port and prints one line
  `READY <stub_port> <moto_port>` on stdout once both are up,
* answers, in the AWS wire format, the operations moto lacks (EMR Studio, SSO
  Admin applications, S3 Access Grants, Lake Formation's Identity Center
  configuration), patches a few moto answers (Athena workgroups, Identity Store
  users, SSO instances) and forwards everything else to moto unchanged,
* accepts the writes a `studio-doctor fix` plan makes (tests/fix_live.rs runs
  one with the AWS CLI), each changing what the reads then serve: moto's where
  moto implements the operation as AWS documents it, else the stub's own,
* also takes requests in a proxy's absolute form (`POST http://host/path`), so a
  client can reach S3 Control, whose endpoint rules put the account id in front
  of the host, with HTTP_PROXY set to the stub,
* injects faults and records every operation it receives (control API below),
* emulates an organisation: data per (account, region); the account of a request
  is that of its access key as moto resolves it (a key from AssumeRole acts in
  the role's account, any other key in moto's default account 123456789012, the
  management account of an organization the control API creates); see
  awsstub/accounts.py. sts:AssumeRole is denied (403 AccessDenied, AWS's message)
  when the role does not exist in its account or its trust policy does not let
  the caller in: evaluated are Allow/Deny statements for sts:AssumeRole whose
  Principal AWS is "*", the caller's account or root, its ARN or its role, and
  StringEquals sts:ExternalId conditions (any other condition key: no match).
  organizations: moto's (DescribeOrganization in a member account answers its
  organization, MasterAccountId the management account).

It exits, and kills moto, when its stdin closes (the test that started it died)
or on SIGTERM/SIGINT.

Control API, JSON, on the stub port:
  POST /_stub/scenario[?region=R]  body: a facts file -> resets moto and the
                                   stub, seeds both in moto's default account;
                                   answers the ids it used
       ...&account=A               seeds account A instead, keeping the other
                                   accounts' data (&reset=1: reset all first)
       ...&identity_center_account=M   the facts' Identity Center instance and
                                   identity store are M's (ids rewritten to M's
                                   moto instance in R, users and groups seeded in
                                   M's store, reused by name); A's ListInstances
                                   lists it (owner M), A's identitystore calls
                                   read M's store, M sees A's applications
  POST /_stub/reset_all[?managed=1]  moto reset (with AWS managed policies), all
                                   accounts' data, calls and faults dropped
  POST /_stub/organization         {"members": N, "closed": K} -> an organization
                                   in the default account, N member accounts and K
                                   closed (SUSPENDED) ones: {"organization_id",
                                   "management_account_id", "members", "closed"}
  POST /_stub/role                 {"account", "name", "trust_policy"?, "path"?}:
                                   an IAM role (trusting the management account's
                                   root by default) -> {"arn"}
  POST /_stub/faults               {"rules": [{"op", "error", "times", "delay"}]}
                                   ("account": only calls made in that account;
                                   AccessDenied then reads as an SCP's deny)
  POST /_stub/page_size            {"n": 1}   (null: back to defaults)
  POST /_stub/latency              {"ms": 50} added to every AWS call (0: none)
  GET  /_stub/stats                {"calls": N, "max_in_flight": N, "by_op": {op: N}}
  GET  /_stub/calls                ["sts.GetCallerIdentity", "iam.GetRole", ...]
  POST /_stub/reset                clears calls, faults and page size (keeps data)

The server is stdlib only (boto3 is imported only to seed moto).
Set STUB_DEBUG=1 to log requests (and moto's log) to stderr.

The code is the package awsstub/ beside this file:
  server.py     HTTP server and the moto child process
  router.py     dispatch: count, fault, answer locally / forward to moto / patch
  faults.py     injected faults;  control.py: the /_stub/... endpoints
  scenario.py   loading a facts file (moto reset, ids rewritten, each service seeded)
  wire.py       requests, answers and errors in the AWS protocols;  data.py: Data
  accounts.py   which account a request acts in, AssumeRole, organization, roles
  emr.py, sso.py, s3control.py, lakeformation.py, athena.py, identitystore.py,
  sts.py, iam.py, s3.py
                one module per service: its seeding from the facts, and the
                operations it answers (LOCAL) or patches (PATCHES)
To serve a further operation moto lacks, add a handler to its service module's
LOCAL table (a new module also goes into router.SERVICES).
"""

from awsstub.server import main

if __name__ == "__main__":
    main()
