"""The stub's dispatch: every AWS call is counted, may meet an injected fault, and is
then answered by a service module (LOCAL), or forwarded to moto and its answer
patched (PATCHES), or forwarded unchanged."""

import http.client
import json
import threading
import time
from urllib.parse import urlencode

from . import athena, emr, identitystore, lakeformation, s3control, sso, sts
from .control import control
from .data import Data
from .faults import inject, take_fault
from .wire import DEFAULT_PAGE, HOP_BY_HOP, Req, reply_json

QUERY_VERSIONS = {"iam": "2010-05-08", "sts": "2011-06-15"}

SERVICES = (emr, sso, s3control, lakeformation, athena, identitystore, sts)


def table(name):
    """Operation name -> handler, merged from every service module's `name` table."""
    out = {}
    for service in SERVICES:
        out.update(getattr(service, name, {}))
    return out


class Stub:
    def __init__(self, moto):
        self.moto = moto
        self.moto_port = moto.port
        self.lock = threading.Lock()
        self.seed_lock = threading.Lock()
        self.data = Data()
        self.calls, self.rules, self.page_size = [], [], None
        self.busy = {}  # operation -> seconds spent answering it
        self.latency, self.in_flight, self.max_in_flight = 0.0, 0, 0
        self.timeline = []  # (start, end) of every AWS call since the last reset
        self.service_in_flight, self.service_max = {}, {}
        # Operations answered here: name -> fn(stub, req, data) -> (status, headers, body).
        self.local = table("LOCAL")
        # Operations forwarded to moto whose answer is then patched: fn(stub, req, data, answer).
        self.patches = table("PATCHES")

    def control(self, method, path, query, body):
        return control(self, method, path, query, body)

    def handle(self, req):
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            n = self.service_in_flight[req.service] = self.service_in_flight.get(req.service, 0) + 1
            self.service_max[req.service] = max(self.service_max.get(req.service, 0), n)
            latency = self.latency
        start = time.monotonic()
        busy = start
        try:
            if latency:
                time.sleep(latency)
            busy = time.monotonic()
            return self.handle_now(req)
        finally:
            with self.lock:
                self.in_flight -= 1
                self.service_in_flight[req.service] -= 1
                end = time.monotonic()
                self.timeline.append((start, end))
                # The emulator's own time answering (the added latency excluded).
                self.busy[req.name] = self.busy.get(req.name, 0.0) + (end - busy)

    def handle_now(self, req):
        with self.lock:
            self.calls.append(req.name)
            rule = take_fault(self.rules, req.name, req.body)
            # Another region: nothing there (a fresh Data, so a write there is lost);
            # but Identity Center answers for its instance in each of its regions.
            data = self.data if req.region in (None, self.data.region) or (
                req.service == "sso" and req.region in self.data.instance_regions()) else Data()
        if rule:
            answer = inject(rule, req, data)
            if answer is not None:
                return answer
        if req.name in self.local:
            return self.local[req.name](self, req, data)
        answer = self.forward(req)
        if req.name in self.patches and answer[0] == 200:
            return self.patches[req.name](self, req, data, answer)
        return answer

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

    def moto_json(self, req, service, target, obj):
        """Call a JSON-protocol operation of moto as `service` (its signing name),
        in the request's region: returns (HTTP status, answer as a dict)."""
        headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target,
                   **self.signed(req, service)}
        _, _, body = answer = self.forward(Req("POST", "/", headers, json.dumps(obj).encode()))
        try:
            return answer[0], json.loads(body or b"{}")
        except ValueError:
            return answer[0], {}

    def moto_rest(self, req, service, path, obj):
        """Call a REST-JSON operation of moto (e.g. Lake Formation's POST /Name):
        (HTTP status, answer as a dict)."""
        headers = {"Content-Type": "application/json", **self.signed(req, service)}
        _, _, body = answer = self.forward(Req("POST", path, headers, json.dumps(obj).encode()))
        try:
            return answer[0], json.loads(body or b"{}")
        except ValueError:
            return answer[0], {}

    def moto_query(self, req, service, params):
        """Call a query-protocol operation of moto (IAM, STS): (HTTP status, XML text)."""
        body = urlencode({**params, "Version": QUERY_VERSIONS[service]}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **self.signed(req, service)}
        status, _, out = self.forward(Req("POST", "/", headers, body))
        return status, out.decode("utf-8", "replace")

    def signed(self, req, service):
        """Headers that make moto take a request for `service` (moto routes by the
        SigV4 credential scope and does not check the signature)."""
        region = req.region or "us-east-1"
        auth = (f"AWS4-HMAC-SHA256 Credential=testing/20240101/{region}/{service}/aws4_request, "
                "SignedHeaders=host, Signature=0")
        return {"Authorization": auth, "Host": f"127.0.0.1:{self.moto_port}"}

    def paginate(self, items, token, max_results=None):
        n = self.page_size or max_results or DEFAULT_PAGE
        start = int(token) if token and str(token).isdigit() else 0
        end = start + int(n)
        return items[start:end], (str(end) if end < len(items) else None)

    def list_reply(self, body, key, rows, content_type="application/x-amz-json-1.1"):
        """One page of a JSON list operation paged by NextToken and MaxResults."""
        page, token = self.paginate(rows, body.get("NextToken"), body.get("MaxResults"))
        out = {key: page}
        if token:
            out["NextToken"] = token
        return reply_json(out, content_type=content_type)
