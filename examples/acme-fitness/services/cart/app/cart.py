#!/usr/bin/env python3
"""cart: the ACME Fitness shopping carts, one per user, kept in memory.

API (JSON; USER is a user name; every answer but /health is the cart {user, items, count},
items being [{itemid, quantity}] and count the sum of the quantities):
  GET    /health           {status: ok}
  GET    /cart/USER        the cart (empty if the user has none)
  POST   /cart/USER        {items: [{itemid, quantity}]} replaces the cart
  POST   /cart/item/USER   {itemid, quantity (default 1)} adds to the cart -> 201
  DELETE /cart/USER        empties the cart
An item needs a non-empty string itemid and a whole quantity >= 1, else 400 {error};
adding an item already in the cart adds to its quantity. Anything else: 404 {error}.

Environment: BIND, the listen address (default 127.0.0.1; 0.0.0.0 in a container).
usage: cart.py PORT
"""
import json, os, re, signal, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

CARTS = {}  # user -> {itemid: quantity}, in the order the items were added
LOCK = threading.Lock()


def item(entry):
    """(itemid, quantity) of a valid cart item, else None."""
    if not isinstance(entry, dict):
        return None
    itemid, quantity = entry.get("itemid"), entry.get("quantity", 1)
    if not isinstance(itemid, str) or not itemid or type(quantity) is not int or quantity < 1:
        return None
    return itemid, quantity


def view(user):
    items = CARTS.get(user, {})
    return {"user": user, "items": [{"itemid": i, "quantity": q} for i, q in items.items()],
            "count": sum(items.values())}


def route(method, path, body):
    if method == "GET" and path == "/health":
        return 200, {"status": "ok"}
    match = re.fullmatch(r"/cart(/item)?/([^/]+)", path)
    if not match:
        return 404, {"error": "not found"}
    user, add = unquote(match[2]), bool(match[1])
    if (add and method != "POST") or method not in ("GET", "POST", "DELETE"):
        return 404, {"error": "not found"}
    if method == "POST" and body is None:
        return 400, {"error": "body is not a JSON object"}
    with LOCK:
        if method == "GET":
            return 200, view(user)
        if method == "DELETE":
            CARTS.pop(user, None)
            return 200, view(user)
        if add:
            entry = item(body)
            if entry is None:
                return 400, {"error": "an item is {itemid: non-empty string, quantity: integer >= 1}"}
            items = CARTS.setdefault(user, {})
            items[entry[0]] = items.get(entry[0], 0) + entry[1]
            return 201, view(user)
        given = body.get("items", [])
        entries = [item(e) for e in given] if isinstance(given, list) else [None]
        if None in entries:
            return 400, {"error": "items is a list of {itemid: non-empty string, quantity: integer >= 1}"}
        CARTS[user] = {}
        for itemid, quantity in entries:
            CARTS[user][itemid] = CARTS[user].get(itemid, 0) + quantity
        return 200, view(user)


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
        sys.exit("usage: cart.py PORT")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # PID 1 in a container ignores it otherwise
    server = ThreadingHTTPServer((os.environ.get("BIND", "127.0.0.1"), int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()
