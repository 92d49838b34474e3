"""The HTTP server on the stub's port, and the moto server child process it forwards to."""

import http.client
import importlib.util
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .router import Stub
from .wire import DEBUG, Req, error, log, reply_json


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
            if url.scheme:
                # The absolute form a client sends to a proxy (RFC 9112 3.2.2): the
                # AWS CLI reaches S3 Control, whose endpoint rules put the account
                # id in front of the host, with the stub as its HTTP proxy.
                self.path = url.path + (f"?{url.query}" if url.query else "")
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


# moto_server's own entry point, run with two fixes to moto's IAM policy validator:
# it rejects S3 ARNs with a region except access points, but AWS also accepts
# S3 Access Grants ARNs (arn:aws:s3:<region>:<account>:access-grants/default); and
# UpdateAssumeRolePolicy rejects sts:SetContext, which AWS accepts in a trust
# policy (trusted identity propagation roles need it).
MOTO_MAIN = (
    "import sys\n"
    "from moto.iam import policy_validation as v\n"
    "v.SERVICE_TYPE_REGION_INFORMATION_ERROR_ASSOCIATIONS['s3']['valid_starting_values']"
    ".append('access-grants/')\n"
    "trust = v.IAMTrustPolicyDocumentValidator._validate_trust_policy_action\n"
    "v.IAMTrustPolicyDocumentValidator._validate_trust_policy_action = staticmethod(\n"
    "    lambda a: None if a == 'sts:SetContext' else trust(a))\n"
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
    # A run over many accounts opens hundreds of connections at once; the
    # socketserver default backlog (5) drops them while handler threads start.
    request_queue_size = 1024

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
