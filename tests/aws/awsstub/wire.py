"""The AWS wire format: identifying a request, and answers and errors in each protocol."""

import json
import os
import re
import sys
import uuid
from urllib.parse import parse_qs, unquote, urlsplit
from xml.etree import ElementTree
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
    ("POST", "/v20180820/accessgrantsinstance"): "CreateAccessGrantsInstance",
    ("POST", "/v20180820/accessgrantsinstance/identitycenter"): "AssociateAccessGrantsIdentityCenter",
    ("DELETE", "/v20180820/accessgrantsinstance/identitycenter"): "DissociateAccessGrantsIdentityCenter",
    ("POST", "/v20180820/accessgrantsinstance/location"): "CreateAccessGrantsLocation",
    ("PUT", "/v20180820/accessgrantsinstance/location/{id}"): "UpdateAccessGrantsLocation",
    ("POST", "/v20180820/accessgrantsinstance/grant"): "CreateAccessGrant",
}
QUERY_NS = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}
S3CONTROL_NS = "http://awss3control.amazonaws.com/doc/2018-08-20/"

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


def new_id(n, alphabet="0123456789abcdef"):
    """A random id of n characters (what AWS hands out for a created resource)."""
    import secrets
    return "".join(secrets.choice(alphabet) for _ in range(n))


def pascal(obj):
    """snake_case keys -> PascalCase keys, recursively (facts -> wire)."""
    if isinstance(obj, dict):
        return {"".join(p[:1].upper() + p[1:] for p in k.split("_")): pascal(v)
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [pascal(v) for v in obj]
    return obj


class Req:
    """One AWS request, with the service/operation/protocol it was identified as."""

    def __init__(self, method, raw_path, headers, body):
        self.method, self.raw_path, self.headers, self.body = method, raw_path, headers, body
        self.path_id = None  # the {id} of a REST path, e.g. an Access Grants location
        url = urlsplit(raw_path)
        self.path, self.query = url.path, parse_qs(url.query)
        self.service, self.op, self.protocol, self.region = self._identify()

    def _identify(self):
        m = SCOPE_RE.search(self.headers.get("Authorization", ""))
        region, scope = (m.group(1), m.group(2)) if m else (None, None)
        target = self.headers.get("X-Amz-Target")
        if self.path.startswith("/v20180820/"):
            path = self.path.rstrip("/")
            m = re.fullmatch(r"(/v20180820/accessgrantsinstance/location)/([^/]+)", path)
            if m and self.method != "GET":
                self.path_id, path = unquote(m.group(2)), m.group(1) + "/{id}"
            key = (self.method, path)
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

    def xml(self):
        """A REST-XML request body as a dict: element name -> text or nested dict
        (namespaces dropped; repeated elements keep the last)."""
        if not self.body:
            return {}

        def walk(node):
            kids = list(node)
            if not kids:
                return node.text or ""
            return {k.tag.rpartition("}")[2]: walk(k) for k in kids}

        try:
            return walk(ElementTree.fromstring(self.body))
        except ElementTree.ParseError:
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
