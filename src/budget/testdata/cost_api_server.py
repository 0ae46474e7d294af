#!/usr/bin/env python3
"""A stand-in for the CloudHealth and OpenCost APIs in tollgate's budget tests.

Serves the recorded responses in this directory the way the real APIs answer:
  /olap_reports/cost/history   cloudhealth_cost_history.json, only with "Bearer test-key" or
                               the query parameter api_key=test-key (a 401 echoes the request,
                               as some gateways do, so tests can check the key is masked)
  /olap_reports/custom/by-account  cloudhealth_cost_by_account.json (three dimensions), same key
  /allocation                  opencost_allocation.json
  /status/<code>               that HTTP status with a JSON error body
  /slow                        answers after 10 s (for timeouts)
  /not-json                    an HTML page with status 200
  /deep                        a report whose first cell is nested 1,000,000 levels deep
  /opencost-error              OpenCost's own error envelope: {"code": 500, ...}
Usage: cost_api_server.py PORT
"""
import http.server
import json
import os
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))


class Handler(http.server.BaseHTTPRequestHandler):
    def send(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        reports = {"/olap_reports/cost/history": "cloudhealth_cost_history.json",
                   "/olap_reports/custom/by-account": "cloudhealth_cost_by_account.json"}
        if path in reports:
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            if (self.headers.get("Authorization") != "Bearer test-key"
                    and query.get("api_key") != ["test-key"]):
                return self.send(401, json.dumps({"error": "Unauthorized: bad API key",
                                                  "request": self.path,
                                                  "authorization": self.headers.get("Authorization")}))
            with open(os.path.join(HERE, reports[path])) as f:
                return self.send(200, f.read())
        if path == "/allocation":
            with open(os.path.join(HERE, "opencost_allocation.json")) as f:
                return self.send(200, f.read())
        if path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            return self.send(code, json.dumps({"error": "recorded failure %d" % code}))
        if path == "/slow":
            time.sleep(10)
            return self.send(200, "{}")
        if path == "/not-json":
            return self.send(200, "<html><body>login</body></html>", "text/html")
        if path == "/deep":
            return self.send(200, '{"data":[' + "[" * 1000000 + "]" * 1000000 + "]}")
        if path == "/opencost-error":
            return self.send(200, json.dumps({"code": 500, "message": "bad window"}))
        return self.send(404, json.dumps({"error": "no such path " + path}))

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.requestline, fmt % args))


if __name__ == "__main__":
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()
