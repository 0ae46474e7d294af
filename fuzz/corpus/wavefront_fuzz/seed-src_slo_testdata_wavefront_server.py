#!/usr/bin/env python3
"""A stand-in for the Wavefront chart API (GET /api/v2/chart/api) answering in its format.

Usage: wavefront_server.py PORT TOKEN LOGFILE
Every request is logged as one JSON line. ts(cpu.usage.percent, ...) answers two series (one per
source) with a point every 60 s from 2 minutes before the window to 2 minutes after it, as the
API does without strict=true; values: host a 40, host b 50.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

PORT, TOKEN, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        with open(LOG, "a") as log:
            log.write(json.dumps({"path": url.path, "params": params,
                                  "auth": self.headers.get("Authorization", "")}) + "\n")
        if url.path != "/api/v2/chart/api":
            return self.answer(404, "not found", "text/plain")
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            return self.answer(401, json.dumps({"message": "Unauthorized"}))
        query = params.get("q", "")
        if query.startswith("bad"):
            return self.answer(400, "<html>Bad query</html>", "text/html")
        start, end = int(params["s"]) // 1000, int(params["e"]) // 1000
        series = []
        if query.startswith("ts(cpu.usage.percent"):
            for host, value in (("a", 40.0), ("b", 50.0)):
                points = [[t, value] for t in range(start - 120, end + 120, 60)]
                series.append({"label": "cpu.usage.percent", "host": host,
                               "tags": {"service": "front_end"}, "data": points})
        self.answer(200, json.dumps({"name": params.get("n", query), "query": query,
                                     "granularity": 60, "timeseries": series,
                                     "stats": {"points": 0}}))


HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
