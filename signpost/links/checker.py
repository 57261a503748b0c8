"""Checking one address without ever being turned against the server's own network.

Every hop of a check resolves the host name first and refuses it unless every address it
resolves to is public unicast; the connection then goes to the address that was checked
(the name is kept for the Host header and TLS), so a second DNS answer cannot send it
elsewhere. Only http and https are fetched, at most MAX_REDIRECTS hops, at most
MAX_BYTES read, within a time limit for the whole check.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx
from django.conf import settings

from signpost.catalogue.addresses import address_problem

from .models import Outcome

MAX_REDIRECTS = 5
MAX_BYTES = 256 * 1024
PERMANENT = {301, 308}
HEAD_REFUSED = {400, 403, 405, 406, 429, 501}


@dataclass
class CheckResult:
    outcome: str
    status_code: int | None = None
    final_url: str = ""
    redirects: list[str] = field(default_factory=list)
    milliseconds: int = 0
    detail: str = ""
    fingerprint: str = ""


class NotPublic(Exception):
    """The host resolves to an address this server must never connect to."""


def user_agent() -> str:
    return f"Signpost link checker (+{settings.LINKS_CONTACT_URL})"


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        # IPv4 inside IPv6 (mapped, 6to4, Teredo) is judged by the IPv4 address it carries.
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if embedded is not None:
            return _is_public(embedded)
    if str(address) in settings.LINKS_ALLOWED_ADDRESSES:
        return True  # the test suite's own servers, and nothing else
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_unspecified
    )


def resolve_public(host: str, port: int) -> str:
    """The first address `host` resolves to, if every one of them is public."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses or not all(_is_public(a) for a in addresses):
        raise NotPublic(f"{host} resolves to an address that is not public")
    return str(addresses[0])


def _pinned(url: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The url with its host replaced by the checked address, the Host header and TLS name."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_public(host, port)
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = host if not parts.port else f"{host}:{parts.port}"
    return pinned, {"Host": host_header}, {"sni_hostname": host}


class Checker:
    """Checks addresses one after another, with one client and the robots rules of each site."""

    def __init__(self) -> None:
        self.deadline_seconds = settings.LINKS_TIMEOUTS["total"]
        self.client = self._client()
        self.robots: dict[str, RobotFileParser | None] = {}

    @staticmethod
    def _client() -> httpx.Client:
        timeouts = settings.LINKS_TIMEOUTS
        return httpx.Client(
            timeout=httpx.Timeout(timeouts["read"], connect=timeouts["connect"]),
            follow_redirects=False,
            trust_env=False,
            # No connection is reused: a pooled connection is keyed by address, and a TLS
            # connection verified for one host name must never serve another on that address.
            limits=httpx.Limits(max_keepalive_connections=0),
            headers={"User-Agent": user_agent(), "Accept": "*/*"},
        )

    def close(self) -> None:
        self.client.close()

    def _request(self, method: str, url: str, deadline: float) -> tuple[httpx.Response, bytes]:
        pinned, headers, extensions = _pinned(url)
        request = self.client.build_request(method, pinned, headers=headers, extensions=extensions)
        response = self.client.send(request, stream=True)
        body = b""
        try:
            if method == "GET":
                for chunk in response.iter_raw():
                    body += chunk
                    if len(body) >= MAX_BYTES or time.monotonic() > deadline:
                        break
        finally:
            response.close()
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("the check took longer than its time limit")
        return response, body

    def _allowed(self, url: str, deadline: float) -> bool:
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self.robots:
            self.robots[site] = self._robots(site + "/robots.txt", deadline)
        rules = self.robots[site]
        return rules is None or rules.can_fetch(user_agent(), url)

    def _robots(self, url: str, deadline: float) -> RobotFileParser | None:
        """A site's robots rules (RFC 9309): redirects followed, a server error means
        "fetch nothing", no file or any other answer means "fetch anything"."""
        rules = RobotFileParser()
        try:
            for _ in range(MAX_REDIRECTS + 1):
                if address_problem(url):
                    return None
                response, body = self._request("GET", url, deadline)
                location = response.headers.get("location")
                if response.is_redirect and location:
                    url = urljoin(url, location)
                    continue
                if response.status_code >= 500:
                    rules.parse(["User-agent: *", "Disallow: /"])
                    return rules
                if response.status_code == 200:
                    rules.parse(body.decode("utf-8", "replace").splitlines())
                    return rules
                return None
        except (httpx.HTTPError, NotPublic, OSError, ssl.SSLError):
            return None
        return None

    def check(self, url: str) -> CheckResult:
        """Check one address, within the time limit however the server behaves.

        The check runs in a thread of its own: a server that trickles its headers a byte at a
        time defeats per-read timeouts, so past the limit the check is abandoned (its thread
        ends at the next read timeout) and this checker carries on with a fresh client.
        """
        started = time.monotonic()
        deadline = started + self.deadline_seconds
        outcome: list[CheckResult] = []

        def run() -> None:
            try:
                outcome.append(self._check(url, deadline))
            except Exception as error:  # one odd answer never stops a run
                outcome.append(_failed(Outcome.CONNECTION_ERROR, url, [], type(error).__name__))

        worker = threading.Thread(target=run, name="link-check", daemon=True)
        worker.start()
        worker.join(self.deadline_seconds + 1)
        if worker.is_alive() or not outcome:
            self.client = self._client()
            result = _failed(Outcome.TIMEOUT, url, [], "no complete answer in time")
        else:
            result = outcome[0]
        result.milliseconds = int((time.monotonic() - started) * 1000)
        return result

    def _check(self, url: str, deadline: float) -> CheckResult:
        redirects: list[str] = []
        permanent = True
        current = url
        try:
            for _ in range(MAX_REDIRECTS + 1):
                problem = address_problem(current)
                if problem:
                    return CheckResult(Outcome.NOT_PUBLIC, final_url=current, detail=problem)
                if not self._allowed(current, deadline):
                    return CheckResult(Outcome.ROBOTS, final_url=current, redirects=redirects)
                response, _ = self._request("HEAD", current, deadline)
                if response.status_code in HEAD_REFUSED:
                    response, _ = self._request("GET", current, deadline)
                location = response.headers.get("location")
                if response.is_redirect and location:
                    permanent = permanent and response.status_code in PERMANENT
                    redirects.append(current)
                    current = urljoin(current, location)
                    if current in redirects:
                        return _failed(Outcome.TOO_MANY_REDIRECTS, current, redirects, "a loop")
                    continue
                return _answered(response, current, redirects, permanent)
            return _failed(Outcome.TOO_MANY_REDIRECTS, current, redirects, "more than 5")
        except NotPublic as error:
            return _failed(Outcome.NOT_PUBLIC, current, redirects, str(error))
        except socket.gaierror as error:
            return _failed(Outcome.DNS_FAILURE, current, redirects, str(error)[:200])
        except httpx.TimeoutException:
            return _failed(Outcome.TIMEOUT, current, redirects, "no answer in time")
        except httpx.ConnectError as error:
            kind = Outcome.TLS_ERROR if _is_tls(error) else Outcome.CONNECTION_ERROR
            return _failed(kind, current, redirects, str(error)[:200])
        except (httpx.HTTPError, ssl.SSLError, OSError) as error:
            kind = Outcome.TLS_ERROR if _is_tls(error) else Outcome.CONNECTION_ERROR
            return _failed(kind, current, redirects, str(error)[:200])


def _is_tls(error: BaseException) -> bool:
    text = f"{error!r} {error.__cause__!r}".lower()
    return "ssl" in text or "certificate" in text or "tls" in text


def _failed(outcome: str, url: str, redirects: list[str], detail: str) -> CheckResult:
    return CheckResult(outcome, final_url=url, redirects=redirects, detail=detail)


def _answered(
    response: httpx.Response, url: str, redirects: list[str], permanent: bool
) -> CheckResult:
    code = response.status_code
    if code in (404, 410):
        outcome = Outcome.BROKEN
    elif code >= 500:
        outcome = Outcome.SERVER_ERROR
    elif code >= 400:
        outcome = Outcome.CLIENT_ERROR
    elif redirects and permanent:
        outcome = Outcome.MOVED
    else:
        outcome = Outcome.OK
    headers = response.headers
    fingerprint = "|".join(
        headers.get(name, "") for name in ("content-length", "etag", "last-modified")
    )
    return CheckResult(
        outcome,
        status_code=code,
        final_url=url,
        redirects=redirects,
        fingerprint=fingerprint if fingerprint.strip("|") else "",
    )
