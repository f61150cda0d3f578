"""A stand-in Microsoft Graph on 127.0.0.1, serving responses shaped like Microsoft's documented ones.

Payload shapes come from tests/fixtures/graph/ (copied from Microsoft's API reference);
each scenario replaces only the values. Replies per path can be scripted (a list consumed
in order, the last one repeating) to serve 429-then-200, errors, malformed JSON or delays.
A hostile Graph echoes the request: :data:`ECHO` in a reply's body, reason phrase or
header values becomes the request's ``Authorization`` header, as sent.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

FIXTURES = Path(__file__).parent.parent / "fixtures" / "graph"
MS = "mail.protection.outlook.com"
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.stand-in-secret-token-7f3a9c"
#: Replaced, wherever it appears in a reply, by the request's Authorization header.
ECHO = "{authorization}"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # an object (sent as JSON) or bytes (sent as is)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    #: The status line's reason phrase (default: the standard one).
    reason: str | None = None
    #: ``body`` (bytes) is the whole response, status line and headers included, sent as is.
    raw: bool = False
    #: Seconds between the body's bytes (a server that drips), after the headers.
    drip: float = 0.0


def domain_entry(name: str, *, initial: bool = False, verified: bool = True) -> dict[str, Any]:
    entry = copy.deepcopy(fixture("domains.json")["value"][0])
    entry.update(id=name, isInitial=initial, isVerified=verified, isDefault=False)
    return entry


def records_page(domain: str, mail_exchange: str | None) -> dict[str, Any]:
    """serviceConfigurationRecords for ``domain``: Mx (unless ``None``), Txt and CName as Microsoft lists them."""
    page = copy.deepcopy(fixture("serviceConfigurationRecords.json"))
    page["@odata.context"] = page["@odata.context"].replace("contoso.com", domain)
    for record in page["value"]:
        record["label"] = record["label"].replace("contoso.com", domain)
        if record["recordType"] == "Mx":
            record["mailExchange"] = mail_exchange
    if mail_exchange is None:
        page["value"] = [r for r in page["value"] if r["recordType"] != "Mx"]
    return page


def error(status: int, name: str, **replace: str) -> Reply:
    body = fixture(name)
    for old, new in replace.items():
        body["error"]["message"] = body["error"]["message"].replace(old, new)
    return Reply(status, body)


class GraphStandIn:
    """Serve ``/v1.0/...`` on 127.0.0.1; ``routes`` maps a path (with query) to replies."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[tuple[str, str | None]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stand_in.requests.append((self.path, self.headers.get("Authorization")))
                reply = stand_in.reply_for(self.path, self.headers.get("Authorization"))
                if reply.delay:
                    time.sleep(reply.delay)
                data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                auth = self.headers.get("Authorization") or ""
                data = data.replace(ECHO.encode(), auth.encode())
                try:
                    if reply.raw:
                        self.wfile.write(data)
                        self.close_connection = True
                        return
                    self.send_response(reply.status, reply.reason.replace(ECHO, auth) if reply.reason else None)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value.replace(ECHO, auth))
                    self.end_headers()
                    if reply.drip:
                        for byte in data:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(reply.drip)
                    else:
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def reply_for(self, path: str, auth: str | None) -> Reply:
        if auth != f"Bearer {self.token}":
            return Reply(401, {"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}})
        replies = self.routes.get(path) or self.routes.get(urlsplit(path).path)
        if not replies:
            return error(404, "error-404.json", **{"fabrikam.com": path})
        return replies.pop(0) if len(replies) > 1 else replies[0]

    def set(self, path: str, *replies: Reply) -> None:
        self.routes[f"/v1.0{path}"] = list(replies)

    def tenant(self, initial: str, domains: dict[str, str | None], *, unverified: tuple[str, ...] = (),
               initial_host: str | None = None) -> None:
        """A tenant whose ``/domains`` lists ``domains`` (name -> Mx host) over two pages, then the initial domain."""
        names = list(domains)
        first = [domain_entry(d, verified=d not in unverified) for d in names[: len(names) // 2]]
        rest = [domain_entry(d, verified=d not in unverified) for d in names[len(names) // 2:]]
        page1 = copy.deepcopy(fixture("domains.json"))
        page1["value"] = first
        page1["@odata.nextLink"] = f"{self.url}/v1.0/domains?$skiptoken=X%274453707402000100000017"
        page2 = copy.deepcopy(fixture("domains.json"))
        del page2["@odata.nextLink"]
        page2["value"] = [*rest, domain_entry(initial, initial=True)]
        self.set("/domains", Reply(200, page1))
        self.routes["/v1.0/domains?$skiptoken=X%274453707402000100000017"] = [Reply(200, page2)]
        tenant_host = initial_host or f"{initial.partition('.')[0]}.{MS}"
        self.set(f"/domains/{initial}/serviceConfigurationRecords", Reply(200, records_page(initial, tenant_host)))
        for name, host in domains.items():
            self.set(f"/domains/{name}/serviceConfigurationRecords", Reply(200, records_page(name, host)))

    def __enter__(self) -> GraphStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


#: The scenario most tests use: tenant contoso with a plain, a hyphenated, an IDN and an mx.microsoft domain.
CONTOSO = {
    "contoso.com": f"contoso-com.{MS}",
    "foo-1-bar.com": f"foo1-bar-com0i.{MS}",
    "xn--bcher-kva.example": f"xnbcher-kva-example01c.{MS}",
    "contosotest.com": "contosotest-com.o-v1.mx.microsoft",
    "nomx.com": None,
    "pending.com": f"pending-com.{MS}",
}


def contoso(server: GraphStandIn) -> GraphStandIn:
    server.tenant("contoso.onmicrosoft.com", CONTOSO, unverified=("pending.com",))
    return server
