#!/usr/bin/env python3
"""front_end: the ACME Fitness shop's API gateway and its web page.

API (JSON except /; USER is a user name; TOKEN is the access_token of POST /login):
  GET  /                 HTML page: the product list
  GET  /health           {status: ok}
  POST /login            {username, password} -> {access_token}
  GET  /products         {data: [{id, name, price, ...}]}
  GET  /cart/USER        {user, items: [{itemid, quantity}]}         Authorization: Bearer TOKEN
  POST /cart/item/USER   {itemid, quantity} -> 201                    Authorization: Bearer TOKEN
  POST /order/USER       {card} -> 201 {order} (the cart is emptied), 402 declined  (bearer too)
  GET  /order/USER       {orders: [...]}                              Authorization: Bearer TOKEN
A token that is not USER's gives 403; a body that is not a JSON object, 400.

The services behind it: CATALOG_URL, CART_URL, ORDER_URL, USER_URL (e.g. http://catalog).
Unset, catalog, cart and user are replaced by in-process state (products, tokens and carts in
memory), so with none set front_end runs alone, as it always did; the /order endpoints then
answer 503, since ordering needs the order service (which calls payment). A dependency that is
unreachable or silent for UPSTREAM_TIMEOUT seconds (default 2) gives 502 {error}.

Environment: BIND, the listen address (default 127.0.0.1; 0.0.0.0 in a container).
INJECT=cpu (fault injection, read at start): every request but /health burns ~50 ms of CPU.
usage: server.py PORT
"""
import hashlib, html, json, os, re, signal, sys, time
import urllib.error, urllib.request
from http.client import HTTPException
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit

PRODUCTS = [{"id": f"sku-{i}", "name": f"Product {i}", "price": 10 + i} for i in range(1, 25)]
TOKENS = {}
CARTS = {}
URLS = {s: os.environ.get(s.upper() + "_URL", "").rstrip("/") for s in ("catalog", "cart", "order", "user")}
TIMEOUT = float(os.environ.get("UPSTREAM_TIMEOUT", "2"))
INJECT = os.environ.get("INJECT", "")
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no HTTP proxy in between


class Upstream(Exception):
    """A dependency that is not configured (503) or does not answer properly (502)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def json_object(raw):
    value = json.loads(raw or b"{}")
    if not isinstance(value, dict):
        raise ValueError("the reply is not a JSON object")
    return value


def call(service, method, path, body=None, token=None):
    """(status, JSON object) of SERVICE's answer; raises Upstream when there is none."""
    if not URLS[service]:
        raise Upstream(503, f"{service} is not configured ({service.upper()}_URL is unset)")
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(URLS[service] + path, data, headers, method=method)
    try:
        try:
            with OPENER.open(request, timeout=TIMEOUT) as response:
                return response.status, json_object(response.read())
        except urllib.error.HTTPError as err:
            with err:
                return err.code, json_object(err.read())
    except (OSError, HTTPException, ValueError) as err:
        raise Upstream(502, f"{service} unavailable: {err}") from None


def products():
    if not URLS["catalog"]:
        return PRODUCTS
    status, body = call("catalog", "GET", "/products")
    if status != 200 or not isinstance(body.get("data"), list):
        raise Upstream(502, f"catalog answered {status} to GET /products")
    return body["data"]


def login(body):
    if URLS["user"]:
        return call("user", "POST", "/login", body)
    user = body.get("username", "")
    if not user or not body.get("password"):
        return 401, {"error": "bad credentials"}
    token = hashlib.sha256(f"{user}:{body['password']}".encode()).hexdigest()
    TOKENS[token] = user
    return 200, {"access_token": token}


def owner(headers):
    """The user name the request's bearer token belongs to, or None."""
    token = headers.get("Authorization", "").removeprefix("Bearer ")
    if not URLS["user"]:
        return TOKENS.get(token)
    status, body = call("user", "GET", "/verify", token=token)
    if status >= 500:
        raise Upstream(502, f"user answered {status} to GET /verify")
    return body.get("username") if status == 200 else None


def cart(user):
    if not URLS["cart"]:
        return CARTS.get(user, [])
    status, body = call("cart", "GET", "/cart/" + quote(user, safe=""))
    if status != 200:
        raise Upstream(502, f"cart answered {status} to GET /cart")
    return body.get("items", [])


def add_item(user, item):
    if URLS["cart"]:
        return call("cart", "POST", "/cart/item/" + quote(user, safe=""), item)
    CARTS.setdefault(user, []).append(item)
    return 201, {"items": len(CARTS[user])}


def place_order(user, body):
    if not URLS["order"]:
        raise Upstream(503, "ordering needs the order service (ORDER_URL is unset)")
    items = cart(user)
    if not items:
        return 400, {"error": "the cart is empty"}
    catalog = {p.get("id"): p for p in products()}
    lines = []
    for item in items:
        product, quantity = catalog.get(item.get("itemid")), item.get("quantity", 1)
        if product is None or type(quantity) is not int or quantity < 1:
            return 400, {"error": f"cannot order the cart's item {json.dumps(item)}"}
        lines.append({"itemid": product["id"], "name": product.get("name"),
                      "price": product.get("price"), "quantity": quantity})
    status, reply = call("order", "POST", "/order/" + quote(user, safe=""),
                         {"items": lines, "card": body.get("card")})
    if status == 201:
        try:
            if URLS["cart"]:
                call("cart", "DELETE", "/cart/" + quote(user, safe=""))
            CARTS.pop(user, None)
        except Upstream as err:
            reply["warning"] = f"the order stands but the cart was not emptied: {err}"
    return status, reply


def page():
    cell = lambda value: "<td>" + html.escape(str(value)) + "</td>"
    rows = "\n".join(f"<tr>{cell(p.get('id'))}{cell(p.get('name'))}{cell(p.get('price'))}</tr>"
                     for p in products())
    return ("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>ACME Fitness</title>"
            "</head>\n<body><h1>ACME Fitness</h1>\n<table>\n<tr><th>Item</th><th>Product</th>"
            f"<th>Price</th></tr>\n{rows}\n</table></body></html>\n")


def burn(seconds):
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def route(method, path, body, headers):
    if method == "GET" and path == "/health":
        return 200, {"status": "ok"}
    if INJECT == "cpu":
        burn(0.05)
    if method == "POST" and body is None:
        return 400, {"error": "body is not a JSON object"}
    if method == "GET" and path == "/":
        return 200, page()
    if method == "GET" and path == "/products":
        return 200, {"data": products()}
    if method == "POST" and path == "/login":
        return login(body)
    match = re.fullmatch(r"/(cart/item|cart|order)/([^/]+)", path)
    if not match or (method, match[1]) not in {("POST", "cart/item"), ("GET", "cart"),
                                                ("POST", "order"), ("GET", "order")}:
        return 404, {"error": "not found"}
    user = unquote(match[2])
    if owner(headers) != user:
        return 403, {"error": "token does not belong to " + user}
    if match[1] == "cart/item":
        return add_item(user, body)
    if match[1] == "cart":
        return 200, {"user": user, "items": cart(user)}
    if method == "POST":
        return place_order(user, body)
    return call("order", "GET", "/order/" + quote(user, safe=""))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    timeout = 120  # an idle connection is closed after this

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        self.close_connection = True
        self.reply(code, {"error": message or "bad request"})

    def reply(self, status, body):
        html_page = isinstance(body, str)
        data = body.encode() if html_page else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8" if html_page else "application/json")
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
        except Upstream as err:
            status, payload = err.status, {"error": str(err)}
        except Exception as err:  # one bad request must not take the connection down unanswered
            status, payload = 500, {"error": f"internal error: {err!r}"}
        self.reply(status, payload)

    do_GET = do_POST = do_DELETE = serve


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: server.py PORT")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # PID 1 in a container ignores it otherwise
    server = ThreadingHTTPServer((os.environ.get("BIND", "127.0.0.1"), int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()
