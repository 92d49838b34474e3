"""The stub's dispatch: every AWS call is counted, may meet an injected fault, and is
then answered by a service module (LOCAL), or forwarded to moto and its answer
patched (PATCHES), or forwarded unchanged."""

import http.client
import json
import threading
import time
from urllib.parse import urlencode

from . import accounts, athena, emr, identitystore, lakeformation, s3control, sso, sts
from .control import control
from .data import Data
from .faults import inject, take_fault
from .wire import DEFAULT_PAGE, HOP_BY_HOP, Req, reply_json

QUERY_VERSIONS = {"iam": "2010-05-08", "sts": "2011-06-15"}

SERVICES = (emr, sso, s3control, lakeformation, athena, identitystore, sts, accounts)
# Identity Center's services: a request to them acts in the account of the
# Identity Center instance its account uses (Data.idc_account).
IDC_SERVICES = ("sso", "identitystore")


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
        self.datas = {}  # (account, region) -> Data, filled by scenarios
        self.keys = {}  # access key id -> (account, ARN), see accounts.identity
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

    def data_for(self, account, req):
        """The Data serving the request (lock held): its account's in its region. In
        a region without one, nothing (a fresh Data, so a write there is lost), but
        Identity Center answers for its instance in each of its regions, and a
        request without a region is served from the account's first Data."""
        d = self.datas.get((account, req.region))
        mine = [v for (a, _), v in self.datas.items() if a == account]
        if d is None and req.region is None and mine:
            d = mine[0]
        if d is None and req.service == "sso":
            d = next((v for v in mine if req.region in v.instance_regions()), None)
        if d is None:
            d = Data()
            d.account, d.region = account, req.region
            # An account seeded in other regions has no Identity Center instance here
            # (moto has one in every account and region).
            d.no_instances = bool(mine)
        return d

    def handle_now(self, req):
        req.account, _ = accounts.identity(self, req)
        with self.lock:
            self.calls.append(req.name)
            rule = take_fault(self.rules, req.name, req.body, req.account)
            data = self.data_for(req.account, req)
        req.idc_account = data.idc_account or req.account
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
        """Send the request to moto unchanged and return moto's answer (an Identity
        Center request of an account whose instance is another account's acts there)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.moto_port, timeout=120)
        try:
            conn.putrequest(req.method, req.raw_path, skip_host=True, skip_accept_encoding=True)
            for k, v in req.headers.items():
                if k.lower() not in HOP_BY_HOP:
                    conn.putheader(k, v)
            idc = getattr(req, "idc_account", None)
            if req.service in IDC_SERVICES and idc and idc != getattr(req, "account", None):
                conn.putheader("x-moto-account-id", idc)
            conn.putheader("Content-Length", str(len(req.body)))
            conn.endheaders(req.body or None)
            resp = conn.getresponse()
            body = resp.read()
            headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP]
            return resp.status, headers, body
        finally:
            conn.close()

    def moto_json(self, req, service, target, obj, account=None):
        """Call a JSON-protocol operation of moto as `service` (its signing name),
        in the request's region and account: returns (HTTP status, answer as a dict)."""
        headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target,
                   **self.signed(req, service, account)}
        _, _, body = answer = self.forward(Req("POST", "/", headers, json.dumps(obj).encode()))
        try:
            return answer[0], json.loads(body or b"{}")
        except ValueError:
            return answer[0], {}

    def moto_rest(self, req, service, path, obj, account=None):
        """Call a REST-JSON operation of moto (e.g. Lake Formation's POST /Name):
        (HTTP status, answer as a dict)."""
        headers = {"Content-Type": "application/json", **self.signed(req, service, account)}
        _, _, body = answer = self.forward(Req("POST", path, headers, json.dumps(obj).encode()))
        try:
            return answer[0], json.loads(body or b"{}")
        except ValueError:
            return answer[0], {}

    def moto_query(self, req, service, params, account=None):
        """Call a query-protocol operation of moto (IAM, STS): (HTTP status, XML text)."""
        body = urlencode({**params, "Version": QUERY_VERSIONS[service]}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   **self.signed(req, service, account)}
        status, _, out = self.forward(Req("POST", "/", headers, body))
        return status, out.decode("utf-8", "replace")

    def signed(self, req, service, account=None):
        """Headers that make moto take a request for `service` (moto routes by the
        SigV4 credential scope and does not check the signature), acting in
        `account`, else the request's (its Identity Center account for sso and
        identitystore)."""
        region = req.region or "us-east-1"
        auth = (f"AWS4-HMAC-SHA256 Credential=testing/20240101/{region}/{service}/aws4_request, "
                "SignedHeaders=host, Signature=0")
        out = {"Authorization": auth, "Host": f"127.0.0.1:{self.moto_port}"}
        account = account or getattr(req, "idc_account" if service in IDC_SERVICES else "account", None)
        if account:
            out["x-moto-account-id"] = account
        return out

    def visible_apps(self, d, instance_arn):
        """The Identity Center applications on an instance that `d`'s account sees:
        its own, and for the instance's own account those of every account
        (ListApplications with an ApplicationAccount filter). arn -> (app, account)."""
        if not instance_arn or instance_arn != d.instance_arn:
            return {}
        out = {arn: (app, d.account) for arn, app in d.apps.items()}
        if (d.idc_account or d.account) == d.account:
            with self.lock:
                others = [v for v in self.datas.values() if v is not d and v.instance_arn == instance_arn]
            for v in others:
                out.update({arn: (app, v.account) for arn, app in v.apps.items() if arn not in out})
        return out

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
