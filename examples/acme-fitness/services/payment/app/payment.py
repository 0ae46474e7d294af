#!/usr/bin/env python3
"""payment: the ACME Fitness card payments, decided by simple rules (no real gateway).

API (JSON):
  GET  /health   {status: ok}
  POST /pay      {amount, card}
                 -> 200 {status: accepted, transaction, amount, card: "****1234"}
                 -> 402 {status: declined, reason, error}
                 -> 400 {error} when the request is malformed
Rules, in this order:
  - amount must be a finite number > 0, card a string of 12 to 19 digits (spaces and dashes
    are ignored), else 400;
  - a card number ending in 0000 is declined ("card declined by the issuer");
  - an amount over 10000 is declined ("amount over the limit of 10000");
  - everything else is accepted, with a new transaction id.
Anything else: 404 {error}.

Environment: BIND, the listen address (default 127.0.0.1; 0.0.0.0 in a container).
usage: payment.py PORT
"""
import json, math, os, re, signal, sys, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LIMIT = 10000


def pay(body):
    amount, card = body.get("amount"), body.get("card")
    if type(amount) not in (int, float) or not math.isfinite(amount) or amount <= 0:
        return 400, {"error": "amount must be a number above 0"}
    digits = re.sub(r"[ -]", "", card) if isinstance(card, str) else ""
    if not re.fullmatch(r"[0-9]{12,19}", digits):
        return 400, {"error": "card must be a card number of 12 to 19 digits"}
    reason = None
    if digits.endswith("0000"):
        reason = "card declined by the issuer"
    elif amount > LIMIT:
        reason = f"amount over the limit of {LIMIT}"
    if reason:
        return 402, {"status": "declined", "reason": reason, "error": "payment declined: " + reason}
    return 200, {"status": "accepted", "transaction": uuid.uuid4().hex, "amount": amount,
                 "card": "****" + digits[-4:]}


def route(method, path, body):
    if method == "GET" and path == "/health":
        return 200, {"status": "ok"}
    if method == "POST" and path == "/pay":
        return pay(body) if body is not None else (400, {"error": "body is not a JSON object"})
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
                                    body if isinstance(body, dict) else None)
        except Exception as err:
            status, payload = 500, {"error": f"internal error: {err!r}"}
        self.reply(status, payload)

    do_GET = do_POST = do_DELETE = serve


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: payment.py PORT")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # PID 1 in a container ignores it otherwise
    server = ThreadingHTTPServer((os.environ.get("BIND", "127.0.0.1"), int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()
