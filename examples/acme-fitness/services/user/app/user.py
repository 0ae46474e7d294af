#!/usr/bin/env python3
"""user: the ACME Fitness log-in, with signed tokens.

API (JSON):
  GET  /health   {status: ok}
  POST /login    {username, password} -> 200 {access_token, token_type: bearer, expires_in},
                 401 {error} when either is missing or empty (this demo keeps no user database:
                 any user name logs in with any non-empty password)
  GET  /verify   with "Authorization: Bearer TOKEN" -> 200 {username}, or 401 {error}
Anything else: 404 {error}.

A token is base64url(username) "." expiry (Unix seconds) "." HMAC-SHA256 of the two, keyed with
TOKEN_SECRET. Unset, a random key is drawn at start: tokens then die with the process and are
not shared between replicas, so a deployment with more than one must set TOKEN_SECRET.

Environment: BIND, the listen address (default 127.0.0.1; 0.0.0.0 in a container);
TOKEN_SECRET (see above); TOKEN_TTL, the lifetime of a token in seconds (default 3600).
usage: user.py PORT
"""
import base64, binascii, hashlib, hmac, json, os, secrets, signal, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

SECRET = os.environ.get("TOKEN_SECRET", "").encode() or secrets.token_bytes(32)
TTL = int(os.environ.get("TOKEN_TTL", "3600"))


def sign(payload):
    return hmac.new(SECRET, payload.encode(), hashlib.sha256).hexdigest()


def issue(username):
    payload = base64.urlsafe_b64encode(username.encode()).decode() + f".{int(time.time()) + TTL}"
    return payload + "." + sign(payload)


def verify(token):
    """The user name TOKEN was issued to, if it is genuine and unexpired; else None."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) < time.time():
        return None
    if not hmac.compare_digest(parts[2], sign(parts[0] + "." + parts[1])):
        return None
    try:
        return base64.urlsafe_b64decode(parts[0]).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def route(method, path, body, headers):
    if method == "GET" and path == "/health":
        return 200, {"status": "ok"}
    if method == "POST" and path == "/login":
        if body is None:
            return 400, {"error": "body is not a JSON object"}
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not username or not isinstance(password, str) or not password:
            return 401, {"error": "bad credentials"}
        return 200, {"access_token": issue(username), "token_type": "bearer", "expires_in": TTL}
    if method == "GET" and path == "/verify":
        auth = headers.get("Authorization", "")
        username = verify(auth[7:]) if auth.startswith("Bearer ") else None
        return (200, {"username": username}) if username else (401, {"error": "invalid or expired token"})
    return 404, {"error": "not found"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    timeout = 120  # an idle connection is closed after this

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        self.close_connection = True
        self.reply(code, {"error": message or "bad request"})

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def serve(self):
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if length < 0:
                raise ValueError
        except ValueError:
            return self.send_error(400, "bad Content-Length")
        try:
            body = json.loads(self.rfile.read(length)) if length else {}
        except ValueError:
            body = None
        try:
            status, payload = route(self.command, urlsplit(self.path).path,
                                    body if isinstance(body, dict) else None, self.headers)
        except Exception as err:
            status, payload = 500, {"error": f"internal error: {err!r}"}
        self.reply(status, payload)

    do_GET = do_POST = do_DELETE = serve


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: user.py PORT")
    if not os.environ.get("TOKEN_SECRET"):
        print("user: TOKEN_SECRET is unset; tokens are signed with a random per-process key",
              file=sys.stderr)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # PID 1 in a container ignores it otherwise
    server = ThreadingHTTPServer((os.environ.get("BIND", "127.0.0.1"), int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()
