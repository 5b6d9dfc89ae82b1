#!/usr/bin/python3
# Stand-in for the REST interface of a Jitsi Java service in the boot rehearsal (the real
# services need OpenJDK and Jitsi's packages, which the rehearsal does not install). It answers
# what jitsi-eu's boot and drain scripts ask: health, statistics and, for the videobridge, the
# graceful shutdown, after which it exits once its (stand-in) participants are gone, and the
# drain mode (upstream's /colibri/drain: enable and disable answer 200 with no body, GET the
# state as compact JSON; reported in the statistics too; off again after a restart).
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICE, PORT = sys.argv[1], int(sys.argv[2])
# Participants reported by the statistics while a drain is under way; the drain ends when the
# last one has gone, after DRAIN_SECONDS.
PARTICIPANTS = int(os.environ.get("STANDIN_PARTICIPANTS", "2"))
DRAIN_SECONDS = float(os.environ.get("STANDIN_DRAIN_SECONDS", "5"))
state = {"shutting_down": False, "drain": False}


class Handler(BaseHTTPRequestHandler):
    def reply(self, code, body, compact=False):
        # json-simple (the drain state) prints no spaces; Jackson (the statistics) one after each colon.
        data = b"" if body is None else json.dumps(body, separators=(",", ":") if compact else None).encode()
        self.send_response(code)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/about/health":
            self.reply(200, {})
        elif self.path == "/colibri/stats" and SERVICE == "jvb":
            # Jackson's default printer puts a space after each colon, as json.dumps does.
            count = PARTICIPANTS if state["shutting_down"] else 0
            self.reply(200, {"local_endpoints": count, "conferences": 1 if count else 0, "graceful_shutdown": state["shutting_down"], "drain": state["drain"]})
        elif self.path == "/colibri/drain" and SERVICE == "jvb":
            self.reply(200, {"drain": state["drain"]}, compact=True)
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path in ("/colibri/drain/enable", "/colibri/drain/disable") and SERVICE == "jvb":
            # Upstream takes any body here, and answers an empty 200.
            state["drain"] = self.path.endswith("/enable")
            print(f"drain mode {'on' if state['drain'] else 'off'}", flush=True)
            self.reply(200, None)
        elif self.path == "/colibri/shutdown" and SERVICE == "jvb" and json.loads(raw or b"{}").get("graceful-shutdown") in (True, "true"):
            state["shutting_down"] = True
            print("graceful shutdown requested", flush=True)
            threading.Timer(DRAIN_SECONDS, lambda: os._exit(0)).start()
            self.reply(200, {})
        else:
            self.reply(400, {"error": "unsupported"})

    def log_message(self, *args):
        pass


print(f"{SERVICE} stand-in answering on 127.0.0.1:{PORT}", flush=True)
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
