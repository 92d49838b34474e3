#!/usr/bin/env python3
"""AWS test double for studio-doctor's integration tests: moto plus what moto lacks.

Started by the Rust tests as `$STUDIO_DOCTOR_TEST_PYTHON tests/aws/stub.py`. It

* starts moto's server (moto_server's entry point, see MOTO_MAIN) on a free
  127.0.0.1 port,
* serves HTTP on another free 127.0.0.1 port and prints one line
  `READY <stub_port> <moto_port>` on stdout once both are up,
* answers, in the AWS wire format, the operations moto lacks (EMR Studio, SSO
  Admin applications, S3 Access Grants, Lake Formation's Identity Center
  configuration), patches a few moto answers (Athena workgroups, Identity Store
  users, SSO instances) and forwards everything else to moto unchanged,
* injects faults and records every operation it receives (control API below).

It exits, and kills moto, when its stdin closes (the test that started it died)
or on SIGTERM/SIGINT.

Control API, JSON, on the stub port:
  POST /_stub/scenario[?region=R]  body: a facts file -> resets moto and the
                                   stub, seeds both; answers the ids it used
  POST /_stub/faults               {"rules": [{"op", "error", "times", "delay"}]}
  POST /_stub/page_size            {"n": 1}   (null: back to defaults)
  POST /_stub/latency              {"ms": 50} added to every AWS call (0: none)
  GET  /_stub/stats                {"calls": N, "max_in_flight": N, "by_op": {op: N}}
  GET  /_stub/calls                ["sts.GetCallerIdentity", "iam.GetRole", ...]
  POST /_stub/reset                clears calls, faults and page size (keeps data)

The server is stdlib only (boto3 is imported only to seed moto).
Set STUB_DEBUG=1 to log requests (and moto's log) to stderr.
"""

import fnmatch
import http.client
import importlib.util
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

DEBUG = os.environ.get("STUB_DEBUG") == "1"

FACTS_ACCOUNT = "111122223333"  # the account of the example facts files
CREATED = 1704067200  # every creation time the stub serves: 2024-01-01T00:00:00Z
CREATED_ISO = "2024-01-01T00:00:00Z"
DEFAULT_PAGE = 50  # page size of the lists the stub serves, unless told otherwise

# X-Amz-Target prefix -> service name used in op names ("emr.ListStudios").
# The names are the SigV4 signing names (sso-admin signs as "sso").
TARGETS = {
    "ElasticMapReduce": "emr",
    "SWBExternalService": "sso",
    "AWSIdentityStore": "identitystore",
    "AmazonAthena": "athena",
    "AWSGlue": "glue",
}
# The S3 Control operations the stub knows, by method and path.
S3CONTROL_OPS = {
    ("GET", "/v20180820/accessgrantsinstance"): "GetAccessGrantsInstance",
    ("GET", "/v20180820/accessgrantsinstance/locations"): "ListAccessGrantsLocations",
    ("GET", "/v20180820/accessgrantsinstance/grants"): "ListAccessGrants",
}
# IAM action prefix per service, for AccessDenied messages.
IAM_PREFIX = {"emr": "elasticmapreduce", "s3control": "s3"}
QUERY_NS = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}
S3CONTROL_NS = "http://awss3control.amazonaws.com/doc/2018-08-20/"

# Injected faults: (protocol, kind) -> (HTTP status, error code), as AWS answers
# them. Every throttling code is in the SDKs' throttling lists (retried).
FAULTS = {
    ("query", "AccessDenied"): (403, "AccessDenied"),
    ("query", "Throttling"): (400, "Throttling"),
    ("json", "AccessDenied"): (400, "AccessDeniedException"),
    ("json", "Throttling"): (400, "ThrottlingException"),
    ("rest-json", "AccessDenied"): (403, "AccessDeniedException"),
    ("rest-json", "Throttling"): (429, "ThrottledException"),
    ("rest-xml", "AccessDenied"): (403, "AccessDenied"),
    ("rest-xml", "Throttling"): (503, "SlowDown"),
}
SERVICE_FAULTS = {("athena", "Throttling"): (400, "TooManyRequestsException")}
# An internal error, with the code each protocol's services document for it.
SERVER_ERRORS = {"query": "InternalFailure", "json": "InternalServerException",
                 "rest-json": "InternalServerException", "rest-xml": "InternalError"}
# "ServerError": HTTP 500 with that code; "Malformed": HTTP 200 whose body does
# not parse in the protocol's format; "Timeout": no answer for "delay" seconds.
FAULT_KINDS = ("AccessDenied", "Throttling", "Timeout", "ServerError", "Malformed")
TIMEOUT_DELAY = 10.0  # seconds a "Timeout" fault waits when it has no "delay"

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length",
              "proxy-connection", "te", "upgrade", "date", "server"}
SCOPE_RE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


def log(*args):
    if DEBUG:
        print("[stub]", *args, file=sys.stderr, flush=True)


def known(value, default=None):
    """A fact's value; `default` when it is absent, null or `{"unknown": ...}`."""
    if value is None or (isinstance(value, dict) and set(value) == {"unknown"}):
        return default
    return value


def pascal(obj):
    """snake_case keys -> PascalCase keys, recursively (facts -> wire)."""
    if isinstance(obj, dict):
        return {"".join(p[:1].upper() + p[1:] for p in k.split("_")): pascal(v)
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [pascal(v) for v in obj]
    return obj


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# Requests and responses


class Req:
    """One AWS request, with the service/operation/protocol it was identified as."""

    def __init__(self, method, raw_path, headers, body):
        self.method, self.raw_path, self.headers, self.body = method, raw_path, headers, body
        url = urlsplit(raw_path)
        self.path, self.query = url.path, parse_qs(url.query)
        self.service, self.op, self.protocol, self.region = self._identify()

    def _identify(self):
        m = SCOPE_RE.search(self.headers.get("Authorization", ""))
        region, scope = (m.group(1), m.group(2)) if m else (None, None)
        target = self.headers.get("X-Amz-Target")
        if self.path.startswith("/v20180820/"):
            key = (self.method, self.path.rstrip("/"))
            return "s3control", S3CONTROL_OPS.get(key, f"{self.method} {self.path}"), "rest-xml", region
        if target:
            prefix, _, op = target.rpartition(".")
            return TARGETS.get(prefix, scope or prefix), op, "json", region
        if scope in ("iam", "sts") or "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
            form = parse_qs(self.body.decode("utf-8", "replace"))
            action = (self.query.get("Action") or form.get("Action") or ["Unknown"])[0]
            return scope or "query", action, "query", region
        if scope == "s3" and self.method == "GET" and "location" in urlsplit(self.raw_path).query.split("&"):
            return "s3", "GetBucketLocation", "rest-xml", region
        if scope == "lakeformation":
            return "lakeformation", self.path.strip("/").split("/")[0], "rest-json", region
        return scope or "unknown", f"{self.method} {self.path}", "rest-json", region

    @property
    def name(self):
        return f"{self.service}.{self.op}"

    def json(self):
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return {}

    def param(self, name):
        """A REST query parameter (first value)."""
        return (self.query.get(name) or [None])[0]


def reply_json(obj, status=200, content_type="application/x-amz-json-1.1"):
    return status, [("Content-Type", content_type)], json.dumps(obj).encode()


def reply_xml(root, inner, status=200, ns=S3CONTROL_NS):
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{ns}">{inner}</{root}>'
    return status, [("Content-Type", "application/xml")], body.encode()


def el(tag, value):
    """One XML element, or nothing for None."""
    return "" if value is None else f"<{tag}>{escape(str(value))}</{tag}>"


def error(req, code, message, status=400):
    """An error in the wire shape of the request's protocol."""
    rid = str(uuid.uuid4())
    if req.protocol == "query":
        ns = QUERY_NS.get(req.service, QUERY_NS["iam"])
        body = (f'<ErrorResponse xmlns="{ns}"><Error><Type>Sender</Type>{el("Code", code)}'
                f'{el("Message", message)}</Error>{el("RequestId", rid)}</ErrorResponse>')
        return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", rid)], body.encode()
    if req.protocol == "rest-xml" and req.service == "s3":  # S3 itself: an unwrapped <Error>
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{el("Code", code)}'
                f'{el("Message", message)}{el("RequestId", rid)}</Error>')
        return status, [("Content-Type", "application/xml"), ("x-amz-request-id", rid)], body.encode()
    if req.protocol == "rest-xml":
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error>{el("Code", code)}'
                f'{el("Message", message)}</Error>{el("RequestId", rid)}</ErrorResponse>')
        return status, [("Content-Type", "application/xml"), ("x-amz-request-id", rid)], body.encode()
    if req.protocol == "rest-json":
        headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", rid),
                   ("x-amzn-ErrorType", code)]
        return status, headers, json.dumps({"message": message}).encode()
    status, headers, body = reply_json({"__type": code, "message": message}, status)
    return status, headers + [("x-amzn-RequestId", rid)], body


# --------------------------------------------------------------------------
# Scenario data served by the stub itself


class Data:
    """What the stub serves for one region (empty until a scenario is loaded)."""

    def __init__(self):
        self.region = None
        self.account = None
        self.instance_arn = None
        self.instance = {}  # facts' IdC instance (name, status), ids already rewritten
        # The facts' instances in ListInstances order: None stands for moto's own
        # instance (the one the users live in), a dict for a further instance the
        # stub serves itself (e.g. an account instance beside the organization one).
        self.instance_order = [None]
        self.no_instances = False  # facts say: no Identity Center instance
        self.studios = []  # facts studios, session_mappings resolved to lists
        self.apps = {}  # ARN -> {"assignment_required", "assignments", "name", "provider"}
        self.grants_instance = None  # facts access_grants.instance, or None
        self.locations = []
        self.grants = []
        self.lake_formation = None  # facts lake_formation.identity_center, or None
        self.lf_resources = {}  # resource ARN -> facts lake_formation.resources entry
        self.lf_opt_ins = []  # facts lake_formation.opt_ins
        self.lf_permissions = []  # facts lake_formation.permissions
        self.lf_tag_permissions = []  # facts lake_formation.tag_permissions
        self.lf_table_tags = {}  # "db.table" -> facts lake_formation.table_tags entry
        self.lf_filter_permissions = []  # facts lake_formation.filter_permissions
        self.caller_arn = None  # facts caller.arn: who the tool runs as
        self.wg_apps = {}  # workgroup name -> IdentityCenterApplicationArn
        self.wg_disabled = set()  # workgroups to show as DISABLED
        self.user_status = {}  # moto user id -> ENABLED/DISABLED


EMPTY = Data()

STUDIO_FIELDS = [
    ("studio_id", "StudioId"), ("studio_arn", "StudioArn"), ("name", "Name"),
    ("auth_mode", "AuthMode"), ("vpc_id", "VpcId"), ("subnet_ids", "SubnetIds"),
    ("service_role", "ServiceRole"), ("user_role", "UserRole"),
    ("workspace_security_group_id", "WorkspaceSecurityGroupId"),
    ("engine_security_group_id", "EngineSecurityGroupId"), ("url", "Url"),
    ("default_s3_location", "DefaultS3Location"), ("idc_instance_arn", "IdcInstanceArn"),
    ("trusted_identity_propagation_enabled", "TrustedIdentityPropagationEnabled"),
    ("idc_user_assignment", "IdcUserAssignment"), ("encryption_key_arn", "EncryptionKeyArn"),
]
SUMMARY_FIELDS = {"StudioId", "Name", "VpcId", "Url", "AuthMode"}


def studio_wire(s, summary=False):
    out = {wire: s[key] for key, wire in STUDIO_FIELDS if s.get(key) is not None}
    if summary:
        out = {k: v for k, v in out.items() if k in SUMMARY_FIELDS}
    else:
        out["Tags"] = []
    out["CreationTime"] = CREATED
    return out


# --------------------------------------------------------------------------
# The stub


def chain_depth(timeline):
    """The longest chain of calls each starting after the previous one ended: with
    no wait for a free slot, the run's dependent round trips."""
    best = []
    for start, end in sorted(timeline):
        d = 1 + max((b for e, b in best if e <= start), default=0)
        best.append((end, d))
    return max((b for _, b in best), default=0)


class Stub:
    def __init__(self, moto):
        self.moto = moto
        self.moto_port = moto.port
        self.lock = threading.Lock()
        self.seed_lock = threading.Lock()
        self.data = Data()
        self.calls, self.rules, self.page_size = [], [], None
        self.latency, self.in_flight, self.max_in_flight = 0.0, 0, 0
        self.timeline = []  # (start, end) of every AWS call since the last reset
        self.service_in_flight, self.service_max = {}, {}
        # Operations answered here: name -> method(req, data) -> (status, headers, body).
        self.local = {
            "emr.ListStudios": self.list_studios,
            "emr.DescribeStudio": self.describe_studio,
            "emr.ListStudioSessionMappings": self.list_session_mappings,
            "sso.DescribeInstance": self.describe_instance,
            "sso.ListApplications": self.list_applications,
            "sso.DescribeApplication": self.describe_application,
            "sso.ListApplicationAssignments": self.list_assignments,
            "sso.ListApplicationAssignmentsForPrincipal": self.list_principal_assignments,
            "sso.GetApplicationAssignmentConfiguration": self.assignment_configuration,
            "s3control.GetAccessGrantsInstance": self.get_grants_instance,
            "s3control.ListAccessGrantsLocations": self.list_locations,
            "s3control.ListAccessGrants": self.list_grants,
            "lakeformation.DescribeLakeFormationIdentityCenterConfiguration": self.lf_idc_config,
            "lakeformation.ListLakeFormationOptIns": self.lf_opt_ins,
            # moto's ListPermissions fails (HTTP 500, KeyError 'TableWildcard') when a
            # TableWildcard query meets a named-table grant; AWS answers it.
            "lakeformation.ListPermissions": self.lf_permissions,
            # moto keeps table tags apart from database tags and lists no data cells filters.
            "lakeformation.GetResourceLFTags": self.lf_resource_tags,
            "lakeformation.ListDataCellsFilter": self.lf_data_filters,
            # The scenario's caller (e.g. an assumed data-lake-admin role), not moto's user.
            "sts.GetCallerIdentity": self.caller_identity,
        }
        # Operations forwarded to moto whose answer is then patched.
        self.patches = {
            "athena.GetWorkGroup": self.patch_get_work_group,
            "athena.ListWorkGroups": self.patch_list_work_groups,
            "identitystore.DescribeUser": self.patch_describe_user,
            "sso.ListInstances": self.patch_list_instances,
            "lakeformation.ListResources": self.patch_lf_resources,
        }

    # ---- dispatch

    def handle(self, req):
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            n = self.service_in_flight[req.service] = self.service_in_flight.get(req.service, 0) + 1
            self.service_max[req.service] = max(self.service_max.get(req.service, 0), n)
            latency = self.latency
        start = time.monotonic()
        try:
            if latency:
                time.sleep(latency)
            return self.handle_now(req)
        finally:
            with self.lock:
                self.in_flight -= 1
                self.service_in_flight[req.service] -= 1
                self.timeline.append((start, time.monotonic()))

    def handle_now(self, req):
        with self.lock:
            self.calls.append(req.name)
            rule = self.take_fault(req.name)
            data = self.data if req.region in (None, self.data.region) else EMPTY
        if rule:
            delay = rule.get("delay")
            if rule["error"] == "Timeout" and delay is None:
                delay = TIMEOUT_DELAY
            if delay:
                time.sleep(float(delay))
            if rule["error"] != "Timeout":
                return self.fault(req, rule["error"], data)
        if req.name in self.local:
            return self.local[req.name](req, data)
        answer = self.forward(req)
        if req.name in self.patches and answer[0] == 200:
            return self.patches[req.name](req, data, answer)
        return answer

    def take_fault(self, name):
        """The first live fault rule for this operation, counting it down (lock held)."""
        for rule in self.rules:
            if fnmatch.fnmatchcase(name, rule["op"]) and rule.get("times") != 0:
                if rule.get("times") is not None:
                    rule["times"] -= 1
                return rule
        return None

    def fault(self, req, kind, data):
        if kind == "Malformed":
            xml = req.protocol in ("query", "rest-xml")
            body = b"<Response><unclosed>" if xml else b'{"truncated": '
            ctype = "text/xml" if xml else "application/x-amz-json-1.1"
            return 200, [("Content-Type", ctype)], body
        if kind == "ServerError":
            return error(req, SERVER_ERRORS[req.protocol], "We encountered an internal error.", 500)
        status, code = SERVICE_FAULTS.get((req.service, kind)) or FAULTS.get(
            (req.protocol, kind), (400, kind))
        if kind == "AccessDenied":
            action = f"{IAM_PREFIX.get(req.service, req.service)}:{req.op}"
            account = data.account or "123456789012"
            message = (f"User: arn:aws:sts::{account}:assumed-role/studio-doctor-test/ci is not "
                       f"authorized to perform: {action} because no identity-based policy "
                       f"allows the {action} action")
        else:
            message = "Rate exceeded"
        return error(req, code, message, status)

    def forward(self, req):
        """Send the request to moto unchanged and return moto's answer."""
        conn = http.client.HTTPConnection("127.0.0.1", self.moto_port, timeout=120)
        try:
            conn.putrequest(req.method, req.raw_path, skip_host=True, skip_accept_encoding=True)
            for k, v in req.headers.items():
                if k.lower() not in HOP_BY_HOP:
                    conn.putheader(k, v)
            conn.putheader("Content-Length", str(len(req.body)))
            conn.endheaders(req.body or None)
            resp = conn.getresponse()
            body = resp.read()
            headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP]
            return resp.status, headers, body
        finally:
            conn.close()

    def paginate(self, items, token, max_results=None):
        n = self.page_size or max_results or DEFAULT_PAGE
        start = int(token) if token and str(token).isdigit() else 0
        end = start + int(n)
        return items[start:end], (str(end) if end < len(items) else None)

    # ---- EMR (JSON 1.1)

    def list_studios(self, req, d):
        page, marker = self.paginate(d.studios, req.json().get("Marker"))
        out = {"Studios": [studio_wire(s, summary=True) for s in page]}
        if marker:
            out["Marker"] = marker
        return reply_json(out)

    def find_studio(self, d, studio_id):
        return next((s for s in d.studios if s["studio_id"] == studio_id), None)

    def describe_studio(self, req, d):
        studio_id = req.json().get("StudioId")
        s = self.find_studio(d, studio_id)
        if s is None:
            return error(req, "InvalidRequestException", f"Studio {studio_id} does not exist.")
        return reply_json({"Studio": studio_wire(s)})

    def list_session_mappings(self, req, d):
        body = req.json()
        studio_id, kind = body.get("StudioId"), body.get("IdentityType")
        if studio_id and self.find_studio(d, studio_id) is None:
            return error(req, "InvalidRequestException", f"Studio {studio_id} does not exist.")
        rows = []
        for s in d.studios:
            if studio_id and s["studio_id"] != studio_id:
                continue
            for m in s["session_mappings"]:
                if kind and m.get("identity_type") != kind:
                    continue
                row = {"StudioId": s["studio_id"], "IdentityId": m["identity_id"],
                       "IdentityName": m.get("identity_name"), "IdentityType": m["identity_type"],
                       "SessionPolicyArn": m.get("session_policy_arn"), "CreationTime": CREATED}
                rows.append({k: v for k, v in row.items() if v is not None})
        page, marker = self.paginate(rows, body.get("Marker"))
        out = {"SessionMappings": page}
        if marker:
            out["Marker"] = marker
        return reply_json(out)

    # ---- SSO Admin (JSON 1.1)

    def moto_instances(self, req):
        """moto's SSO instances for the request's region (moto has no DescribeInstance)."""
        headers = {k: v for k, v in req.headers.items()
                   if k.lower() not in HOP_BY_HOP and k.lower() != "x-amz-target"}
        headers["X-Amz-Target"] = "SWBExternalService.ListInstances"
        sub = Req("POST", "/", headers, b"{}")
        status, _, body = self.forward(sub)
        return json.loads(body).get("Instances", []) if status == 200 else []

    @staticmethod
    def facts_fields(facts, describe):
        """What the facts say about an instance: name, status, regions, and for
        DescribeInstance the encryption key type."""
        out = {}
        for key, wire in (("name", "Name"), ("status", "Status"), ("primary_region", "PrimaryRegion")):
            if facts.get(key):
                out[wire] = facts[key]
        if facts.get("regions"):
            out["Regions"] = [{"RegionName": r["region_name"], "Status": r.get("status"),
                               "IsPrimaryRegion": r["region_name"] == facts.get("primary_region"),
                               "AddedDate": CREATED} for r in facts["regions"]]
        key_type = known(facts.get("key_type"))
        if describe and key_type:
            out["EncryptionConfigurationDetails"] = {"KeyType": key_type, "EncryptionStatus": "ENABLED"}
        return out

    def instance_wire(self, inst, d, describe=False):
        """moto's instance, with what the facts say about it."""
        inst = dict(inst)
        if inst.get("InstanceArn") == d.instance_arn:
            inst.update(self.facts_fields(d.instance, describe))
        return {k: v for k, v in inst.items() if v is not None}

    def extra_wire(self, facts, d, describe=False):
        """A further instance of the facts, as ListInstances/DescribeInstance show it."""
        inst = {"InstanceArn": facts["instance_arn"], "IdentityStoreId": facts["identity_store_id"],
                "OwnerAccountId": facts.get("owner_account_id", d.account), "CreatedDate": CREATED}
        inst.update(self.facts_fields(facts, describe))
        return inst

    def patch_list_instances(self, req, d, answer):
        if d.no_instances:
            return reply_json({"Instances": []})
        obj = json.loads(answer[2])
        own = [self.instance_wire(i, d) for i in obj.get("Instances", [])]
        listed = []
        for extra in d.instance_order:
            listed.extend(own if extra is None else [self.extra_wire(extra, d)])
        obj["Instances"] = listed
        return reply_json(obj)

    def describe_instance(self, req, d):
        arn = req.json().get("InstanceArn")
        extra = [i for i in d.instance_order if i and i["instance_arn"] == arn]
        if extra and not d.no_instances:
            return reply_json(self.extra_wire(extra[0], d, describe=True))
        found = [i for i in self.moto_instances(req) if i.get("InstanceArn") == arn]
        if not found or d.no_instances:
            return error(req, "ResourceNotFoundException", f"Instance {arn} does not exist")
        return reply_json(self.instance_wire(found[0], d, describe=True))

    def app_wire(self, arn, app, d):
        sign_in = {"Origin": "IDENTITY_CENTER"}
        if app.get("url"):  # an application users open at its own URL (an EMR Studio)
            sign_in = {"Origin": "APPLICATION", "ApplicationUrl": app["url"]}
        return {"ApplicationArn": arn, "ApplicationProviderArn": app["provider"],
                "Name": app["name"], "ApplicationAccount": d.account,
                "InstanceArn": d.instance_arn, "Status": "ENABLED", "CreatedDate": CREATED,
                "PortalOptions": {"Visibility": "ENABLED", "SignInOptions": sign_in}}

    def find_app(self, req, d):
        arn = req.json().get("ApplicationArn")
        app = d.apps.get(arn)
        if app is None:
            return arn, None, error(req, "ResourceNotFoundException",
                                    f"Application {arn} does not exist")
        return arn, app, None

    def list_applications(self, req, d):
        body = req.json()
        provider = (body.get("Filter") or {}).get("ApplicationProvider")
        account = (body.get("Filter") or {}).get("ApplicationAccount")
        apps = [] if body.get("InstanceArn") != d.instance_arn or account not in (None, d.account) else [
            self.app_wire(arn, a, d) for arn, a in d.apps.items()
            if not provider or a["provider"] == provider]
        page, token = self.paginate(apps, body.get("NextToken"), body.get("MaxResults"))
        out = {"Applications": page}
        if token:
            out["NextToken"] = token
        return reply_json(out)

    def describe_application(self, req, d):
        arn, app, err = self.find_app(req, d)
        return err or reply_json(self.app_wire(arn, app, d))

    def list_assignments(self, req, d):
        arn, app, err = self.find_app(req, d)
        if err:
            return err
        rows = [{"ApplicationArn": arn, "PrincipalId": a["principal_id"],
                 "PrincipalType": a["principal_type"]} for a in app["assignments"]]
        body = req.json()
        page, token = self.paginate(rows, body.get("NextToken"), body.get("MaxResults"))
        out = {"ApplicationAssignments": page}
        if token:
            out["NextToken"] = token
        return reply_json(out)

    def list_principal_assignments(self, req, d):
        """The applications a principal is assigned to directly (no group expansion),
        optionally filtered to one application."""
        body = req.json()
        if body.get("InstanceArn") != d.instance_arn:
            return error(req, "ResourceNotFoundException",
                         f"Instance {body.get('InstanceArn')} does not exist")
        only = (body.get("Filter") or {}).get("ApplicationArn")
        rows = [{"ApplicationArn": arn, "PrincipalId": a["principal_id"],
                 "PrincipalType": a["principal_type"]}
                for arn, app in d.apps.items() if only in (None, arn)
                for a in app["assignments"]
                if a["principal_id"] == body.get("PrincipalId")
                and a["principal_type"] == body.get("PrincipalType")]
        page, token = self.paginate(rows, body.get("NextToken"), body.get("MaxResults"))
        out = {"ApplicationAssignments": page}
        if token:
            out["NextToken"] = token
        return reply_json(out)

    def assignment_configuration(self, req, d):
        _, app, err = self.find_app(req, d)
        return err or reply_json({"AssignmentRequired": app["assignment_required"]})

    # ---- S3 Control (REST-XML, wrapped errors)

    def no_grants_instance(self, req):
        return error(req, "AccessGrantsInstanceNotExistsError",
                     "Access Grants Instance does not exist", 404)

    def get_grants_instance(self, req, d):
        inst = d.grants_instance
        if inst is None:
            return self.no_grants_instance(req)
        app = inst.get("identity_center_application_arn")
        inner = (el("AccessGrantsInstanceArn", inst["access_grants_instance_arn"])
                 + el("AccessGrantsInstanceId", "default")
                 + el("IdentityCenterArn", app)
                 + el("IdentityCenterInstanceArn", inst.get("identity_center_instance_arn"))
                 + el("IdentityCenterApplicationArn", app)
                 + el("CreatedAt", CREATED_ISO))
        return reply_xml("GetAccessGrantsInstanceResult", inner)

    def s3_arn(self, d, kind, ident):
        return f"arn:aws:s3:{d.region}:{d.account}:access-grants/default/{kind}/{ident}"

    def list_locations(self, req, d):
        if d.grants_instance is None:
            return self.no_grants_instance(req)
        scope = req.param("locationscope")
        rows = [loc for loc in d.locations if not scope or loc["location_scope"] == scope]
        page, token = self.paginate(rows, req.param("nextToken"), req.param("maxResults"))
        entries = "".join(
            "<AccessGrantsLocation>" + el("CreatedAt", CREATED_ISO)
            + el("AccessGrantsLocationId", loc["access_grants_location_id"])
            + el("AccessGrantsLocationArn", self.s3_arn(d, "location", loc["access_grants_location_id"]))
            + el("LocationScope", loc["location_scope"]) + el("IAMRoleArn", loc.get("iam_role_arn"))
            + "</AccessGrantsLocation>" for loc in page)
        inner = el("NextToken", token) + f"<AccessGrantsLocationsList>{entries}</AccessGrantsLocationsList>"
        return reply_xml("ListAccessGrantsLocationsResult", inner)

    def list_grants(self, req, d):
        if d.grants_instance is None:
            return self.no_grants_instance(req)
        filters = {"grantee_type": req.param("granteetype"),
                   "grantee_identifier": req.param("granteeidentifier"),
                   "permission": req.param("permission"), "grant_scope": req.param("grantscope"),
                   "application_arn": req.param("application_arn")}
        rows = [g for g in d.grants
                if all(v is None or g.get(k) == v for k, v in filters.items())]
        page, token = self.paginate(rows, req.param("nextToken"), req.param("maxResults"))
        scopes = {loc["access_grants_location_id"]: loc["location_scope"] for loc in d.locations}
        entries = ""
        for g in page:
            loc_scope = scopes.get(g["access_grants_location_id"], "")
            sub = g["grant_scope"][len(loc_scope):].lstrip("/") if (
                loc_scope and g["grant_scope"].startswith(loc_scope)) else None
            entries += (
                "<AccessGrant>" + el("CreatedAt", CREATED_ISO)
                + el("AccessGrantId", g["access_grant_id"])
                + el("AccessGrantArn", self.s3_arn(d, "grant", g["access_grant_id"]))
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

    # ---- Lake Formation (REST-JSON)

    def lf_idc_config(self, req, d):
        if d.lake_formation is None:
            return error(req, "EntityNotFoundException",
                         "Lake Formation Identity Center configuration not found")
        out = {"CatalogId": d.account, **pascal(d.lake_formation)}
        return reply_json(out, content_type="application/json")

    def lf_opt_ins(self, req, d):
        body = req.json()
        want = (body.get("Principal") or {}).get("DataLakePrincipalIdentifier")
        rows = []
        for o in d.lf_opt_ins:
            if want and o["principal"] != want:
                continue
            if o.get("table"):
                res = {"Table": {"CatalogId": d.account, "DatabaseName": o["database"], "Name": o["table"]}}
            else:
                res = {"Database": {"CatalogId": d.account, "Name": o["database"]}}
            rows.append({"Resource": res, "Principal": {"DataLakePrincipalIdentifier": o["principal"]},
                         "LastModified": CREATED, "LastUpdatedBy": f"arn:aws:iam::{d.account}:root"})
        page, token = self.paginate(rows, body.get("NextToken"), body.get("MaxResults"))
        out = {"LakeFormationOptInsInfoList": page}
        if token:
            out["NextToken"] = token
        return reply_json(out, content_type="application/json")

    def lf_permissions(self, req, d):
        """ListPermissions filtered like AWS: by principal and by the exact resource
        (a named table, a database's table wildcard, or a database), by a data cells
        filter, or by ResourceType LF_TAG_POLICY (grants through LF-Tag expressions)."""
        body = req.json()
        want = (body.get("Principal") or {}).get("DataLakePrincipalIdentifier")
        res = body.get("Resource") or {}
        kind = body.get("ResourceType")
        if kind and kind.startswith("LF_TAG_POLICY") or "DataCellsFilter" in res:
            rows = [r for r in self.lf_policy_rows(d, kind, res)
                    if not want or r["Principal"]["DataLakePrincipalIdentifier"] == want]
            return self.lf_permission_page(body, rows)
        rows = []
        for p in d.lf_permissions:
            if want and p["principal"] != want:
                continue
            table = res.get("Table")
            if table is not None:
                if p["database"] != table.get("DatabaseName"):
                    continue
                if "TableWildcard" in table:
                    if not p.get("table_wildcard"):
                        continue
                elif p.get("table") != table.get("Name") or p.get("table_wildcard"):
                    continue
            elif "Database" in res:
                if p["database"] != res["Database"].get("Name") or p.get("table") or p.get("table_wildcard"):
                    continue
            if p.get("table"):
                wire = {"Table": {"CatalogId": d.account, "DatabaseName": p["database"], "Name": p["table"]}}
            elif p.get("table_wildcard"):
                wire = {"Table": {"CatalogId": d.account, "DatabaseName": p["database"], "TableWildcard": {}}}
            else:
                wire = {"Database": {"CatalogId": d.account, "Name": p["database"]}}
            rows.append({"Principal": {"DataLakePrincipalIdentifier": p["principal"]}, "Resource": wire,
                         "Permissions": p["permissions"], "PermissionsWithGrantOption": []})
        return self.lf_permission_page(body, rows)

    def lf_permission_page(self, body, rows):
        page, token = self.paginate(rows, body.get("NextToken"), body.get("MaxResults"))
        out = {"PrincipalResourcePermissions": page}
        if token:
            out["NextToken"] = token
        return reply_json(out, content_type="application/json")

    def lf_policy_rows(self, d, kind, res):
        """Grants on LF-Tag policies (ResourceType LF_TAG_POLICY[_TABLE|_DATABASE]) or
        on one data cells filter."""
        if "DataCellsFilter" in res:
            f = res["DataCellsFilter"]
            return [{"Principal": {"DataLakePrincipalIdentifier": p["principal"]},
                     "Resource": {"DataCellsFilter": {"TableCatalogId": d.account, "DatabaseName": p["database"],
                                                      "TableName": p["table"], "Name": p["filter"]}},
                     "Permissions": p["permissions"], "PermissionsWithGrantOption": []}
                    for p in d.lf_filter_permissions
                    if (p["database"], p["table"], p["filter"])
                    == (f.get("DatabaseName"), f.get("TableName"), f.get("Name"))]
        only = {"LF_TAG_POLICY_TABLE": "TABLE", "LF_TAG_POLICY_DATABASE": "DATABASE"}.get(kind)
        rows = []
        for p in d.lf_tag_permissions:
            if only and p["resource_type"] != only:
                continue
            policy = {"CatalogId": d.account, "ResourceType": p["resource_type"],
                      "Expression": [{"TagKey": t["key"], "TagValues": t["values"]}
                                     for t in p.get("expression", [])]}
            if p.get("expression_name"):
                policy["ExpressionName"] = p["expression_name"]
            rows.append({"Principal": {"DataLakePrincipalIdentifier": p["principal"]},
                         "Resource": {"LFTagPolicy": policy},
                         "Permissions": p["permissions"], "PermissionsWithGrantOption": []})
        return rows

    def lf_resource_tags(self, req, d):
        """GetResourceLFTags on a table: its database's, its own and its columns' tags."""
        table = (req.json().get("Resource") or {}).get("Table") or {}
        name = f"{table.get('DatabaseName')}.{table.get('Name')}"
        tags = known(d.lf_table_tags.get(name))
        if tags is None:
            return error(req, "EntityNotFoundException", f"Table {name} not found", 400)

        def pairs(lst):
            return [{"CatalogId": d.account, "TagKey": t["key"], "TagValues": t["values"]} for t in lst]

        out = {}
        if tags.get("database"):
            out["LFTagOnDatabase"] = pairs(tags["database"])
        if tags.get("table"):
            out["LFTagsOnTable"] = pairs(tags["table"])
        if tags.get("columns"):
            out["LFTagsOnColumns"] = [{"Name": c["name"], "LFTags": pairs(c["tags"])} for c in tags["columns"]]
        return reply_json(out, content_type="application/json")

    def lf_data_filters(self, req, d):
        """ListDataCellsFilter on a table: the filters the facts' grants name."""
        body = req.json()
        table = body.get("Table") or {}
        seen, filters = set(), []
        for p in d.lf_filter_permissions:
            key = (p["database"], p["table"], p["filter"])
            if key in seen or (table and (p["database"], p["table"]) != (table.get("DatabaseName"), table.get("Name"))):
                continue
            seen.add(key)
            filters.append({"TableCatalogId": d.account, "DatabaseName": p["database"], "TableName": p["table"],
                            "Name": p["filter"], "ColumnWildcard": {}})
        page, token = self.paginate(filters, body.get("NextToken"), body.get("MaxResults"))
        out = {"DataCellsFilters": page}
        if token:
            out["NextToken"] = token
        return reply_json(out, content_type="application/json")

    def caller_identity(self, req, d):
        if not d.caller_arn:
            return self.forward(req)
        inner = ("<GetCallerIdentityResult>" + el("Arn", d.caller_arn) + el("UserId", "AROASTUBCALLER")
                 + el("Account", d.account) + "</GetCallerIdentityResult>"
                 "<ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata>")
        return reply_xml("GetCallerIdentityResponse", inner, ns="https://sts.amazonaws.com/doc/2011-06-15/")

    def patch_lf_resources(self, req, d, answer):
        """moto keeps only ResourceArn and RoleArn."""
        obj = json.loads(answer[2])
        for r in obj.get("ResourceInfoList", []):
            facts = d.lf_resources.get(r.get("ResourceArn"), {})
            r["HybridAccessEnabled"] = bool(facts.get("hybrid_access_enabled"))
            if facts.get("verification_status"):
                r["VerificationStatus"] = facts["verification_status"]
        return reply_json(obj, content_type="application/json")

    # ---- patches of moto answers (JSON 1.1)

    def patch_get_work_group(self, req, d, answer):
        obj = json.loads(answer[2])
        wg = obj.get("WorkGroup")
        if wg is None:  # moto answers {"WorkGroup": null}; AWS answers an error
            name = req.json().get("WorkGroup")
            return error(req, "InvalidRequestException", f"WorkGroup {name} is not found.")
        self.patch_work_group(wg, d)
        return reply_json(obj)

    def patch_work_group(self, wg, d):
        if wg.get("Name") in d.wg_apps:
            wg["IdentityCenterApplicationArn"] = d.wg_apps[wg["Name"]]
        if wg.get("Name") in d.wg_disabled:
            wg["State"] = "DISABLED"

    def patch_list_work_groups(self, req, d, answer):
        groups = json.loads(answer[2]).get("WorkGroups", [])
        for wg in groups:
            self.patch_work_group(wg, d)
        body = req.json()
        page, token = self.paginate(groups, body.get("NextToken"), body.get("MaxResults") or 10**6)
        out = {"WorkGroups": page}
        if token:
            out["NextToken"] = token
        return reply_json(out)

    def patch_describe_user(self, req, d, answer):
        obj = json.loads(answer[2])
        status = d.user_status.get(obj.get("UserId"))
        if status:
            obj["UserStatus"] = status
        return reply_json(obj)

    # ---- control API

    def control(self, method, path, query, body):
        if method == "POST" and path == "/_stub/scenario":
            region = (parse_qs(query).get("region") or [None])[0]
            with self.seed_lock:
                return self.load_scenario(json.loads(body), region)
        if method == "POST" and path == "/_stub/faults":
            rules = json.loads(body).get("rules", [])
            for r in rules:
                if r.get("error") not in FAULT_KINDS or not r.get("op"):
                    raise ValueError(f"bad rule {r}: need op and error in {FAULT_KINDS}")
            with self.lock:
                self.rules = [dict(r) for r in rules]
            return {"ok": True}
        if method == "POST" and path == "/_stub/page_size":
            n = json.loads(body).get("n")
            with self.lock:
                self.page_size = int(n) if n else None
            return {"ok": True}
        if method == "GET" and path == "/_stub/calls":
            with self.lock:
                return list(self.calls)
        if method == "POST" and path == "/_stub/latency":
            with self.lock:
                self.latency = float(json.loads(body).get("ms") or 0) / 1000.0
            return {"ok": True}
        if method == "GET" and path == "/_stub/stats":
            with self.lock:
                by_op = {}
                for c in self.calls:
                    by_op[c] = by_op.get(c, 0) + 1
                return {"calls": len(self.calls), "max_in_flight": self.max_in_flight,
                        "max_in_flight_by_service": dict(sorted(self.service_max.items())),
                        "depth": chain_depth(self.timeline), "by_op": dict(sorted(by_op.items()))}
        if method == "POST" and path == "/_stub/reset":
            with self.lock:
                self.calls, self.rules, self.page_size = [], [], None
                self.max_in_flight, self.timeline, self.service_max = 0, [], {}
            return {"ok": True}
        raise LookupError(f"no control endpoint {method} {path}")

    def moto_api(self, path, obj=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.moto_port, timeout=60)
        try:
            conn.request("POST", path, json.dumps(obj or {}), {"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            if resp.status >= 300:
                raise RuntimeError(f"moto {path}: HTTP {resp.status}")
        finally:
            conn.close()

    def load_scenario(self, facts, region_override):
        import boto3  # only the seeding needs boto3

        facts_region = facts["target"]["region"]
        region = region_override or facts_region
        text = json.dumps(facts)
        self.moto.ensure(managed="arn:aws:iam::aws:policy/" in text)
        self.moto_api("/moto-api/reset")

        def client(name):
            return boto3.client(name, region_name=region, endpoint_url=f"http://127.0.0.1:{self.moto_port}",
                                aws_access_key_id="testing", aws_secret_access_key="testing")

        iam, athena, ids_client = client("iam"), client("athena"), client("identitystore")
        account = client("sts").get_caller_identity()["Account"]
        moto_inst = client("sso-admin").list_instances()["Instances"][0]
        store = moto_inst["IdentityStoreId"]
        inst_arn = moto_inst["InstanceArn"]

        # 1. Rewrite account, region, Identity Center instance and identity store ids.
        src_account = (known(facts.get("caller")) or {}).get("account_id", FACTS_ACCOUNT)
        swaps = [(src_account, account)]
        if region != facts_region:
            swaps.append((facts_region, region))
        facts_insts = known(facts.get("identity_center_instances"), [])
        # moto's instance plays the one the users were looked up in (else the first);
        # the stub serves the others itself, in the facts' order.
        main = next((i for i, inst in enumerate(facts_insts)
                     if inst["identity_store_id"] == facts.get("users_identity_store_id")), 0)
        if facts_insts:
            swaps.append((facts_insts[main]["instance_arn"].rsplit("/", 1)[-1], inst_arn.rsplit("/", 1)[-1]))
            swaps.append((facts_insts[main]["identity_store_id"], store))
        for old, new in swaps:
            text = text.replace(old, new)
        facts = json.loads(text)

        # 2. Identity Store users, groups and memberships; then rewrite their ids.
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
        for old, new in ids.items():
            text = text.replace(old, new)
        facts = json.loads(text)
        facts_insts = known(facts.get("identity_center_instances"), [])
        if facts_insts and facts_insts[main].get("name"):
            client("sso-admin").update_instance(InstanceArn=inst_arn, Name=facts_insts[main]["name"])

        # 3. IAM roles and policies, 4. Athena workgroups, 5. Glue tables and Lake Formation.
        skipped = self.seed_roles(iam, facts, account)
        data = Data()
        self.seed_workgroups(athena, facts, data)
        self.seed_lake_formation(client("glue"), client("lakeformation"), facts, data)

        self.seed_buckets(facts)

        # 6. The stub's own data.
        data.region, data.account, data.instance_arn = region, account, inst_arn
        data.caller_arn = (known(facts.get("caller")) or {}).get("arn")
        data.instance = facts_insts[main] if facts_insts else {}
        data.instance_order = [None if i == main else inst for i, inst in enumerate(facts_insts)] or [None]
        data.no_instances = facts.get("identity_center_instances") == []
        data.user_status = user_status
        for s in known(facts.get("studios"), []):
            data.studios.append({**s, "session_mappings": known(s.get("session_mappings"), [])})
        self.seed_apps(facts, data)
        ag = facts.get("access_grants") or {}
        data.grants_instance = known(ag.get("instance"))
        data.locations = known(ag.get("locations"), [])
        data.grants = known(ag.get("grants"), [])
        if data.grants_instance is None and (data.locations or data.grants):
            # Unknown instance but known lists: serve a default instance with them.
            data.grants_instance = {"access_grants_instance_arn":
                                    f"arn:aws:s3:{region}:{account}:access-grants/default"}

        with self.lock:
            self.data = data
            self.calls, self.rules, self.page_size = [], [], None
        log(f"scenario loaded: region {region}, ids {ids}, skipped {skipped}")
        return {"account_id": account, "region": region, "instance_arn": inst_arn,
                "identity_store_id": store, "ids": ids, "skipped": skipped, "facts": facts}

    def seed_roles(self, iam, facts, account):
        """Create the facts' roles in moto; return what could not be seeded."""
        created, skipped = set(), []

        def ensure_policy(arn, document):
            m = re.match(r"arn:aws:iam::([^:]*):policy(/(?:.*/)?)([^/]+)$", arn)
            if not m:
                raise ValueError(f"not a policy ARN: {arn}")
            if m.group(1) == "aws" or arn in created:
                return  # AWS managed: moto has them (see Moto)
            if m.group(1) != account:
                skipped.append(f"policy {arn}: another account")
                return
            iam.create_policy(PolicyName=m.group(3), Path=m.group(2),
                              PolicyDocument=json.dumps(document))
            created.add(arn)

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
            iam.create_role(**args)
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

    def seed_buckets(self, facts):
        """The results buckets (moto serves S3), each created in its own region."""
        import boto3
        for name, bucket in (facts.get("buckets") or {}).items():
            bucket = known(bucket)
            if bucket is None:
                continue  # null (no such bucket) or unknown
            region = bucket["region"]
            s3 = boto3.client("s3", region_name=region, endpoint_url=f"http://127.0.0.1:{self.moto_port}",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
            args = {"Bucket": name}
            if region != "us-east-1":
                args["CreateBucketConfiguration"] = {"LocationConstraint": region}
            s3.create_bucket(**args)

    def seed_lake_formation(self, glue, lf, facts, data):
        """Glue tables (moto), Lake Formation settings/permissions/resources (moto),
        Identity Center configuration and opt-ins (the stub)."""
        databases = set()
        for name, table in (facts.get("tables") or {}).items():
            table = known(table)
            if table is None:
                continue  # null: no such table
            db, _, tbl = name.partition(".")
            if db not in databases:
                glue.create_database(DatabaseInput={"Name": db})
                databases.add(db)
            sd = {"Location": table["location"]} if table.get("location") else {}
            glue.create_table(DatabaseName=db, TableInput={"Name": tbl, "StorageDescriptor": sd})
        # The other tables GetTables lists (read when a --table is not found); null: no database.
        tables = facts.get("tables") or {}
        for db, names in (facts.get("table_names") or {}).items():
            names = known(names)
            if names is None:
                continue
            if db not in databases:
                glue.create_database(DatabaseInput={"Name": db})
                databases.add(db)
            for tbl in names:
                if known(tables.get(f"{db}.{tbl}")) is None:
                    glue.create_table(DatabaseName=db, TableInput={"Name": tbl})
        lake = facts.get("lake_formation") or {}
        settings = known(lake.get("settings"))
        if settings:
            lf.put_data_lake_settings(DataLakeSettings={
                key: [{"DataLakePrincipalIdentifier": p} for p in settings.get(field, [])]
                for key, field in (("DataLakeAdmins", "data_lake_admins"),
                                   ("ReadOnlyAdmins", "read_only_admins"))})
        for p in known(lake.get("permissions"), []):
            if p.get("table"):
                resource = {"Table": {"DatabaseName": p["database"], "Name": p["table"]}}
            elif p.get("table_wildcard"):
                resource = {"Table": {"DatabaseName": p["database"], "TableWildcard": {}}}
            else:
                resource = {"Database": {"Name": p["database"]}}
            lf.grant_permissions(Principal={"DataLakePrincipalIdentifier": p["principal"]},
                                 Resource=resource, Permissions=p["permissions"])
        for r in known(lake.get("resources"), []):
            args = {"ResourceArn": r["resource_arn"]}
            if r.get("role_arn"):
                args["RoleArn"] = r["role_arn"]
            else:
                args["UseServiceLinkedRole"] = True
            lf.register_resource(**args)
            data.lf_resources[r["resource_arn"]] = r
        data.lf_opt_ins = known(lake.get("opt_ins"), [])
        data.lf_permissions = known(lake.get("permissions"), [])
        data.lf_tag_permissions = known(lake.get("tag_permissions"), [])
        data.lf_table_tags = lake.get("table_tags") or {}
        data.lf_filter_permissions = known(lake.get("filter_permissions"), [])
        # The Identity Center configuration; "lake_formation_identity_center" is an older spelling.
        data.lake_formation = known(facts.get("lake_formation_identity_center",
                                              lake.get("identity_center")))

    def seed_workgroups(self, athena, facts, data):
        workgroups = known(facts.get("workgroups"))
        if workgroups is None:
            return  # unknown or absent: leave moto's default "primary"
        athena.delete_work_group(WorkGroup="primary")
        for wg in workgroups:
            conf = {}
            if wg.get("enable_identity_center") is not None or wg.get("identity_center_instance_arn"):
                idc = {"EnableIdentityCenter": bool(wg.get("enable_identity_center"))}
                if wg.get("identity_center_instance_arn"):
                    idc["IdentityCenterInstanceArn"] = wg["identity_center_instance_arn"]
                conf["IdentityCenterConfiguration"] = idc
            if wg.get("execution_role"):
                conf["ExecutionRole"] = wg["execution_role"]
            result = {}
            if wg.get("output_location"):
                result["OutputLocation"] = wg["output_location"]
            if wg.get("encryption_option"):
                result["EncryptionConfiguration"] = {"EncryptionOption": wg["encryption_option"]}
            if wg.get("expected_bucket_owner"):
                result["ExpectedBucketOwner"] = wg["expected_bucket_owner"]
            if result:
                conf["ResultConfiguration"] = result
            if wg.get("managed_query_results") is not None:
                conf["ManagedQueryResultsConfiguration"] = {"Enabled": wg["managed_query_results"]}
            if wg.get("enforce_workgroup_configuration") is not None:
                conf["EnforceWorkGroupConfiguration"] = wg["enforce_workgroup_configuration"]
            grants = wg.get("s3_access_grants")
            if grants:
                conf["QueryResultsS3AccessGrantsConfiguration"] = {
                    "EnableS3AccessGrants": grants["enable_s3_access_grants"],
                    "CreateUserLevelPrefix": grants.get("create_user_level_prefix", False),
                    **({"AuthenticationType": grants["authentication_type"]}
                       if grants.get("authentication_type") else {})}
            if wg.get("effective_engine_version"):
                v = wg["effective_engine_version"]
                conf["EngineVersion"] = {"SelectedEngineVersion": v, "EffectiveEngineVersion": v}
            athena.create_work_group(Name=wg["name"], Configuration=conf)
            if wg.get("identity_center_application_arn"):
                data.wg_apps[wg["name"]] = wg["identity_center_application_arn"]
            if wg.get("state") == "DISABLED":
                data.wg_disabled.add(wg["name"])

    def seed_apps(self, facts, data):
        """Identity Center applications: the facts' map plus every ARN that refers to one."""
        provider = "arn:aws:sso::aws:applicationProvider/"
        for arn, app in (facts.get("applications") or {}).items():
            data.apps[arn] = {"assignment_required": known(app.get("assignment_required"), False),
                              "assignments": known(app.get("assignments"), []),
                              "name": arn.rsplit("/", 1)[-1], "provider": provider + "custom"}

        def refer(arn, name, kind):
            app = data.apps.setdefault(arn, {"assignment_required": False, "assignments": []})
            app.update(name=name, provider=provider + kind)

        for wg in known(facts.get("workgroups"), []):
            if wg.get("identity_center_application_arn"):
                refer(wg["identity_center_application_arn"], wg["name"], "athena")
        for s in known(facts.get("studios"), []):
            app_arn = known(s.get("application_arn"))
            if app_arn:
                refer(app_arn, s["name"], "emrstudio")
                data.apps[app_arn]["url"] = s.get("url")
        inst = known((facts.get("access_grants") or {}).get("instance"))
        if inst and inst.get("identity_center_application_arn"):
            refer(inst["identity_center_application_arn"], "S3AccessGrants", "s3")
        lf = known(facts.get("lake_formation_identity_center",
                             (facts.get("lake_formation") or {}).get("identity_center")))
        if lf and lf.get("application_arn"):
            refer(lf["application_arn"], "LakeFormation", "lakeformation")


# --------------------------------------------------------------------------
# HTTP server


def make_handler(stub):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the SDKs expect

        def log_message(self, fmt, *args):
            log(fmt % args)

        def read_body(self):
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                body = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        return body
                    body += self.rfile.read(size)
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def send(self, status, headers, body):
            try:
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (e.g. its timeout fired)

        def serve(self):
            body = self.read_body()
            url = urlsplit(self.path)
            if url.path.startswith("/_stub/"):
                try:
                    out = stub.control(self.command, url.path, url.query, body)
                    return self.send(*reply_json(out, content_type="application/json"))
                except LookupError as e:
                    return self.send(*reply_json({"error": str(e)}, 404, "application/json"))
                except Exception as e:  # noqa: BLE001 - report any seeding failure to the test
                    log(f"control {url.path} failed: {e!r}")
                    return self.send(*reply_json({"error": f"{type(e).__name__}: {e}"}, 500,
                                                 "application/json"))
            req = Req(self.command, self.path, self.headers, body)
            try:
                status, headers, out = stub.handle(req)
            except Exception as e:  # noqa: BLE001 - e.g. moto unreachable: tell the client
                log(f"{req.name} failed: {e!r}")
                status, headers, out = error(req, "InternalFailure", f"stub: {type(e).__name__}: {e}", 500)
            log(f"{req.name} ({req.region}) -> {status}")
            self.send(status, headers, out)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = serve

    return Handler


# moto_server's own entry point, run with one fix: moto's IAM policy validator
# rejects S3 ARNs with a region except access points, but AWS also accepts
# S3 Access Grants ARNs (arn:aws:s3:<region>:<account>:access-grants/default).
MOTO_MAIN = (
    "import sys\n"
    "from moto.iam import policy_validation as v\n"
    "v.SERVICE_TYPE_REGION_INFORMATION_ERROR_ASSOCIATIONS['s3']['valid_starting_values']"
    ".append('access-grants/')\n"
    "from moto.server import main\n"
    "main(sys.argv[1:])\n"
)


class Moto:
    """The moto server child process, on a fixed port.

    AWS managed policies (arn:aws:iam::aws:policy/...) exist in moto only when it
    starts with MOTO_IAM_LOAD_MANAGED_POLICIES=true, which makes every reset
    about 1.5 s slower; so moto is restarted in that mode only for the scenarios
    that need it (and back when they don't)."""

    def __init__(self, port):
        self.port, self.proc, self.managed = port, None, False
        self.jobs = queue.Queue()
        if importlib.util.find_spec("moto") is None:
            sys.exit(f"stub: moto is not installed for {sys.executable} "
                     "(install tests/aws/requirements.txt; scripts/test does it)")

    def start(self, managed=False):
        def die_with_parent():  # Linux: moto gets SIGTERM if the stub is killed outright
            try:
                import ctypes
                ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
            except Exception:  # noqa: BLE001 - best effort only
                pass

        out = None if DEBUG else subprocess.DEVNULL
        env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES=str(managed).lower())
        self.managed = managed
        self.proc = subprocess.Popen([sys.executable, "-c", MOTO_MAIN, "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env,
                                     preexec_fn=die_with_parent)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto_server exited with {self.proc.returncode} (set STUB_DEBUG=1)")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/moto-api/data.json")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("moto_server did not start within 60 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def ensure(self, managed):
        """Restart moto in the main thread if the mode must change (called by handlers:
        PR_SET_PDEATHSIG fires when the *thread* that started moto ends)."""
        if managed != self.managed:
            done = queue.Queue()
            self.jobs.put((managed, done))
            error = done.get()
            if error:
                raise error

    def run_jobs(self, stop):
        """The main thread's loop until `stop` is set: restart moto when asked."""
        while not stop.is_set():
            try:
                managed, done = self.jobs.get(timeout=0.5)
            except queue.Empty:
                continue
            log(f"restarting moto with AWS managed policies: {managed}")
            try:
                self.stop()
                self.start(managed)
                done.put(None)
            except Exception as e:  # noqa: BLE001 - handed to the waiting request
                done.put(e)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # quiet unless STUB_DEBUG=1
        log(f"connection from {client_address} failed: {sys.exc_info()[1]!r}")


def main():
    moto = Moto(free_port())
    try:
        moto.start()
    except RuntimeError as e:
        sys.exit(f"stub: {e}")
    stop = threading.Event()
    try:
        server = Server(("127.0.0.1", 0), make_handler(Stub(moto)))
        threading.Thread(target=server.serve_forever, daemon=True).start()

        def watch_stdin():  # the test holds our stdin; EOF means it is gone
            while sys.stdin.buffer.read(4096):
                pass
            stop.set()

        threading.Thread(target=watch_stdin, daemon=True).start()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, lambda *_: stop.set())
        print(f"READY {server.server_address[1]} {moto.port}", flush=True)
        moto.run_jobs(stop)
    finally:
        moto.stop()
    log("bye")
    os._exit(0)  # don't wait for handler threads


if __name__ == "__main__":
    main()
