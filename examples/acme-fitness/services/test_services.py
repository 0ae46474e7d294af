#!/usr/bin/env python3
"""The six acme-fitness services run as local processes and driven through the shop's journeys.

Starts catalog, cart, payment, user, order (PAYMENT_URL) and front_end (CATALOG_URL, CART_URL,
ORDER_URL, USER_URL) on free 127.0.0.1 ports, waits for each /health, then checks: login,
browsing, the cart, an accepted and a declined order, the HTML page, front_end alone without
the URL variables, dependencies that are down or silent (502/503 JSON, promptly), and the fault
injection (INJECT=latency on catalog, INJECT=cpu on front_end). Every process it starts is
stopped by its PID, also when a test fails.

usage (from examples/acme-fitness): python3 services/test_services.py [-v]
                                or: python3 -m unittest discover -s services -p 'test_*.py'
"""
import hashlib, http.client, json, os, signal, socket, subprocess, sys, tempfile, time, unittest, uuid

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = {"catalog": "catalog", "cart": "cart", "payment": "payment", "user": "user",
            "order": "order", "front_end": "server"}
URL_VARIABLES = ("CATALOG_URL", "CART_URL", "ORDER_URL", "USER_URL", "PAYMENT_URL", "INJECT")
GOOD_CARD, DECLINED_CARD = "4111 1111 1111 1111", "4111111111110000"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, token=None, timeout=10):
    """(status, parsed JSON or text, Content-Type) of one request to 127.0.0.1:PORT."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, data, headers)
        response = conn.getresponse()
        raw, ctype = response.read(), response.getheader("Content-Type", "")
        return response.status, json.loads(raw) if ctype.startswith("application/json") else raw.decode(), ctype
    finally:
        conn.close()


class Service:
    """One service as a local process on a free port; stop() ends it by its PID."""

    def __init__(self, name, **env):
        self.name, self.port = name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        environment = {k: v for k, v in os.environ.items() if k not in URL_VARIABLES}
        environment.update(env, PYTHONDONTWRITEBYTECODE="1", TOKEN_SECRET="test-secret")
        script = os.path.join(HERE, name, "app", PROGRAMS[name] + ".py")
        self.process = subprocess.Popen([sys.executable, script, str(self.port)], env=environment,
                                        stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)

    def wait_healthy(self, deadline=10.0):
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if self.process.poll() is not None:
                break
            try:
                if request(self.port, "GET", "/health", timeout=1)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        self.log.seek(0)
        raise AssertionError(f"{self.name} did not become healthy; its output:\n{self.log.read().decode()}")

    def stop(self):
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


class Shop(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.svc = {}
        for name in ("catalog", "cart", "payment", "user"):
            cls.svc[name] = cls.start(name, cleanup=cls.addClassCleanup)
        cls.svc["order"] = cls.start("order", cls.addClassCleanup, PAYMENT_URL=cls.svc["payment"].url)
        urls = {n.upper() + "_URL": cls.svc[n].url for n in ("catalog", "cart", "order", "user")}
        cls.svc["front_end"] = cls.start("front_end", cls.addClassCleanup, **urls)
        cls.front = cls.svc["front_end"].port

    @staticmethod
    def start(name, cleanup, **env):
        service = Service(name, **env)
        cleanup(service.stop)  # registered before waiting, so a service that fails is stopped too
        return service.wait_healthy()

    def login(self, port=None):
        user = "shopper-" + uuid.uuid4().hex[:8]
        status, body, _ = request(port or self.front, "POST", "/login", {"username": user, "password": "secret"})
        self.assertEqual(status, 200, body)
        return user, body["access_token"]

    def test_every_service_is_healthy(self):
        for name, service in self.svc.items():
            self.assertEqual(request(service.port, "GET", "/health")[:2], (200, {"status": "ok"}), name)

    def test_login_and_browse(self):
        user, token = self.login()
        self.assertEqual(request(self.svc["user"].port, "GET", "/verify", token=token)[:2],
                         (200, {"username": user}))
        self.assertEqual(request(self.svc["user"].port, "GET", "/verify", token=token + "x")[0], 401)
        self.assertEqual(request(self.front, "POST", "/login", {"username": user})[0], 401)
        status, body, _ = request(self.front, "GET", "/products")
        self.assertEqual(status, 200)
        self.assertEqual(body, request(self.svc["catalog"].port, "GET", "/products")[1])  # from catalog
        self.assertEqual(body["data"][0]["id"], "sku-1")
        self.assertEqual(len(body["data"]), 24)
        self.assertEqual(request(self.svc["catalog"].port, "GET", "/products/sku-3")[1]["data"],
                         body["data"][2])
        self.assertEqual(request(self.svc["catalog"].port, "GET", "/products/sku-99")[0], 404)

    def test_cart_and_an_accepted_order(self):
        user, token = self.login()
        for item in ({"itemid": "sku-1", "quantity": 1}, {"itemid": "sku-1", "quantity": 1}, {"itemid": "sku-3"}):
            self.assertIn(request(self.front, "POST", f"/cart/item/{user}", item, token)[0], (200, 201))
        cart = request(self.svc["cart"].port, "GET", f"/cart/{user}")[1]
        self.assertEqual(cart["items"], [{"itemid": "sku-1", "quantity": 2}, {"itemid": "sku-3", "quantity": 1}])
        self.assertEqual(request(self.front, "GET", f"/cart/{user}", token=token)[1]["items"], cart["items"])
        other, other_token = self.login()
        self.assertEqual(request(self.front, "POST", f"/cart/item/{user}", {"itemid": "sku-2"}, other_token)[0], 403)
        self.assertEqual(request(self.front, "POST", f"/cart/item/{user}", {"itemid": ""}, token)[0], 400)

        status, order, _ = request(self.front, "POST", f"/order/{user}", {"card": GOOD_CARD}, token)
        self.assertEqual(status, 201, order)
        prices = {p["id"]: p["price"] for p in request(self.front, "GET", "/products")[1]["data"]}
        self.assertEqual(order["status"], "paid")
        self.assertAlmostEqual(order["total"], 2 * prices["sku-1"] + prices["sku-3"])
        self.assertTrue(order["transaction"])
        self.assertEqual(order["card"], "****1111")
        self.assertEqual(request(self.svc["cart"].port, "GET", f"/cart/{user}")[1]["items"], [])  # emptied
        orders = request(self.front, "GET", f"/order/{user}", token=token)[1]["orders"]
        self.assertEqual([o["id"] for o in orders], [order["id"]])
        self.assertEqual(request(self.front, "POST", f"/order/{user}", {"card": GOOD_CARD}, token)[0], 400)  # empty

    def test_declined_card_and_payment_rules(self):
        user, token = self.login()
        request(self.front, "POST", f"/cart/item/{user}", {"itemid": "sku-5", "quantity": 2}, token)
        status, body, ctype = request(self.front, "POST", f"/order/{user}", {"card": DECLINED_CARD}, token)
        self.assertEqual((status, ctype), (402, "application/json"), body)
        self.assertEqual(body["order"]["status"], "declined")
        self.assertIn("declined", body["error"])
        self.assertEqual(len(request(self.svc["cart"].port, "GET", f"/cart/{user}")[1]["items"]), 1)  # kept
        pay = lambda amount, card: request(self.svc["payment"].port, "POST", "/pay", {"amount": amount, "card": card})
        self.assertEqual(pay(10000, GOOD_CARD)[1]["status"], "accepted")
        self.assertEqual(pay(10000.01, GOOD_CARD)[0], 402)
        self.assertIn("limit", pay(20000, GOOD_CARD)[1]["reason"])
        self.assertEqual(pay(-1, GOOD_CARD)[0], 400)
        self.assertEqual(pay(5, "1234")[0], 400)

    def test_html_page(self):
        status, page, ctype = request(self.front, "GET", "/")
        self.assertEqual(status, 200)
        self.assertTrue(ctype.startswith("text/html"), ctype)
        first = request(self.svc["catalog"].port, "GET", "/products")[1]["data"][0]["name"]
        self.assertIn("<table>", page)
        self.assertIn(first, page)

    def test_errors_are_json(self):
        for port, method, path, body in ((self.front, "GET", "/nowhere", None),
                                         (self.front, "POST", "/login", b"{not json"),
                                         (self.svc["cart"].port, "PUT", "/cart/x", None),
                                         (self.svc["order"].port, "POST", "/order/x", {"items": []})):
            status, reply, ctype = request(port, method, path, body)
            self.assertIn(status, (400, 404, 501), (method, path))
            self.assertEqual(ctype, "application/json", (method, path))
            self.assertIn("error", reply)

    def test_keep_alive(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.front, timeout=5)
        self.addCleanup(conn.close)
        sockets = []
        for _ in range(3):
            conn.request("GET", "/products")
            response = conn.getresponse()
            self.assertEqual(response.status, 200)
            response.read()
            sockets.append(conn.sock)
        self.assertIsNotNone(sockets[0])
        self.assertTrue(all(s is sockets[0] for s in sockets))  # one connection served every request

    def test_front_end_alone_keeps_the_old_behaviour(self):
        alone = self.start("front_end", self.addCleanup).port
        status, body, _ = request(alone, "POST", "/login", {"username": "alice", "password": "secret"})
        self.assertEqual((status, body), (200, {"access_token": hashlib.sha256(b"alice:secret").hexdigest()}))
        token = body["access_token"]
        self.assertEqual(request(alone, "GET", "/products")[1]["data"][0],
                         {"id": "sku-1", "name": "Product 1", "price": 11})
        self.assertEqual(request(alone, "POST", "/cart/item/alice", {"itemid": "sku-1", "quantity": 1}, token)[:2],
                         (201, {"items": 1}))
        self.assertEqual(request(alone, "POST", "/cart/item/alice", {"itemid": "sku-2"}, token)[1], {"items": 2})
        self.assertEqual(request(alone, "POST", "/cart/item/bob", {"itemid": "sku-1"}, token)[0], 403)
        self.assertIn("Product 1", request(alone, "GET", "/")[1])
        status, body, _ = request(alone, "POST", "/order/alice", {"card": GOOD_CARD}, token)
        self.assertEqual(status, 503)
        self.assertIn("ORDER_URL", body["error"])

    def test_a_dependency_down_answers_502_or_503_promptly(self):
        silent = socket.socket()  # accepts connections (the backlog) and never answers
        self.addCleanup(silent.close)
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there
        front = self.start("front_end", self.addCleanup, UPSTREAM_TIMEOUT="1", CATALOG_URL=nobody,
                           USER_URL=f"http://127.0.0.1:{silent.getsockname()[1]}").port
        order = self.start("order", self.addCleanup, PAYMENT_URL=nobody).port
        lonely = self.start("order", self.addCleanup).port
        item = {"items": [{"itemid": "sku-1", "quantity": 1, "price": 11}], "card": GOOD_CARD}
        for port, method, path, body, expected, limit in (
                (front, "GET", "/products", None, 502, 1.0), (front, "GET", "/", None, 502, 1.0),
                (front, "POST", "/login", {"username": "a", "password": "b"}, 502, 3.0),
                (order, "POST", "/order/alice", item, 502, 1.0), (lonely, "POST", "/order/alice", item, 503, 1.0)):
            start = time.monotonic()
            status, reply, ctype = request(port, method, path, body)
            elapsed = time.monotonic() - start
            self.assertEqual((status, ctype), (expected, "application/json"), (path, reply))
            self.assertIn("error", reply)
            self.assertLess(elapsed, limit, path)
        # A dependency stopped under a running shop: cart goes away, front_end reports it.
        cart = self.start("cart", self.addCleanup)
        shop = self.start("front_end", self.addCleanup, CART_URL=cart.url).port
        token = request(shop, "POST", "/login", {"username": "carol", "password": "x"})[1]["access_token"]
        cart.stop()
        status, reply, _ = request(shop, "POST", "/cart/item/carol", {"itemid": "sku-1"}, token)
        self.assertEqual(status, 502, reply)
        self.assertIn("cart unavailable", reply["error"])

    def test_inject_latency_slows_catalog(self):
        slow = self.start("catalog", self.addCleanup, INJECT="latency").port
        for port, slower in ((slow, True), (self.svc["catalog"].port, False)):
            start = time.monotonic()
            self.assertEqual(request(port, "GET", "/products")[0], 200)
            elapsed = time.monotonic() - start
            self.assertGreaterEqual(elapsed, 0.25) if slower else self.assertLess(elapsed, 0.25)

    @unittest.skipUnless(os.path.exists("/proc/self/stat"), "needs /proc")
    def test_inject_cpu_burns_cpu_in_front_end(self):
        busy = self.start("front_end", self.addCleanup, INJECT="cpu")

        def cpu_seconds():
            with open(f"/proc/{busy.process.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        before = cpu_seconds()
        for _ in range(20):
            self.assertEqual(request(busy.port, "GET", "/products")[0], 200)
        self.assertGreaterEqual(cpu_seconds() - before, 0.8)  # 20 requests x ~50 ms


if __name__ == "__main__":
    unittest.main()
