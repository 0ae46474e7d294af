#!/usr/bin/env python3
"""order: the ACME Fitness orders, kept in memory; each one is paid through the payment service.

API (JSON; USER is a user name):
  GET  /health       {status: ok}
  POST /order/USER   {items: [{itemid, quantity, price, name?}], card}
                     -> 201 {order}   payment accepted: the order is "paid"
                     -> 402 {error, reason, order}   payment declined: the order is "declined"
                     -> 400 {error}   no items, a bad item, or a card payment rejects as malformed
  GET  /order/USER   {user, orders: [order, ...]}, oldest first
An order is {id, user, items, total, card, status: paid|declined, transaction?, reason?, created},
total being the sum of price * quantity. Anything else: 404 {error}.

PAYMENT_URL is the payment service (e.g. http://payment), called as POST /pay {amount, card}.
Unset, orders answer 503 {error}; unreachable or silent for UPSTREAM_TIMEOUT seconds (default 2),
or answering anything unexpected, 502 {error}.

Environment: BIND, the listen address (default 127.0.0.1; 0.0.0.0 in a container).
usage: order.py PORT
"""
import json, math, os, re, signal, sys, threading, time, uuid
import urllib.error, urllib.request
from http.client import HTTPException
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

PAYMENT_URL = os.environ.get("PAYMENT_URL", "").rstrip("/")
TIMEOUT = float(os.environ.get("UPSTREAM_TIMEOUT", "2"))
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no HTTP proxy in between
ORDERS = {}  # user -> [order]
LOCK = threading.Lock()


def pay(amount, card):
    """(status, JSON object) of the payment service's answer, or (502|503, {error})."""
    if not PAYMENT_URL:
        return 503, {"error": "payment is not configured (PAYMENT_URL is unset)"}
    request = urllib.request.Request(PAYMENT_URL + "/pay", json.dumps({"amount": amount, "card": card}).encode(),
                                     {"Content-Type": "application/json"}, method="POST")
    try:
        try:
            with OPENER.open(request, timeout=TIMEOUT) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as err:
            with err:
                status, raw = err.code, err.read()
        body = json.loads(raw)
        if isinstance(body, dict) and status in (200, 400, 402):
            return status, body
        return 502, {"error": f"payment answered {status}: {body.get('error') if isinstance(body, dict) else body}"}
    except (OSError, HTTPException, ValueError) as err:
        return 502, {"error": f"payment unavailable: {err}"}


def valid(entry):
    if not isinstance(entry, dict) or not isinstance(entry.get("itemid"), str) or not entry["itemid"]:
        return False
    quantity, price = entry.get("quantity"), entry.get("price")
    return (type(quantity) is int and quantity >= 1 and type(price) in (int, float)
            and math.isfinite(price) and price >= 0)


def place(user, body):
    items, card = body.get("items"), body.get("card")
    if not isinstance(items, list) or not items or not all(map(valid, items)):
        return 400, {"error": "items is a non-empty list of {itemid, quantity >= 1, price >= 0}"}
    if not isinstance(card, str) or not card:
        return 400, {"error": "card is missing"}
    total = round(sum(i["price"] * i["quantity"] for i in items), 2)
    status, reply = pay(total, card)
    if status not in (200, 402):
        return status, reply
    order = {"id": uuid.uuid4().hex[:12], "user": user, "total": total, "card": "****" + card[-4:],
             "items": [{k: i[k] for k in ("itemid", "name", "quantity", "price") if k in i} for i in items],
             "status": "paid" if status == 200 else "declined", "created": int(time.time())}
    if status == 200:
        order["transaction"] = reply.get("transaction")
    else:
        order["reason"] = reply.get("reason", "declined")
    with LOCK:
        ORDERS.setdefault(user, []).append(order)
    if status == 200:
        return 201, order
    return 402, {"error": "payment declined: " + order["reason"], "reason": order["reason"], "order": order}


def route(method, path, body):
    if method == "GET" and path == "/health":
        return 200, {"status": "ok"}
    match = re.fullmatch(r"/order/([^/]+)", path)
    if not match or method not in ("GET", "POST"):
        return 404, {"error": "not found"}
    user = unquote(match[1])
    if method == "GET":
        with LOCK:
            return 200, {"user": user, "orders": list(ORDERS.get(user, []))}
    return place(user, body) if body is not None else (400, {"error": "body is not a JSON object"})


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
        sys.exit("usage: order.py PORT")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # PID 1 in a container ignores it otherwise
    server = ThreadingHTTPServer((os.environ.get("BIND", "127.0.0.1"), int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()
