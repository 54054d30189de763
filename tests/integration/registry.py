"""Registries for the tests: Debian's reference registry (docker-registry)
started on a free loopback port with a config written in the test's own
directory (plain HTTP, TLS with a CA made here, htpasswd or token auth), a
small token server, and misbehaving registries (http.server) for the
failure tests. Everything stops when the test ends, even when it fails.

    with Registry(tmp, tls=True, htpasswd={"alice": "pw"}) as reg:
        reg.host          # "127.0.0.1:PORT"
"""
import base64
import hashlib
import http.server
import json
import os
import socket
import subprocess
import threading
import time
import urllib.parse

REGISTRY_BIN = "/usr/bin/docker-registry"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc=None, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("server exited with %s" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("port %d did not open" % port)


def make_ca(d, name="test"):
    """A CA and a server certificate for 127.0.0.1/localhost signed by it."""
    ca_key, ca_crt = os.path.join(d, name + "-ca.key"), os.path.join(d, name + "-ca.crt")
    key, csr, crt = (os.path.join(d, name + x) for x in (".key", ".csr", ".crt"))
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n")
    run = lambda *a: subprocess.run(a, check=True, capture_output=True)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca_crt,
        "-days", "2", "-subj", "/CN=a3s test CA " + name)
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
        "-subj", "/CN=127.0.0.1")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
        "-out", crt, "-days", "2", "-extfile", ext)
    return ca_crt, crt, key


def htpasswd_file(d, users):
    path = os.path.join(d, "htpasswd")
    open(path, "w").close()
    for u, p in users.items():
        subprocess.run(["htpasswd", "-B", "-b", path, u, p], check=True, capture_output=True)
    return path


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class TokenServer:
    """Issues registry JWTs (RS256 with x5c, signed with openssl) for the
    scopes asked; `users` may ask for anything, anonymous only pulls."""

    def __init__(self, d, users, service="a3s-test-registry", issuer="a3s-test-issuer"):
        self.key, self.crt = os.path.join(d, "token.key"), os.path.join(d, "token.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key,
                        "-out", self.crt, "-days", "2", "-subj", "/CN=a3s token signer"],
                       check=True, capture_output=True)
        der = subprocess.run(["openssl", "x509", "-in", self.crt, "-outform", "DER"], check=True,
                             capture_output=True).stdout
        self.x5c = base64.b64encode(der).decode()
        self.users, self.service, self.issuer = users, service, issuer
        self.requests = []
        srv = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                u = urllib.parse.urlparse(self.path)
                q = urllib.parse.parse_qs(u.query)
                srv.requests.append((self.path, self.headers.get("Authorization")))
                user = None
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Basic "):
                    name, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
                    if srv.users.get(name) != pw:
                        self.send_response(401)
                        self.end_headers()
                        return
                    user = name
                access = []
                for s in q.get("scope", []):
                    parts = s.split(":")
                    if len(parts) < 3:
                        continue
                    actions = parts[-1].split(",")
                    if user is None:
                        actions = [a for a in actions if a == "pull"]
                    access.append({"type": parts[0], "name": ":".join(parts[1:-1]), "actions": actions})
                body = json.dumps({"token": srv.sign(user or "", access), "expires_in": 300}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)  # a free port, no race
        self.port = self.httpd.server_address[1]
        self.realm = "http://127.0.0.1:%d/token" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def sign(self, sub, access):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self.x5c]}
        claims = {"iss": self.issuer, "sub": sub, "aud": self.service, "exp": now + 300, "nbf": now - 10,
                  "iat": now, "jti": hashlib.sha256(os.urandom(8)).hexdigest(), "access": access}
        msg = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key], input=msg.encode(),
                             check=True, capture_output=True).stdout
        return msg + "." + b64url(sig)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Registry:
    """docker-registry on 127.0.0.1:<free port>."""

    def __init__(self, d, tls=False, htpasswd=None, token=None):
        self.dir = d
        os.makedirs(d, exist_ok=True)
        self.proc = None
        self.token = None
        self.ca = None
        cfg = ["version: 0.1", "log:", "  level: error", "  accesslog:", "    disabled: true",
               "storage:", "  filesystem:", "    rootdirectory: %s" % os.path.join(d, "data"),
               "  delete:", "    enabled: true", "http:", "  addr: 127.0.0.1:{port}",
               "  secret: a3s-test-secret"]
        if tls:
            self.ca, crt, key = make_ca(d)
            cfg += ["  tls:", "    certificate: %s" % crt, "    key: %s" % key]
        if htpasswd:
            cfg += ["auth:", "  htpasswd:", "    realm: a3s-test", "    path: %s" % htpasswd_file(d, htpasswd)]
        if token is not None:
            self.token = TokenServer(d, token)
            cfg += ["auth:", "  token:", "    realm: %s" % self.token.realm,
                    "    service: %s" % self.token.service, "    issuer: %s" % self.token.issuer,
                    "    rootcertbundle: %s" % self.token.crt]
        self.cfg = "\n".join(cfg) + "\n"
        self.start()

    def start(self):
        for attempt in range(5):
            self.port = free_port()
            path = os.path.join(self.dir, "config.yml")
            with open(path, "w") as f:
                f.write(self.cfg.replace("{port}", str(self.port)))
            self.log = open(os.path.join(self.dir, "registry.log"), "ab")
            self.proc = subprocess.Popen([REGISTRY_BIN, "serve", path], stdout=self.log, stderr=self.log)
            try:
                wait_port(self.port, self.proc)
                self.host = "127.0.0.1:%d" % self.port
                return
            except RuntimeError:
                self.stop_proc()
        raise RuntimeError("docker-registry did not start: %s" % open(os.path.join(self.dir, "registry.log")).read())

    def stop_proc(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        self.proc = None

    def stop(self):
        self.stop_proc()
        if self.token:
            self.token.stop()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()


def skopeo(*args, timeout=300):
    p = subprocess.run(["skopeo"] + [str(a) for a in args], capture_output=True, timeout=timeout)
    if p.returncode != 0:
        raise AssertionError("skopeo %s failed: %s" % (" ".join(map(str, args)), p.stderr.decode()))
    return p.stdout.decode()


class FakeRegistry:
    """A registry in http.server serving one image from memory, misbehaving
    as `mode` says (see test_registry_errors.py). `log` records (method,
    path, Authorization, Range) of every request."""

    def __init__(self, image, mode=None, repo="bad/img", tag="v1", user=None, platforms=None):
        self.image, self.mode, self.repo, self.tag, self.user = image, mode, repo, tag, user
        self.manifest = image.manifest()
        self.blobs = {sha(b): b for b in image.blobs + [image.config, self.manifest]}
        self.manifests = {sha(self.manifest): self.manifest}
        self.index = None
        if platforms:
            # the tag names a Docker manifest list: {"linux/arm64/v8": Image, ...}
            entries = []
            for plat, img in platforms.items():
                m = img.manifest()
                self.manifests[sha(m)] = m
                for b in img.blobs + [img.config]:
                    self.blobs[sha(b)] = b
                parts = plat.split("/")
                p = {"os": parts[0], "architecture": parts[1]}
                if len(parts) > 2:
                    p["variant"] = parts[2]
                entries.append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                "digest": sha(m), "size": len(m), "platform": p})
            self.index = json.dumps({"schemaVersion": 2,
                                     "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
                                     "manifests": entries}).encode()
        self.log = []
        self.stop_event = threading.Event()
        self.redirect_to = None  # another FakeRegistry (a "storage" host)
        srv = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_HEAD(self):
                srv.handle(self, head=True)

            def do_GET(self):
                srv.handle(self, head=False)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)  # a free port, no race
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.host = "127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def reply(self, h, code, body=b"", ctype="application/json", headers=(), head=False, length=None):
        h.send_response(code)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body) if length is None else length))
        for k, v in headers:
            h.send_header(k, v)
        h.end_headers()
        if not head:
            h.wfile.write(body)

    def handle(self, h, head):
        auth = h.headers.get("Authorization")
        rng = h.headers.get("Range")
        self.log.append((h.command, h.path, auth, rng))
        path = urllib.parse.urlparse(h.path).path
        if self.mode == "auth_loop":
            if path == "/token":
                return self.reply(h, 200, json.dumps({"token": "t%d" % len(self.log)}).encode(), head=head)
            chal = 'Bearer realm="http://%s/token",service="fake",scope="repository:%s:pull"' % (self.host, self.repo)
            return self.reply(h, 401, b'{"errors":[{"code":"UNAUTHORIZED","message":"no"}]}',
                              headers=[("WWW-Authenticate", chal)], head=head)
        if self.user:
            want = "Basic " + base64.b64encode(self.user.encode()).decode()
            if auth != want and not path.startswith("/storage/"):
                return self.reply(h, 401, b"{}", headers=[("WWW-Authenticate", 'Basic realm="fake"')], head=head)
        if path.startswith("/storage/"):
            data = self.blobs[path.split("/")[-1]]
            return self.reply(h, 200, data, "application/octet-stream", head=head)
        if path == "/v2/":
            return self.reply(h, 200, b"{}", head=head)
        prefix = "/v2/%s/" % self.repo
        if path.startswith(prefix + "manifests/"):
            ref = path[len(prefix + "manifests/"):]
            body = self.manifest
            if self.index is not None:
                body = self.index if ref == self.tag else self.manifests.get(ref)
                if body is None:
                    return self.reply(h, 404, b"{}", head=head)
                ctype = ("application/vnd.docker.distribution.manifest.list.v2+json" if body is self.index
                         else "application/vnd.oci.image.manifest.v1+json")
                return self.reply(h, 200, body, ctype, [("Docker-Content-Digest", sha(body))], head=head)
            if self.mode == "big_manifest":
                body = b'{"schemaVersion":2,"pad":"' + b"x" * (5 << 20) + b'"}'
            elif self.mode == "malformed_manifest":
                body = b'{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": 7'
            elif self.mode == "wrong_manifest":
                body = self.manifest + b"\n"
            if ref not in (self.tag, sha(self.manifest)):
                return self.reply(h, 404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}',
                                  head=head)
            return self.reply(h, 200, body, "application/vnd.oci.image.manifest.v1+json",
                              [("Docker-Content-Digest", sha(body))], head=head)
        if path.startswith(prefix + "blobs/"):
            digest = path[len(prefix + "blobs/"):]
            data = self.blobs.get(digest)
            if data is None:
                return self.reply(h, 404, b"{}", head=head)
            is_config = digest == sha(self.image.config)
            if self.mode == "redirect" and self.redirect_to:
                loc = "http://%s/storage/%s" % (self.redirect_to.host, digest)
                return self.reply(h, 307, b"", headers=[("Location", loc)], head=head)
            if self.mode == "wrong_blob" and not is_config:
                data = bytes([data[0] ^ 1]) + data[1:]
            if self.mode in ("truncate_once", "truncate_always") and not is_config:
                start = int(rng.split("=")[1].split("-")[0]) if rng and self.mode == "truncate_once" else 0
                if start == 0:
                    # promise everything, send half, hang up
                    h.send_response(200)
                    h.send_header("Content-Length", str(len(data)))
                    h.end_headers()
                    h.wfile.write(data[:len(data) // 2])
                    h.wfile.flush()
                    h.close_connection = True
                    return
                h.send_response(206)
                h.send_header("Content-Length", str(len(data) - start))
                h.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
                h.end_headers()
                h.wfile.write(data[start:])
                return
            if self.mode == "stall" and not is_config:
                h.send_response(200)
                h.send_header("Content-Length", str(len(data)))
                h.end_headers()
                h.wfile.write(data[:10])
                h.wfile.flush()
                self.stop_event.wait(120)
                h.close_connection = True
                return
            return self.reply(h, 200, data, "application/octet-stream", head=head)
        return self.reply(h, 404, b"{}", head=head)

    def stop(self):
        self.stop_event.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()
