#!/usr/bin/env python3
"""front_end: the shop's API gateway, as far as the load test sees it.

POST /login {username, password} -> {access_token}; GET /products -> {data: [...]};
POST /cart/item/USER with a bearer token -> 201; GET /health. HTTP/1.1 keep-alive.
usage: server.py PORT
"""
import hashlib, json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PRODUCTS = [{"id": f"sku-{i}", "name": f"Product {i}", "price": 10 + i} for i in range(1, 25)]
TOKENS = {}
CARTS = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            return json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return None

    def do_GET(self):
        if self.path == "/health":
            self.reply(200, {"status": "ok"})
        elif self.path == "/products":
            self.reply(200, {"data": PRODUCTS})
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):
        body = self.body()
        if body is None:
            return self.reply(400, {"error": "body is not JSON"})
        if self.path == "/login":
            user = body.get("username", "")
            if not user or not body.get("password"):
                return self.reply(401, {"error": "bad credentials"})
            token = hashlib.sha256(f"{user}:{body['password']}".encode()).hexdigest()
            TOKENS[token] = user
            return self.reply(200, {"access_token": token})
        if self.path.startswith("/cart/item/"):
            user = self.path[len("/cart/item/"):]
            auth = self.headers.get("Authorization", "")
            if TOKENS.get(auth.removeprefix("Bearer ")) != user:
                return self.reply(403, {"error": "token does not belong to " + user})
            CARTS.setdefault(user, []).append(body)
            return self.reply(201, {"items": len(CARTS[user])})
        self.reply(404, {"error": "not found"})


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()
