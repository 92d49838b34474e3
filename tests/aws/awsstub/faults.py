"""Injected faults: which rule applies to a call, and the answer AWS would give."""

import fnmatch
import time

from .wire import error

# IAM action prefix per service, for AccessDenied messages.
IAM_PREFIX = {"emr": "elasticmapreduce", "s3control": "s3"}
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


def take_fault(rules, name, body=b"", account=None):
    """The first live fault rule for this operation (and, with "body", whose request
    body holds that text; with "account", made in that account; with "every", one
    such call in that many; with "rate", the calls above that many a second per
    service), counting it down (lock held)."""
    for rule in rules:
        wanted = rule.get("body")
        if wanted is not None and wanted.encode() not in (body or b""):
            continue
        if rule.get("account") not in (None, account):
            continue
        if fnmatch.fnmatchcase(name, rule["op"]) and rule.get("times") != 0:
            # "rate": r lets r calls a second through per service (a token
            # bucket holding r), as AWS's per-account API rate limits do, and
            # faults the calls above it.
            if rule.get("rate") and within_rate(rule, name.split(".")[0]):
                continue
            # "every": k faults one matching call in k (the k-th, 2k-th, ...).
            if rule.get("every"):
                rule["seen"] = rule.get("seen", 0) + 1
                if rule["seen"] % int(rule["every"]):
                    continue
            if rule.get("times") is not None:
                rule["times"] -= 1
            return rule
    return None


def within_rate(rule, service):
    """Take a token from the service's bucket; False when it is empty."""
    rate = float(rule["rate"])
    buckets = rule.setdefault("buckets", {})
    now = time.monotonic()
    tokens, last = buckets.get(service, (rate, now))
    tokens = min(rate, tokens + (now - last) * rate)
    if tokens >= 1:
        buckets[service] = (tokens - 1, now)
        return True
    buckets[service] = (tokens, now)
    return False


def fault(req, kind, data, scp=False):
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
        why = ("with an explicit deny in a service control policy" if scp else
               f"because no identity-based policy allows the {action} action")
        message = (f"User: arn:aws:sts::{account}:assumed-role/studio-doctor-test/ci is not "
                   f"authorized to perform: {action} {why}")
    else:
        message = "Rate exceeded"
    return error(req, code, message, status)


def inject(rule, req, data):
    """Wait as the rule says, then its fault's answer (None for a "Timeout": the call
    is then answered as usual)."""
    delay = rule.get("delay")
    if rule["error"] == "Timeout" and delay is None:
        delay = TIMEOUT_DELAY
    if delay:
        time.sleep(float(delay))
    if rule["error"] != "Timeout":
        # A rule for one account is what an SCP on it does (AWS's message says so).
        return fault(req, rule["error"], data, scp="account" in rule)
    return None
