#!/usr/bin/env python3
"""Benchmark of a live run against moto + the test stub on loopback (see scripts/bench).

Prints figures; asserts nothing. Per run: wall time, AWS calls, most calls in
flight, peak RSS, and the ratio of the wall time to the ideal (the run's
dependent round trips times the added latency); per preset: median, min, max and
the calls per operation.

`--scale org`: an organisation of ORG_ACCOUNTS member accounts, each holding the
healthy account (and the audit role) in both ORG_REGIONS, read with
`--accounts ... --role-name ... --regions r1,r2`; besides the figures above, the
wall time of one target read alone the same way (the slowest of the first
account's targets) and the ratio of the run's wall time to it.
"""
import argparse
import copy
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def healthy():
    with open(os.path.join(ROOT, "examples/healthy-account.json")) as f:
        return json.load(f)


def hexid(prefix, i, width):
    return f"{prefix}{i:0{width}x}"


def guid(i, tag):
    return f"{i:08x}-{tag}-7000-8000-{i:012x}"


def scaled(n):
    """The healthy account with `n` extra workgroups, mappings, assignments, grants."""
    facts = healthy()
    facts["workgroups"] += [{"name": f"bulk-{i:04d}", "state": "ENABLED",
                             "enable_identity_center": False} for i in range(n)]
    studio = facts["studios"][0]
    policy = studio["session_mappings"][-1]["session_policy_arn"]
    studio["session_mappings"][:0] = [{"identity_id": guid(i, "0000"), "identity_type": "GROUP",
                                       "session_policy_arn": policy} for i in range(n)]
    for app in facts["applications"].values():
        app["assignments"][:0] = [{"principal_id": guid(i, "1111"), "principal_type": "GROUP"}
                                  for i in range(n)]
    grant = facts["access_grants"]["grants"][0]
    facts["access_grants"]["grants"][:0] = [
        dict(grant, access_grant_id=f"bulk-{i}", grantee_type="DIRECTORY_GROUP",
             grantee_identifier=guid(i, "2222")) for i in range(n)]
    return facts


ORG_ACCOUNTS, ORG_REGIONS, ORG_ROLE = 20, ("ap-northeast-1", "us-east-1"), "StudioDoctorAudit"


def as_audit_role(facts):
    """The facts as the audit role reads them: it is the caller, and the Lake
    Formation administrator."""
    text = json.dumps(facts).replace("assumed-role/studio-doctor-readonly/ci",
                                     f"assumed-role/{ORG_ROLE}/studio-doctor")
    return json.loads(text.replace("role/studio-doctor-readonly", f"role/{ORG_ROLE}"))


def seed_org(stub):
    """The organisation: members, their audit roles, the healthy account in each
    member and region. Returns the member account ids."""
    stub.call("POST", "/_stub/reset_all", {})
    members = stub.call("POST", "/_stub/organization", {"members": ORG_ACCOUNTS})["members"]
    text = json.dumps(as_audit_role(healthy()))
    for account in members:
        stub.call("POST", "/_stub/role", {"account": account, "name": ORG_ROLE})
        for i, region in enumerate(ORG_REGIONS):
            stub.call("POST", f"/_stub/scenario?account={account}&region={region}",
                      json.loads(text if i == 0 else own_names(text, region)))
    return members


def own_names(text, region):
    """The facts for a further region of the same account: IAM and S3 names are
    global, and the example's roles and policies name its region's resources, so
    that region's results bucket, roles and policies get names of their own (the
    audit role's stays)."""
    text = text.replace("athena-results-111122223333", f"athena-results-111122223333-{region}")
    text = re.sub(r'(arn:aws:iam::111122223333:(?:role|policy)/(?:[^"/]*/)*)([^"/]+)"',
                  lambda m: m.group(0) if m.group(2) == ORG_ROLE else f'{m.group(1)}{m.group(2)}-{region}"', text)
    return re.sub(r'"role_name": "([^"]+)"', lambda m: f'"role_name": "{m.group(1)}-{region}"', text)


def emulator_cpu(stub):
    """CPU seconds the stub and moto (its child) have used so far (Linux /proc)."""
    pids = [stub.proc.pid]
    try:
        with open(f"/proc/{stub.proc.pid}/task/{stub.proc.pid}/children") as f:
            pids += [int(p) for p in f.read().split()]
        total = 0
        for pid in pids:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def org_series(a, runs, stub, env, args, members):
    """The organisation run at each latency, and one target alone the same way."""
    everything = args + ["--accounts", ",".join(members), "--role-name", ORG_ROLE,
                         "--regions", ",".join(ORG_REGIONS)]
    base = None  # (run, one target alone) at 0 ms
    for ms in [float(x) for x in str(a.latency).split(",")]:
        print(f"-- latency {ms:g} ms: {len(members)} accounts x {len(ORG_REGIONS)} regions")
        walls = []
        for i in range(a.runs):
            stub.call("POST", "/_stub/reset", {})
            stub.call("POST", "/_stub/latency", {"ms": ms})
            cpu = emulator_cpu(stub)
            r = runs.run(a.binary, env, everything)
            stats = stub.call("GET", "/_stub/stats")
            print(f"run {i + 1}: wall {r['wall']:6.2f}s  calls {stats['calls']:5d}  "
                  f"max in flight {stats['max_in_flight']:3d}  peak RSS {r['rss_mib']:6.1f} MiB  "
                  f"CPU {r['cpu']:5.2f}s (emulator {emulator_cpu(stub) - cpu:5.2f}s)  "
                  f"exit {r['exit']}  errors {r['summary'].get('error', '?')}")
            if r["exit"] not in (0, 1):
                print("  stderr: " + r["stderr"].strip()[-400:])
            for message in r["errors"][:3]:
                print("  error: " + message)
            walls.append(r["wall"])
        alone = []
        for region in ORG_REGIONS:
            stub.call("POST", "/_stub/reset", {})
            stub.call("POST", "/_stub/latency", {"ms": ms})
            cpu = emulator_cpu(stub)
            r = runs.run(a.binary, env, args + ["--accounts", members[0], "--role-name", ORG_ROLE,
                                                "--regions", region])
            calls = stub.call("GET", "/_stub/stats")["calls"]
            print(f"one target ({members[0]}, {region}) alone: wall {r['wall']:6.2f}s  calls {calls:5d}  "
                  f"peak RSS {r['rss_mib']:6.1f} MiB  CPU {r['cpu']:5.2f}s "
                  f"(emulator {emulator_cpu(stub) - cpu:5.2f}s)  exit {r['exit']}")
            alone.append(r["wall"])
        med = statistics.median(walls)
        print(f"wall: median {med:.2f}s  min {min(walls):.2f}s  max {max(walls):.2f}s; "
              f"slowest target alone {max(alone):.2f}s: {med / max(alone):.2f} x")
        if ms == 0:
            base = (med, max(alone))
        elif base:
            # Where the run is CPU-bound (the emulator and the tool sharing a few
            # cores), what the latency adds shows how well the targets overlap.
            print(f"latency added: {med - base[0]:.2f}s to the run, {max(alone) - base[1]:.2f}s "
                  f"to one target alone")


def large():
    """100 Studios (10 with Identity Center), 500 workgroups (10 with Identity
    Center), 10,000 assignments, 20,000 Lake Formation permissions, 5,000 access
    grants, 500 session mappings."""
    facts = healthy()
    base_studio = facts["studios"][0]
    base_wg = next(w for w in facts["workgroups"] if w["name"] == "idc-wg")
    base_app_arn = base_wg["identity_center_application_arn"]
    base_app = facts["applications"][base_app_arn]
    account, region = "111122223333", facts["target"]["region"]
    studios = []
    for i in range(100):
        sid = "es-" + hexid("B", i, 24).upper()
        s = copy.deepcopy(base_studio)
        s.update(studio_id=sid, name=f"studio-{i:03d}",
                 studio_arn=f"arn:aws:elasticmapreduce:{region}:{account}:studio/{sid}",
                 url=f"https://{sid}.emrstudio-prod.{region}.amazonaws.com")
        if i >= 10:
            s.update(auth_mode="IAM", trusted_identity_propagation_enabled=False, session_mappings=[])
            for k in ("user_role", "idc_instance_arn", "idc_user_assignment"):
                s.pop(k, None)
        else:
            own = s["session_mappings"]
            s["session_mappings"] = own + [
                {"identity_id": guid(i * 100 + j, "0000"), "identity_type": "GROUP",
                 "session_policy_arn": own[-1]["session_policy_arn"]} for j in range(50 - len(own))]
        studios.append(s)
    studios[0] = base_studio
    base_studio["session_mappings"] += [
        {"identity_id": guid(9000 + j, "0000"), "identity_type": "GROUP",
         "session_policy_arn": base_studio["session_mappings"][-1]["session_policy_arn"]}
        for j in range(50 - len(base_studio["session_mappings"]))]
    facts["studios"] = studios
    workgroups, apps = [base_wg], {}
    for i in range(1, 10):
        w = copy.deepcopy(base_wg)
        arn = base_app_arn[: base_app_arn.rfind("/") + 1] + hexid("apl-", i, 16)
        w.update(name=f"idc-wg-{i}", identity_center_application_arn=arn,
                 output_location=f"s3://athena-results-{account}/idc-wg-{i}/")
        workgroups.append(w)
        apps[arn] = copy.deepcopy(base_app)
    workgroups += [{"name": f"bulk-{i:04d}", "state": "ENABLED", "enable_identity_center": False}
                   for i in range(490)]
    facts["workgroups"] = workgroups
    apps[base_app_arn] = base_app
    for k, (arn, app) in enumerate(sorted(apps.items())):
        app["assignments"] = app["assignments"] + [
            {"principal_id": guid(k * 1000 + j, "1111"), "principal_type": "GROUP"}
            for j in range(1000 - len(app["assignments"]))]
    facts["applications"] = apps
    lake = facts["lake_formation"]
    db = lake["permissions"][0]["database"]
    lake["permissions"] += [
        {"principal": f"arn:aws:identitystore:::group/{guid(j, '3333')}", "database": db,
         **({"table": "flightdata"} if j % 2 else {}), "permissions": ["DESCRIBE"]}
        for j in range(20000 - len(lake["permissions"]))]
    grant = facts["access_grants"]["grants"][0]
    facts["access_grants"]["grants"] += [
        dict(grant, access_grant_id=f"bulk-{j}", grantee_type="DIRECTORY_GROUP",
             grantee_identifier=guid(j, "2222")) for j in range(4999)]
    return facts


class Stub:
    def __init__(self, python):
        self.proc = subprocess.Popen([python, os.path.join(ROOT, "tests/aws/stub.py")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.port = int(self.proc.stdout.readline().split()[1])

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        with urllib.request.urlopen(req, timeout=3600) as r:
            return json.load(r)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


# Runs each command it is sent (a JSON line: binary, env, args, stdout and stderr
# files) and answers with its wall time, exit status and rusage. It imports next to
# nothing, so it stays small: see Launcher.
LAUNCHER = """
import json, os, sys, time
for line in sys.stdin:
    binary, env, args, out, err = json.loads(line)
    t = time.time()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
            os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
            os.execve(binary, [binary, *args], env)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    print(json.dumps([time.time() - t, os.waitstatus_to_exitcode(status), ru.ru_maxrss,
                      ru.ru_utime + ru.ru_stime]), flush=True)
"""


class Launcher:
    """Starts each run from a small process of its own (~10 MiB, the floor of the
    peak RSS figures).

    On Linux a child's peak RSS (ru_maxrss) also counts the process that forked it
    (exec keeps the old image's high-water mark): started from this script, which
    holds the large preset, every run would read this script's size (~68 MiB)
    instead of the tool's."""

    def __init__(self, python):
        self.proc = subprocess.Popen([python, "-I", "-S", "-c", LAUNCHER],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.dir = tempfile.mkdtemp()

    def run(self, binary, env, args):
        """One run: wall time, peak RSS, exit code, stderr and the report's summary."""
        out, err = os.path.join(self.dir, "out"), os.path.join(self.dir, "err")
        self.proc.stdin.write(json.dumps([binary, env, args, out, err]) + "\n")
        self.proc.stdin.flush()
        wall, code, maxrss, cpu = json.loads(self.proc.stdout.readline())
        try:
            with open(out) as f:
                report = json.load(f)
            summary = report.get("summary", {})
            errors = sorted({r["message"][:160] for r in report.get("results", [])
                             if r.get("status") == "error"})
        except ValueError:
            summary, errors = {}, []
        with open(err, errors="replace") as f:
            stderr = f.read()
        return {"wall": wall, "rss_mib": maxrss / 1024, "cpu": cpu, "exit": code,
                "stderr": stderr, "summary": summary, "errors": errors}

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", default="healthy",
                    help="healthy, large, org (20 accounts x 2 regions), or a number of extra items")
    ap.add_argument("--latency", default="0",
                    help="ms the stub adds to every AWS call; a comma list runs each in turn")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=None, help="passed to studio-doctor")
    ap.add_argument("--throttle-rate", type=float, default=0, metavar="R",
                    help="the stub lets R calls a second through per service and throttles "
                         "the rest (a token bucket, as AWS's API rate limits)")
    ap.add_argument("--env", action="append", default=[], metavar="K=V",
                    help="after the other series, the same latencies again with K=V set")
    ap.add_argument("--binary", default=None)
    ap.add_argument("--python", default=sys.executable)
    a = ap.parse_args()

    runs = Launcher(a.python)
    org = a.scale == "org"
    facts = {"healthy": healthy, "large": large, "org": healthy}.get(
        a.scale, lambda: scaled(int(a.scale)))()
    stub = Stub(a.python)
    try:
        t = time.time()
        if org:
            members = seed_org(stub)
            answer = {"region": ORG_REGIONS[0]}
        else:
            answer = stub.call("POST", "/_stub/scenario", facts)
        latencies = [float(x) for x in str(a.latency).split(",")]
        print(f"preset {a.scale}: seeded in {time.time() - t:.1f}s; binary {a.binary}")
        home = tempfile.mkdtemp()
        env = {"PATH": os.environ["PATH"], "HOME": home,
               "AWS_ENDPOINT_URL": f"http://127.0.0.1:{stub.port}", "AWS_REGION": answer["region"],
               "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": f"{home}/c",
               "AWS_SHARED_CREDENTIALS_FILE": f"{home}/k"}
        # The retry settings a user would set, passed through.
        env.update({k: os.environ[k] for k in ("AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS")
                    if k in os.environ})
        args = ["check", "--format", "json", "-q", "--timeout", "600"]
        for u in facts["target"].get("users", []):
            args += ["--user", u]
        for tbl in facts["target"].get("tables", []):
            args += ["--table", tbl]
        if a.concurrency:
            args += ["--concurrency", str(a.concurrency)]
        if org:
            return org_series(a, runs, stub, env, args, members)
        # Calibration: with room for every call at once, the longest chain of
        # calls is the number of dependent round trips.
        stub.call("POST", "/_stub/reset", {})
        stub.call("POST", "/_stub/latency", {"ms": max(latencies) or 20})
        runs.run(a.binary, env, args[:-2] + ["--concurrency", "256"] if a.concurrency else
                 args + ["--concurrency", "256"])
        d = stub.call("GET", "/_stub/stats")["depth"]
        print(f"dependent round trips: {d}")
        series = [(ms, 0) for ms in latencies]
        extra = dict(kv.split("=", 1) for kv in a.env)
        if a.throttle_rate:
            series += [(ms, a.throttle_rate) for ms in latencies]
        if extra:
            series += [(ms, -1) for ms in latencies]
        medians = {}
        for ms, rate in series:
            throttled = f", throttled above {rate:g} calls/s per service" if rate > 0 else ""
            if rate < 0:
                throttled = f", with {' '.join(a.env)}"
            print(f"-- latency {ms:g} ms{throttled}")
            walls = []
            for i in range(a.runs):
                stub.call("POST", "/_stub/reset", {})
                stub.call("POST", "/_stub/latency", {"ms": ms})
                if rate > 0:
                    stub.call("POST", "/_stub/faults", {"rules": [
                        {"op": "*", "error": "Throttling", "rate": rate}]})
                run_env = dict(env, **extra) if rate < 0 else env
                r = runs.run(a.binary, run_env, args + ["--save-facts", f"{home}/facts.json"])
                stats = stub.call("GET", "/_stub/stats")
                ideal = d * ms / 1000
                ratio = f"{r['wall'] / ideal:5.2f} x ideal ({ideal:.2f}s)" if ideal else ""
                print(f"run {i + 1}: wall {r['wall']:6.2f}s  calls {stats['calls']:5d}  "
                      f"max in flight {stats['max_in_flight']:3d}  peak RSS {r['rss_mib']:6.1f} MiB  "
                      f"CPU {r['cpu']:5.2f}s  "
                      f"exit {r['exit']}  errors {r['summary'].get('error', '?')}  {ratio}")
                if r["exit"] not in (0, 1):
                    print("  stderr: " + r["stderr"].strip()[-400:])
                walls.append(r["wall"])
            med = statistics.median(walls)
            medians[(ms, rate)] = med
            print(f"wall: median {med:.2f}s  min {min(walls):.2f}s  max {max(walls):.2f}s")
            base = medians.get((0.0, rate))
            if ms and base is not None:
                # The stub's own time per call is in the 0 ms wall too: what the
                # latency added, against what the dependent round trips must add.
                print(f"latency added {med - base:.2f}s for an ideal {d * ms / 1000:.2f}s: "
                      f"{(med - base) / (d * ms / 1000):.2f} x")
        print(f"facts file: {os.path.getsize(f'{home}/facts.json') / 1024:.0f} KiB")
        print("calls per operation: " + ", ".join(f"{k} {v}" for k, v in stats["by_op"].items()))
        busy = sorted(stats.get("busy_by_op", {}).items(), key=lambda kv: -kv[1])
        print(f"emulator's own answering time (last run): {sum(v for _, v in busy):.2f}s; most: "
              + ", ".join(f"{k} {v:.2f}s" for k, v in busy[:5]))
    finally:
        stub.close()
        runs.close()


if __name__ == "__main__":
    main()
