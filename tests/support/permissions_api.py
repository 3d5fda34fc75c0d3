"""A local HTTP server that answers as Unity Catalog's permissions API does
(``GET /api/2.1/unity-catalog/permissions/{type}/{full_name}``), for the tests of the
read that usage grants make through databricks-sdk. An error body is
``{"error_code", "message"}``; a securable it was not told of does not exist
(``SCHEMA_DOES_NOT_EXIST``, as Unity Catalog answers for a missing schema)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PERMISSIONS = "/api/2.1/unity-catalog/permissions"


@dataclass
class PermissionsApi:
    url: str
    #: path -> (status, body)
    answers: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    #: every path requested, query included
    seen: list[str] = field(default_factory=list)
    #: the Authorization header of every request for permissions
    authorizations: list[str] = field(default_factory=list)

    def permission_reads(self) -> list[str]:
        """The permissions read, in order, without query (databricks-sdk also reads the host's
        unauthenticated discovery document when it starts)."""
        return [p.split("?")[0] for p in self.seen if p.startswith(PERMISSIONS)]

    def grants(self, securable: str, full_name: str, assignments: dict[str, list[str]]) -> None:
        body = {"privilege_assignments": [{"principal": p, "privileges": privs} for p, privs in assignments.items()]}
        self.answers[f"{PERMISSIONS}/{securable}/{full_name}"] = (200, body)

    def error(self, securable: str, full_name: str, status: int, code: str, message: str) -> None:
        self.answers[f"{PERMISSIONS}/{securable}/{full_name}"] = (status, {"error_code": code, "message": message})


@contextmanager
def permissions_api() -> Iterator[PermissionsApi]:
    api = PermissionsApi("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            api.seen.append(self.path)
            if self.path.startswith(PERMISSIONS):
                api.authorizations.append(self.headers.get("Authorization", ""))
            missing = (404, {"error_code": "SCHEMA_DOES_NOT_EXIST", "message": "Schema does not exist."})
            status, body = api.answers.get(self.path.split("?")[0], missing)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
