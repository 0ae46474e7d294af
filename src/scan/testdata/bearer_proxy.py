#!/usr/bin/env python3
"""A Bearer-token front for a real docker-registry, for the scan tests.

Debian's docker-registry has no token server, so this plays the part Docker Hub's and ghcr's
auth services play: /v2/ requests without the right token get 401 with a Bearer challenge
naming /token; /token hands out the token for Basic USER:PASSWORD; authorised requests are
passed to the registry at UPSTREAM.

usage: bearer_proxy.py PORT UPSTREAM_URL USER PASSWORD
"""
import base64, http.server, json, sys, urllib.error, urllib.request

PORT, UPSTREAM, USER, PASSWORD = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
TOKEN = "tollgate-test-token"


class Handler(http.server.BaseHTTPRequestHandler):
    def _send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/token"):
            want = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            if self.headers.get("Authorization") != want:
                return self._send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
            return self._send(200, json.dumps({"token": TOKEN}).encode(),
                              [("Content-Type", "application/json")])
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            challenge = (f'Bearer realm="http://127.0.0.1:{PORT}/token",service="tollgate-test",'
                         'scope="repository:tollgate/demo:pull"')
            return self._send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                              [("Www-Authenticate", challenge)])
        req = urllib.request.Request(UPSTREAM + self.path, method=self.command)
        if self.headers.get("Accept"):
            req.add_header("Accept", self.headers["Accept"])
        try:
            with urllib.request.urlopen(req) as r:
                keep = [(k, v) for k, v in r.getheaders()
                        if k.lower() in ("content-type", "docker-content-digest")]
                return self._send(r.status, r.read(), keep)
        except urllib.error.HTTPError as e:
            return self._send(e.code, e.read(), [("Content-Type", "application/json")])

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
