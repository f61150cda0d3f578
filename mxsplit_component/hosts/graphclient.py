"""A small Microsoft Graph REST client: bearer token, paging, throttling, clear errors.

Plain REST over ``httpx`` with a token from ``azure-identity`` (both in the ``[graph]``
extra, imported only here): ``msgraph-sdk`` is hundreds of MB and about a second to import
for what is two GETs. The token is never logged, printed or put in an exception: every
error leaves :meth:`GraphClient.get_all` through one boundary that redacts it
(:mod:`mxsplit_component.edges.redact`), and anything else that goes wrong while reading a
reply (a body nested too deep to parse, a shape we did not expect) becomes that lookup's
failure there too. A body is read raw and decoded here, within :data:`MAX_BODY_BYTES`
*decoded*, so a compressed bomb stops at the cap.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
import os
import re
import sys
import time
import zlib
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from ..core.clouds import Cloud
from ..edges.display import shown
from ..edges.extras import require
from ..edges.redact import Redactor
from .graph import PERMISSION_HINT, GraphNotFound, check_graph_url, graph_endpoint, graph_scope
from .graphbatch import MAX_BATCH, batch_body, read_batch
from .model import HostLookupError
from .signin_log import quiet_sign_in_log
from .slots import idle

#: A pipeline that already holds a Graph token passes it here instead of azure-identity.
TOKEN_ENV = "MXSPLIT_GRAPH_TOKEN"
#: Throttled or unavailable: retry after the server's Retry-After, within the timeout.
RETRY_STATUSES = (429, 503)
MAX_ATTEMPTS = 6
#: Requests of one tenant on the wire at once (each a GET, or a batch of up to 20).
IN_FLIGHT = 4
#: Requests on the wire at once through one shared connection pool (every tenant of a run):
#: httpx looks at each pooled connection (a socket poll) whenever a request starts or ends, so
#: 50 tenants x 4 on a pool of 100 spent more CPU there than on the answers.
SHARED_IN_FLIGHT = 16
#: RFC 6750 §2.1 b64token: anything else (a line break, a space, non-ASCII) is a paste error, and
#: httpx would echo it (escaped, past our redaction) in its error text, or crash on it.
BEARER = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
#: The first wait between throttled tries, doubled each time, whatever Retry-After says (seconds).
MIN_BACKOFF = 0.25
#: Bounds on one listing: pages followed, and bytes read per page (Graph's real answers are a few KiB).
MAX_PAGES = 1000
MAX_BODY_BYTES = 8 * 1024 * 1024
#: Retry-After when the server sends none (seconds).
DEFAULT_RETRY_AFTER = 1.0
#: The Graph error message shown is cut here: it is a sentence, not a document.
MAX_DETAIL = 300
#: Content-Encoding values we decode ourselves (one layer at most), with their zlib window bits.
DECODERS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class TokenCredential(Protocol):
    """Anything with azure-identity's ``get_token`` (a credential object, or a test double)."""

    def get_token(self, *scopes: str) -> Any: ...


def default_credential(cloud: Cloud, *, device_code: bool = False) -> TokenCredential:
    """``DefaultAzureCredential`` (environment, managed identity, ``az login``) or an interactive device code.

    21Vianet signs in at its own authority. The device-code prompt goes to stderr, so
    ``--json`` output stays clean.
    """
    identity = require("azure.identity", extra="graph", field="graph", needs="--graph")
    AzureAuthorityHosts, DefaultAzureCredential = identity.AzureAuthorityHosts, identity.DefaultAzureCredential
    authority = AzureAuthorityHosts.AZURE_CHINA if cloud.name == "china" else AzureAuthorityHosts.AZURE_PUBLIC_CLOUD
    if device_code:
        def prompt(uri: str, code: str, _expires: Any) -> None:
            # Both come from the sign-in service: network text, escaped like any other.
            print(shown(f"To sign in to Microsoft Graph, open {uri} and enter the code {code}"), file=sys.stderr,
                  flush=True)

        return identity.DeviceCodeCredential(authority=authority, prompt_callback=prompt)  # type: ignore[no-any-return]
    quiet_sign_in_log()
    return _OneLineFailure(DefaultAzureCredential(authority=authority))


class AzureSignInError(Exception):
    """No Azure sign-in method gave a token: the first line of azure-identity's reason."""


class _OneLineFailure:
    """A credential whose failure is one line: azure-identity's message lists every sign-in
    method it tried, one per line; that detail is behind ``-v`` (:mod:`.signin_log`)."""

    def __init__(self, credential: TokenCredential) -> None:
        self._credential = credential

    def get_token(self, *scopes: str) -> Any:
        try:
            return self._credential.get_token(*scopes)
        except Exception as exc:  # azure-identity raises several types; each means "no token"
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise AzureSignInError(f"{first} -v shows each sign-in method tried and why it failed") from None


def _retry_after(value: str | None) -> float:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return DEFAULT_RETRY_AFTER
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
    return max(0.0, when.timestamp() - time.time())


def _graph_error(body: Any, redact: Redactor) -> str:
    """``code: message`` from Graph's error body (raw, or parsed from a batch), when it has one (redacted,
    then cut to :data:`MAX_DETAIL`)."""
    try:
        err = (json.loads(body) if isinstance(body, (bytes, bytearray)) else body).get("error", {})
        text = f"{err.get('code', '')}: {err.get('message', '')}".strip(": ")
    except (ValueError, AttributeError, RecursionError):
        return ""
    return redact.excerpt(text, MAX_DETAIL)


class _BodyTooLarge(Exception):
    """The body, decoded, is larger than :data:`MAX_BODY_BYTES`."""


class _Body:
    """A reply's body, decoded as it arrives and never past :data:`MAX_BODY_BYTES`.

    zlib is asked for at most the room left, so one small chunk of a bomb cannot expand in memory.
    """

    def __init__(self, encoding: str) -> None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip().lower() not in ("", "identity")]
        if len(codings) > 1:
            raise ValueError(f"is compressed more than once (Content-Encoding: {', '.join(codings)})")
        if codings and codings[0] not in DECODERS:
            raise ValueError(f"uses a compression we did not ask for (Content-Encoding: {codings[0]})")
        self._zlib = zlib.decompressobj(DECODERS[codings[0]]) if codings else None
        self.data = bytearray()

    def _room(self) -> int:
        return MAX_BODY_BYTES + 1 - len(self.data)

    def feed(self, chunk: bytes) -> None:
        if self._zlib is None:
            self.data += chunk
        else:
            data = chunk
            while True:
                piece = self._zlib.decompress(data, self._room())
                self.data += piece
                data = self._zlib.unconsumed_tail
                if len(self.data) > MAX_BODY_BYTES or not (data or piece) or self._zlib.eof:
                    break
        if len(self.data) > MAX_BODY_BYTES:
            raise _BodyTooLarge


class _Clock:
    """One lookup's deadline: ``timeout`` from its first request on the wire (waiting for its
    tenant's turn before that does not count; its own throttling waits do)."""

    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at: float | None = None

    def start(self, now: float, timeout: float) -> None:
        if self.at is None:
            self.at = now + timeout

    def remaining(self) -> float:
        return math.inf if self.at is None else self.at - time.monotonic()


#: (status, Retry-After, body): the body raw (a plain GET) or parsed already (an answer inside a batch).
Reply = tuple[int, "str | None", Any]


class _Request:
    """A GET waiting for its turn: ``sent`` resolves when it goes out, ``reply`` with its answer."""

    __slots__ = ("url", "about", "clock", "sent", "reply")

    def __init__(self, url: str, about: str, clock: _Clock) -> None:
        self.url, self.about, self.clock = url, about, clock
        loop = asyncio.get_running_loop()
        self.sent: asyncio.Future[None] = loop.create_future()
        self.reply: asyncio.Future[Reply] = loop.create_future()

    @property
    def abandoned(self) -> bool:
        return self.reply.done()


class GraphClient:
    """GETs against ``{base_url}/v1.0`` with a bearer token: one client per tenant in a run.

    At most ``in_flight`` requests of the tenant are on the wire at once; requests made
    while all are out wait for their turn and then go together, up to 20 in one
    ``$batch`` (:mod:`.graphbatch`). A 429 or 503 pauses the tenant (every request of it
    waits out ``Retry-After``), not the run: other tenants have clients of their own, and a
    row waiting for its tenant gives its slot back (:mod:`.slots`).

    :param base_url: Graph's base URL (default per cloud); ``http://`` only for loopback.
    :param credential: anything with ``get_token(scope)``; default: ``MXSPLIT_GRAPH_TOKEN``,
        else :func:`default_credential`.
    :param timeout: seconds per lookup in total from its first request, throttling waits included.
    """

    def __init__(self, cloud: Cloud, *, base_url: str | None = None, credential: TokenCredential | None = None,
                 timeout: float = 10.0, device_code: bool = False, token: str | None = None,
                 in_flight: int = IN_FLIGHT, http: Any = None, gate: asyncio.Semaphore | None = None) -> None:
        self.base_url = check_graph_url(base_url or graph_endpoint(cloud))
        self.origin = self._origin(self.base_url)
        self.scope = graph_scope(cloud)
        self.timeout = timeout
        static = token if token is not None else (os.environ.get(TOKEN_ENV) or None)
        self._static = static.strip() if static is not None else None
        #: Every token this client sends; each message built from a reply is redacted with them.
        self.redact = Redactor()
        self.redact.add(self._static)
        self._credential = credential
        if self._static is None and credential is None:
            self._credential = default_credential(cloud, device_code=device_code)
        self._token: str | None = None
        self._expires = 0.0
        #: A credential that failed once is not asked again in this run: the tenant's rows share its error.
        self._token_error: HostLookupError | None = None
        self._lock = asyncio.Lock()
        httpx = require("httpx", extra="graph", field="graph", needs="--graph")
        self._httpx = httpx
        #: The connections: the run's (``http``, shared by every tenant's client, closed by its owner), or our own.
        self._client = http if http is not None else new_http_client()
        self._owns_client = http is None
        self.in_flight = max(1, in_flight)
        #: Shared with the other tenants' clients on ``http``: at most that many requests out at once.
        self._gate = gate if gate is not None else asyncio.Semaphore(self.in_flight)
        #: HTTP requests sent (a batch counts once), and GETs answered through them.
        self.http_requests = self.gets = 0
        self._queue: deque[_Request] = deque()
        self._busy = 0
        #: The tenant is throttled: nothing of it goes out before this (``time.monotonic()``).
        self._resume_at = 0.0
        self._wake: asyncio.TimerHandle | None = None
        self._exchanges: set[asyncio.Task[None]] = set()

    @staticmethod
    def _origin(url: str) -> tuple[str, str, int | None]:
        parts = urlsplit(url)
        return parts.scheme, (parts.hostname or "").lower(), parts.port

    @staticmethod
    def _checked(token: str, origin: str) -> str:
        """``token`` if it can go in a header as is; never echoes any of it."""
        if not BEARER.fullmatch(token):
            raise HostLookupError(f"the Graph token from {origin} is not a bearer token (it is empty or has spaces, "
                                  "line breaks, quotes or non-ASCII characters); copy it again as one line, e.g. "
                                  "az account get-access-token --resource-type ms-graph --query accessToken -o tsv")
        return token

    async def _bearer(self) -> str:
        if self._static is not None:
            return self._checked(self._static, TOKEN_ENV)
        async with self._lock:
            if self._token_error is not None:
                raise HostLookupError(str(self._token_error))
            if self._token is None or self._expires - time.time() < 60:
                assert self._credential is not None
                try:
                    access = await asyncio.to_thread(self._credential.get_token, self.scope)
                except Exception as exc:  # azure-identity raises many types; all mean "no token"
                    first = self.redact.excerpt((str(exc).strip().splitlines() or [""])[0], MAX_DETAIL)
                    self._token_error = HostLookupError(self.redact(
                        f"could not get a Microsoft Graph token ({type(exc).__name__}: {first}); sign in with "
                        f"'az login', set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, use --device-code, "
                        f"or set {TOKEN_ENV}"))
                    raise self._token_error from None
                self.redact.add(str(access.token))
                self._token = self._checked(str(access.token), "the credential")
                self._expires = float(getattr(access, "expires_on", 0) or 0)
        return self._token

    async def get_all(self, path: str, *, about: str, keep: Callable[[dict[str, Any]], Any] | None = None) -> list[Any]:
        """Every item of ``GET {base}/v1.0{path}``, following ``@odata.nextLink`` on the same origin only.

        Paging is bounded: a link back to a page already read, or more than :data:`MAX_PAGES`
        pages, is an error rather than a loop that only the timeout ends. This is the
        boundary every error crosses, redacted.

        :param about: what is being looked up (a domain), named in every error.
        :param keep: what to keep of each item, page by page (a long listing need not be held whole).
        :raises GraphNotFound: on 404.
        :raises HostLookupError: for anything else that keeps us from an answer.
        """
        try:
            return await self._get_all(path, about, keep)
        except GraphNotFound as exc:
            raise GraphNotFound(self.redact(str(exc)), domain=exc.domain) from None
        except HostLookupError as exc:
            raise HostLookupError(self.redact(str(exc)), domain=exc.domain) from None
        except Exception as exc:  # a reply we could not read is this lookup's failure, never a traceback
            raise HostLookupError(self.redact(
                f"Graph's answer for {about} could not be read (GET {path}: {type(exc).__name__}: "
                f"{self.redact.excerpt(str(exc), MAX_DETAIL)}); retry later"), domain=about) from None

    async def _get_all(self, path: str, about: str, keep: Callable[[dict[str, Any]], Any] | None) -> list[Any]:
        clock = _Clock()
        url: str | None = f"{self.base_url}/v1.0{path}"
        items: list[Any] = []
        seen: set[str] = set()
        while url is not None:
            if url in seen:
                raise HostLookupError(f"Graph's paging for {about} loops: @odata.nextLink points back at a page "
                                      f"already read (GET {urlsplit(url).path}); retry later", domain=about)
            if len(seen) >= MAX_PAGES:
                raise HostLookupError(f"Graph's answer for {about} runs to more than {MAX_PAGES} pages "
                                      f"(GET {path}); retry later", domain=about)
            seen.add(url)
            page = await self._get(url, about, clock)
            value = page.get("value")
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise HostLookupError(f"Graph's answer for {about} has no 'value' list of objects (GET {path})",
                                      domain=about)
            items += value if keep is None else map(keep, value)
            url = page.get("@odata.nextLink")
            if url is not None and not isinstance(url, str):
                raise HostLookupError(f"Graph's answer for {about} has an @odata.nextLink that is not a URL "
                                      f"(GET {path})", domain=about)
            if url is not None and self._origin(url) != self.origin:
                raise HostLookupError(f"Graph's next page for {about} points at another origin "
                                      f"({urlsplit(url).netloc}); refusing to send the token there",
                                      domain=about)
        return items

    # --- one request's turn: queued per tenant, sent alone or batched ------------------------
    async def _exchange(self, url: str, about: str, clock: _Clock, *, again: bool = False) -> Reply:
        """``url``'s answer, once the tenant has a request free and is not paused.

        :param again: a retry (after a 429): it goes first, its lookup's clock already runs.
        """
        request = _Request(url, about, clock)
        if again:
            self._queue.appendleft(request)
        else:
            self._queue.append(request)
        self._pump()
        timer = None
        try:
            if not request.sent.done():
                async with idle():  # the row's slot is free while its tenant is busy or throttled
                    await asyncio.shield(request.sent)
            remaining = clock.remaining()
            if remaining <= 0:
                raise asyncio.TimeoutError
            # The lookup's deadline, as a timer on the reply (cheaper than wait_for for every request).
            timer = asyncio.get_running_loop().call_later(remaining, _expire, request.reply)
            return await request.reply
        finally:
            if timer is not None:
                timer.cancel()
            if not request.reply.done():
                request.reply.cancel()  # nobody waits for it: a queued one is dropped, a sent one ignored

    def _pump(self) -> None:
        """Send what is queued, while the tenant has requests free and is not paused."""
        loop = asyncio.get_running_loop()
        while self._busy < self.in_flight and self._queue:
            now = time.monotonic()
            if now < self._resume_at:
                if self._wake is None:
                    self._wake = loop.call_later(self._resume_at - now, self._resume)
                return
            batch: list[_Request] = []
            while self._queue and len(batch) < MAX_BATCH:
                request = self._queue.popleft()
                if request.abandoned:
                    continue
                if self._batch_path(request.url) is None:  # cannot go in a batch: alone, now or next
                    if batch:
                        self._queue.appendleft(request)
                    else:
                        batch.append(request)
                    break
                batch.append(request)
            if not batch:
                return
            for request in batch:
                request.clock.start(now, self.timeout)
                request.sent.set_result(None)
            self._busy += 1
            task = loop.create_task(self._send(batch))
            self._exchanges.add(task)
            task.add_done_callback(self._exchanges.discard)

    def _resume(self) -> None:
        self._wake = None
        self._pump()

    def _pause(self, seconds: float) -> None:
        """Back the tenant off: none of its requests goes out within ``seconds``."""
        self._resume_at = max(self._resume_at, time.monotonic() + seconds)

    def _batch_path(self, url: str) -> str | None:
        """``url`` relative to ``/v1.0``, as a batch names it (``None``: not under this client's base)."""
        prefix = f"{self.base_url}/v1.0/"
        return url[len(prefix) - 1:] if url.startswith(prefix) else None

    async def _send(self, batch: list[_Request]) -> None:
        """One HTTP exchange for ``batch``: a plain GET for one request, a ``$batch`` for several."""
        try:
            async with self._gate:
                remaining = max(r.clock.remaining() for r in batch)
                if len(batch) == 1:
                    request = batch[0]
                    self.http_requests += 1
                    answer: list[Reply | BaseException] = [await self._fetch("GET", request.url, request.about,
                                                                             remaining)]
                else:
                    answer = await self._send_batch(batch, remaining)
        except asyncio.CancelledError:
            for request in batch:
                request.reply.cancel()
            raise
        except Exception as exc:
            answer = [exc] * len(batch)
        finally:
            self._busy -= 1
            if self._queue:
                self._pump()
        for request, reply in zip(batch, answer, strict=True):
            if request.reply.done():
                continue
            if isinstance(reply, BaseException):
                request.reply.set_exception(reply)
            else:
                self.gets += 1
                request.reply.set_result(reply)

    async def _send_batch(self, batch: list[_Request], remaining: float) -> list[Reply | BaseException]:
        paths = [self._batch_path(r.url) or "" for r in batch]
        about = ", ".join(dict.fromkeys(r.about for r in batch))
        self.http_requests += 1
        try:
            status, retry_after, body = await self._fetch("POST", f"{self.base_url}/v1.0/$batch", about, remaining,
                                                          content=batch_body(paths))
        except HostLookupError as exc:  # each request's error names its own domain
            return [HostLookupError(str(exc).replace(about, r.about), domain=r.about) for r in batch]
        if status != 200:
            return [(status, retry_after, body)] * len(batch)  # the batch as a whole: each request takes it
        try:
            answers = read_batch(body, len(batch))
        except ValueError as exc:
            return [HostLookupError(f"Graph's batch answer for {r.about} {exc} (POST /v1.0/$batch); retry later",
                                    domain=r.about) for r in batch]
        return [HostLookupError(f"Graph's batch answer has no answer for {r.about} (POST /v1.0/$batch); retry later",
                                domain=r.about) if a is None else (a.status, a.retry_after, a.body)
                for r, a in zip(batch, answers, strict=True)]

    async def _fetch(self, method: str, url: str, about: str, remaining: float,
                     content: bytes | None = None) -> tuple[int, str | None, bytes]:
        """(status, Retry-After, body) of one exchange; the body is decoded up to :data:`MAX_BODY_BYTES` only."""
        headers = {"Authorization": f"Bearer {await self._bearer()}", "Accept": "application/json",
                   "Accept-Encoding": "gzip"}
        if content is not None:
            headers["Content-Type"] = "application/json"
        async with self._client.stream(method, url, headers=headers, content=content, timeout=remaining) as response:
            declared = response.headers.get("Content-Length", "")
            try:
                if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                    raise _BodyTooLarge
                body = _Body(response.headers.get("Content-Encoding", ""))
                async for chunk in response.aiter_raw():
                    body.feed(chunk)
            except _BodyTooLarge:
                raise HostLookupError(f"Graph's answer for {about} is larger than {MAX_BODY_BYTES // 1024} KiB "
                                      f"({method} {urlsplit(url).path}); no Graph answer about domains is that large",
                                      domain=about) from None
            except ValueError as exc:
                raise HostLookupError(f"Graph's answer for {about} {exc} ({method} {urlsplit(url).path}); retry "
                                      "later", domain=about) from None
            except zlib.error as exc:
                raise HostLookupError(f"Graph's answer for {about} does not decompress ({exc}; {method} "
                                      f"{urlsplit(url).path}); retry later", domain=about) from None
            return response.status_code, response.headers.get("Retry-After"), bytes(body.data)

    async def _get(self, url: str, about: str, clock: _Clock) -> dict[str, Any]:
        httpx = self._httpx
        path = urlsplit(url).path
        throttled: int | None = None
        for attempt in range(MAX_ATTEMPTS):
            if clock.remaining() <= 0:
                break
            try:
                status, retry_after, body = await self._exchange(url, about, clock, again=attempt > 0)
            except (asyncio.TimeoutError, httpx.TimeoutException):
                throttled = None
                break
            except httpx.HTTPError as exc:
                why = self.redact.excerpt(str(exc), MAX_DETAIL) or "connection failed"
                raise HostLookupError(
                    f"cannot reach Microsoft Graph at {urlsplit(url).netloc} for {about} ({type(exc).__name__}: "
                    f"{why}); check --graph-url, the network, and TLS", domain=about) from None
            if status in RETRY_STATUSES:
                throttled = status
                # Back off even when told 0 (or a date in the past): six tries in a burst help nobody.
                wait = max(_retry_after(retry_after), MIN_BACKOFF * 2 ** attempt)
                if attempt + 1 == MAX_ATTEMPTS:
                    break
                if wait >= clock.remaining():
                    raise HostLookupError(f"Graph is throttling ({status}) the lookup of {about}; it asks to retry "
                                          f"after {wait:,.0f} s, beyond the {self.timeout:g} s timeout; retry later "
                                          "or raise --timeout", domain=about)
                self._pause(wait)  # the tenant waits, not only this request: its next ones would be throttled too
                continue
            if status == 200:
                return _page(body, about, path)
            detail = _graph_error(body, self.redact)
            detail = f" {detail}" if detail else ""
            if status == 404:
                raise GraphNotFound(f"{about} was not found in this tenant (404{detail})", domain=about)
            if status == 401:
                raise HostLookupError(
                    f"Graph rejected the token (401{detail}) while looking up {about}: the token is expired or not "
                    f"for Graph ({self.scope}); {PERMISSION_HINT}", domain=about)
            if status == 403:
                raise HostLookupError(
                    f"Graph denied access (403{detail}) while looking up {about}: {PERMISSION_HINT}", domain=about)
            raise HostLookupError(f"Graph answered {status}{detail} while looking up {about}; retry later",
                                  domain=about)
        if throttled is not None:
            raise HostLookupError(f"Graph kept answering {throttled} (throttled or unavailable) to the lookup of "
                                  f"{about} after {MAX_ATTEMPTS} tries; retry later", domain=about)
        raise HostLookupError(f"Graph did not answer within {self.timeout:g} s while looking up {about}; retry, or "
                              "raise --timeout", domain=about)

    async def aclose(self) -> None:
        if self._wake is not None:
            self._wake.cancel()
            self._wake = None
        for task in list(self._exchanges):
            task.cancel()
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> GraphClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _expire(reply: asyncio.Future[Reply]) -> None:
    if not reply.done():
        reply.set_exception(asyncio.TimeoutError())


def new_http_client() -> Any:
    """An ``httpx.AsyncClient`` for Graph; one can serve every tenant's client (the token goes per request)."""
    httpx = require("httpx", extra="graph", field="graph", needs="--graph")
    # No redirects: a redirect could carry the request (and its token) elsewhere.
    limits = httpx.Limits(max_connections=SHARED_IN_FLIGHT, max_keepalive_connections=SHARED_IN_FLIGHT)
    return httpx.AsyncClient(follow_redirects=False, trust_env=False, limits=limits)


def _page(body: Any, about: str, path: str) -> dict[str, Any]:
    """A 200 answer's JSON object (``body`` raw from a GET, or parsed from a batch)."""
    if isinstance(body, (bytes, bytearray)):
        try:
            body = json.loads(body)
        except ValueError as exc:
            raise HostLookupError(f"Graph returned malformed JSON for {about} (GET {path}): {exc}",
                                  domain=about) from None
        except RecursionError:
            raise HostLookupError(f"Graph returned JSON nested too deep to read for {about} (GET {path})",
                                  domain=about) from None
    if not isinstance(body, dict):
        raise HostLookupError(f"Graph returned JSON that is not an object for {about} (GET {path})", domain=about)
    return body
