"""The control endpoints (/_stub/...) the tests call: scenario, faults, page size,
latency, calls and stats, reset; organization and roles (see stub.py)."""

import json
from urllib.parse import parse_qs

from . import accounts
from .faults import FAULT_KINDS
from .scenario import load_scenario, reset_all


def chain_depth(timeline):
    """The longest chain of calls each starting after the previous one ended: with
    no wait for a free slot, the run's dependent round trips."""
    best = []
    for start, end in sorted(timeline):
        d = 1 + max((b for e, b in best if e <= start), default=0)
        best.append((end, d))
    return max((b for _, b in best), default=0)


def control(stub, method, path, query, body):
    q = {k: v[0] for k, v in parse_qs(query).items()}
    if method == "POST" and path == "/_stub/scenario":
        with stub.seed_lock:
            return load_scenario(stub, json.loads(body), q.get("region"), q.get("account"),
                                 q.get("identity_center_account"), q.get("reset") == "1")
    if method == "POST" and path == "/_stub/reset_all":
        with stub.seed_lock:
            reset_all(stub, q.get("managed") == "1")
        with stub.lock:
            stub.calls, stub.rules, stub.page_size = [], [], None
        return {"ok": True}
    if method == "POST" and path == "/_stub/organization":
        with stub.seed_lock:
            return accounts.organization(stub, json.loads(body or b"{}"))
    if method == "POST" and path == "/_stub/role":
        with stub.seed_lock:
            return accounts.create_role(stub, json.loads(body))
    if method == "POST" and path == "/_stub/faults":
        rules = json.loads(body).get("rules", [])
        for r in rules:
            if r.get("error") not in FAULT_KINDS or not r.get("op"):
                raise ValueError(f"bad rule {r}: need op and error in {FAULT_KINDS}")
            if "account" in r and not str(r["account"]).isdigit():
                raise ValueError(f"bad rule {r}: account is a 12-digit id")
        with stub.lock:
            stub.rules = [dict(r) for r in rules]
        return {"ok": True}
    if method == "POST" and path == "/_stub/page_size":
        n = json.loads(body).get("n")
        with stub.lock:
            stub.page_size = int(n) if n else None
        return {"ok": True}
    if method == "GET" and path == "/_stub/calls":
        with stub.lock:
            return list(stub.calls)
    if method == "POST" and path == "/_stub/latency":
        with stub.lock:
            stub.latency = float(json.loads(body).get("ms") or 0) / 1000.0
        return {"ok": True}
    if method == "GET" and path == "/_stub/stats":
        with stub.lock:
            by_op = {}
            for c in stub.calls:
                by_op[c] = by_op.get(c, 0) + 1
            return {"calls": len(stub.calls), "max_in_flight": stub.max_in_flight,
                    "max_in_flight_by_service": dict(sorted(stub.service_max.items())),
                    "depth": chain_depth(stub.timeline), "by_op": dict(sorted(by_op.items())),
                    "busy_by_op": {k: round(v, 3) for k, v in sorted(stub.busy.items())}}
    if method == "POST" and path == "/_stub/reset":
        with stub.lock:
            stub.calls, stub.rules, stub.page_size = [], [], None
            stub.max_in_flight, stub.timeline, stub.service_max = 0, [], {}
            stub.busy = {}
        return {"ok": True}
    raise LookupError(f"no control endpoint {method} {path}")
