"""The control endpoints (/_stub/...) the tests call: scenario, faults, page size,
latency, calls and stats, reset (see stub.py)."""

import json
from urllib.parse import parse_qs

from .faults import FAULT_KINDS
from .scenario import load_scenario


def chain_depth(timeline):
    """The longest chain of calls each starting after the previous one ended: with
    no wait for a free slot, the run's dependent round trips."""
    best = []
    for start, end in sorted(timeline):
        d = 1 + max((b for e, b in best if e <= start), default=0)
        best.append((end, d))
    return max((b for _, b in best), default=0)


def control(stub, method, path, query, body):
    if method == "POST" and path == "/_stub/scenario":
        region = (parse_qs(query).get("region") or [None])[0]
        with stub.seed_lock:
            return load_scenario(stub, json.loads(body), region)
    if method == "POST" and path == "/_stub/faults":
        rules = json.loads(body).get("rules", [])
        for r in rules:
            if r.get("error") not in FAULT_KINDS or not r.get("op"):
                raise ValueError(f"bad rule {r}: need op and error in {FAULT_KINDS}")
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
