"""A stand-in Microsoft Graph on 127.0.0.1, serving responses shaped like Microsoft's documented ones.

Payload shapes come from mxsplit_component/testing/fixtures/graph/ (copied from Microsoft's API reference);
each scenario replaces only the values. Replies per path can be scripted (a list consumed
in order, the last one repeating) to serve 429-then-200, errors, malformed JSON or delays.
A hostile Graph echoes the request: :data:`ECHO` in a reply's body, reason phrase or
header values becomes the request's ``Authorization`` header, as sent.

Several tenants: each token has routes of its own (``tenant(..., token=...)``), so a request
is answered with the data of the tenant whose token it carries, and any other token gets 401.
``POST /v1.0/$batch`` (JSON batching) answers each request inside from the same routes.
``throttle(token, every)`` answers every ``every``-th GET of that tenant (inside a batch too)
with 429 and ``Retry-After``.
"""

from __future__ import annotations

import contextlib
import copy
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "graph"
MS = "mail.protection.outlook.com"
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.stand-in-secret-token-7f3a9c"
#: Replaced, wherever it appears in a reply, by the request's Authorization header.
ECHO = "{authorization}"
#: A scripted ``$batch`` reply with this body: the real answers (``ANSWER``), or all but one (``DROP_ONE``).
ANSWER = "answer each request"
DROP_ONE = "drop one answer"


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
    entry: dict[str, Any] = copy.deepcopy(fixture("domains.json")["value"][0])
    entry.update(id=name, isInitial=initial, isVerified=verified, isDefault=False)
    return entry


def records_page(domain: str, mail_exchange: str | None) -> dict[str, Any]:
    """serviceConfigurationRecords for ``domain``: Mx (unless ``None``), Txt and CName as Microsoft lists them."""
    page: dict[str, Any] = copy.deepcopy(fixture("serviceConfigurationRecords.json"))
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
        #: Routes per token: the default token's are ``routes``.
        self.tenants: dict[str, dict[str, list[Reply]]] = {token: self.routes}
        self.requests: list[tuple[str, str | None]] = []
        #: The GETs inside ``$batch`` requests (each batch is one entry of ``requests``).
        self.batched: list[tuple[str, str | None]] = []
        #: Every GET answered, alone or inside a batch: (time.monotonic(), path, Authorization, status).
        self.answered: list[tuple[float, str, str | None, int]] = []
        #: Token -> (every n-th GET is throttled, Retry-After, GETs counted so far).
        self.throttled: dict[str, list[Any]] = {}
        self._lock = threading.Lock()
        #: Requests being answered now, and the most at once (a client's concurrency, as the server sees it).
        self.on_wire = self.most_on_wire = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Graph: a run's requests reuse connections

            def do_POST(self) -> None:
                auth = self.headers.get("Authorization")
                stand_in.requests.append((self.path, auth))
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with stand_in.counting():
                    self._answer(stand_in.batch_reply(self.path, body, auth))

            def do_GET(self) -> None:
                stand_in.requests.append((self.path, self.headers.get("Authorization")))
                with stand_in.counting():
                    self._answer(stand_in.reply_for(self.path, self.headers.get("Authorization")))

            def _answer(self, reply: Reply) -> None:
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

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # many tenants' clients connect at once: the default backlog of 5 drops them

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def reply_for(self, path: str, auth: str | None) -> Reply:
        token = (auth or "").removeprefix("Bearer ")
        routes = self.tenants.get(token) if auth and auth.startswith("Bearer ") else None
        if routes is None:
            return Reply(401, {"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}})
        with self._lock:
            throttle = self.throttled.get(token)
            if throttle is not None:
                throttle[2] += 1
                if throttle[2] % throttle[0] == 0:
                    self.answered.append((time.monotonic(), path, auth, 429))
                    return Reply(429, {"error": {"code": "TooManyRequests", "message": "Too many requests"}},
                                 {"Retry-After": throttle[1]})
            replies = routes.get(path) or routes.get(urlsplit(path).path)
            if not replies:
                return error(404, "error-404.json", **{"fabrikam.com": path})
            reply = replies.pop(0) if len(replies) > 1 else replies[0]
            self.answered.append((time.monotonic(), path, auth, reply.status))
            return reply

    def batch_reply(self, path: str, body: bytes, auth: str | None, *, scripted: bool = True) -> Reply:
        """``POST /v1.0/$batch``: each request inside answered from the routes, as Graph's JSON batching does."""
        if path != "/v1.0/$batch":
            return Reply(405, {"error": {"code": "BadRequest", "message": "only $batch takes POST"}})
        script = self.tenants.get((auth or "").removeprefix("Bearer "), {}).get(path) if scripted else None
        if script:  # set("/$batch", ...): the batch's own answer, as scripted
            with self._lock:
                reply = script.pop(0) if len(script) > 1 else script[0]
            if reply.body not in (DROP_ONE, ANSWER):
                return reply
            real = self.batch_reply(path, body, auth, scripted=False)
            return Reply(200, {"responses": real.body["responses"][reply.body == DROP_ONE:]})
        answers = []
        for request in json.loads(body)["requests"]:
            sub = f"/v1.0{request['url']}"
            self.batched.append((sub, auth))
            reply = self.reply_for(sub, auth)
            if reply.delay:
                time.sleep(reply.delay)
            data: Any = reply.body
            if isinstance(data, bytes):
                text = data.replace(ECHO.encode(), (auth or "").encode()).decode("utf-8", "replace")
                try:
                    data = json.loads(text)
                except ValueError:
                    data = text
            answers.append({"id": request["id"], "status": reply.status, "headers": reply.headers, "body": data})
        return Reply(200, {"responses": answers[::-1]})  # in any order, as Graph may answer

    @contextlib.contextmanager
    def counting(self) -> Iterator[None]:
        with self._lock:
            self.on_wire += 1
            self.most_on_wire = max(self.most_on_wire, self.on_wire)
        try:
            yield
        finally:
            with self._lock:
                self.on_wire -= 1

    def set(self, path: str, *replies: Reply, token: str | None = None) -> None:
        self.tenants.setdefault(token or self.token, {})[f"/v1.0{path}"] = list(replies)

    def throttle(self, token: str, every: int, retry_after: str = "1") -> None:
        """Every ``every``-th GET with ``token`` gets 429 with ``Retry-After: retry_after``."""
        self.throttled[token] = [every, retry_after, 0]

    def tenant(self, initial: str, domains: dict[str, str | None], *, unverified: tuple[str, ...] = (),
               initial_host: str | None = None, token: str | None = None) -> None:
        """A tenant whose ``/domains`` lists ``domains`` (name -> Mx host) over two pages, then the initial domain;
        ``token`` is the tenant's own (default: the stand-in's)."""
        names = list(domains)
        first = [domain_entry(d, verified=d not in unverified) for d in names[: len(names) // 2]]
        rest = [domain_entry(d, verified=d not in unverified) for d in names[len(names) // 2:]]
        page1 = copy.deepcopy(fixture("domains.json"))
        page1["value"] = first
        page1["@odata.nextLink"] = f"{self.url}/v1.0/domains?$skiptoken=X%274453707402000100000017"
        page2 = copy.deepcopy(fixture("domains.json"))
        del page2["@odata.nextLink"]
        page2["value"] = [*rest, domain_entry(initial, initial=True)]
        self.set("/domains", Reply(200, page1), token=token)
        self.set("/domains?$skiptoken=X%274453707402000100000017", Reply(200, page2), token=token)
        tenant_host = initial_host or f"{initial.partition('.')[0]}.{MS}"
        self.set(f"/domains/{initial}/serviceConfigurationRecords", Reply(200, records_page(initial, tenant_host)),
                 token=token)
        for name, host in domains.items():
            self.set(f"/domains/{name}/serviceConfigurationRecords", Reply(200, records_page(name, host)), token=token)

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
