"""AWS CLI (v1) plugin for running commands against the test emulator.

AWS CLI v1 points `aws emr ...` at https://<region>.elasticmapreduce.amazonaws.com
whenever no --endpoint-url is given, ignoring AWS_ENDPOINT_URL and
AWS_ENDPOINT_URL_EMR (awscli/customizations/overridesslcommonname.py); AWS CLI v2
honours them. This plugin undoes that override, so every service follows the
endpoint variables as in v2. Nothing else changes.

Loaded by tests/fix_live.rs through a config file ([plugins] emulator =
awscli_emulator) with this directory on PYTHONPATH.
"""

OVERRIDDEN = ".elasticmapreduce.amazonaws.com"


def awscli_initialize(cli):
    cli.register("operation-args-parsed.emr", honour_endpoint_variables)


def honour_endpoint_variables(parsed_globals, **kwargs):
    url = parsed_globals.endpoint_url or ""
    if url.startswith("https://") and url.endswith(OVERRIDDEN):
        parsed_globals.endpoint_url = None
