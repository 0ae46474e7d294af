#!/usr/bin/env python3
"""catalog: the ACME Fitness product catalogue, kept in SQLite.

API (JSON):
  GET /health        {status: ok}
  GET /products      {data: [{id, name, description, price, stock}]}, in catalogue order
  GET /products/ID   {data: {id, name, description, price, stock}}, or 404 {error}
Anything else: 404 {error}.

The products (sku-1 .. sku-24) live in an in-memory SQLite database (python's sqlite3), created
and seeded at start, so the service needs no writable disk (the manifests mount / read-only).

Environment: BIND, the listen address (default 127.0.0.1; 0.0.0.0 in a container).
INJECT=latency (fault injection, read at start): every request but /health sleeps 300 ms.
usage: catalog.py PORT
"""
import itertools, json, os, re, signal, sqlite3, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

INJECT = os.environ.get("INJECT", "")
KINDS = [("Yoga mat", "Non-slip, 6 mm", 24.99), ("Water bottle", "Insulated, 750 ml", 12.5),
         ("Running shoes", "Light trail runners", 89.0), ("Dumbbell set", "2 x 5 kg", 45.0),
         ("Fitness tracker", "Heart rate and steps", 129.99), ("Resistance band", "Medium", 9.99),
         ("Gym bag", "40 l duffel", 34.95), ("Jump rope", "Adjustable steel cable", 14.0)]
COLOURS = ["black", "blue", "red"]
COLUMNS = "id, name, description, price, stock"

DB = sqlite3.connect(":memory:", check_same_thread=False)
DB.row_factory = sqlite3.Row
DB_LOCK = threading.Lock()  # one connection, shared by the request threads


def seed():
    DB.execute("CREATE TABLE products (id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT,"
               " price REAL NOT NULL, stock INTEGER NOT NULL)")
    rows = [(f"sku-{n}", f"{kind} ({colour})", text, round(price + step, 2), 5 + (n * 7) % 40)
            for n, ((kind, text, price), (step, colour)) in
            enumerate(itertools.product(KINDS, enumerate(COLOURS)), 1)]
    DB.executemany("INSERT INTO products VALUES (?, ?, ?, ?, ?)", rows)
    DB.commit()


def query(sql, args=()):
    with DB_LOCK:
        return [dict(row) for row in DB.execute(sql, args).fetchall()]


def route(method, path):
    if method == "GET" and path == "/health":
        return 200, {"status": "ok"}
    if INJECT == "latency":
        time.sleep(0.3)
    if method == "GET" and path == "/products":
        return 200, {"data": query(f"SELECT {COLUMNS} FROM products ORDER BY rowid")}
    match = re.fullmatch(r"/products/([^/]+)", path)
    if method == "GET" and match:
        rows = query(f"SELECT {COLUMNS} FROM products WHERE id = ?", (unquote(match[1]),))
        return (200, {"data": rows[0]}) if rows else (404, {"error": "no product " + unquote(match[1])})
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
        self.rfile.read(length)  # no endpoint takes a body; read it to keep the connection in step
        try:
            status, payload = route(self.command, urlsplit(self.path).path)
        except Exception as err:
            status, payload = 500, {"error": f"internal error: {err!r}"}
        self.reply(status, payload)

    do_GET = do_POST = do_DELETE = serve


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: catalog.py PORT")
    seed()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # PID 1 in a container ignores it otherwise
    server = ThreadingHTTPServer((os.environ.get("BIND", "127.0.0.1"), int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()
