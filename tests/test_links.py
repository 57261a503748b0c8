"""Link health against real HTTP servers on 127.0.0.1 (threads started by the tests)."""

import datetime
import http.server
import io
import socket
import threading
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from signpost.catalogue.spreadsheets import spreadsheet_safe
from signpost.links.checker import Checker, CheckResult
from signpost.links.csv_export import links_csv
from signpost.links.models import Link, LinkCheck, Outcome
from signpost.links.selectors import resources_needing_attention
from signpost.links.services import link_check_record

from .factories import ResourceFactory


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, code, headers=(), body=b""):
        self.send_response(code)
        for name, value in headers:
            self.send_header(name, value)
        if not any(name.lower() == "content-length" for name, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _route(self):
        path = self.path
        if path == "/robots.txt":
            return self._send(
                200, [("Content-Type", "text/plain")], b"User-agent: *\nDisallow: /private/\n"
            )
        if path in ("/ok", "/private/secret"):
            return self._send(
                200, [("ETag", '"v1"'), ("Content-Type", "text/html")], b"<p>fine</p>"
            )
        if path == "/missing":
            return self._send(404)
        if path == "/gone":
            return self._send(410)
        if path == "/error":
            return self._send(500)
        if path == "/moved":
            return self._send(301, [("Location", "/ok")])
        if path == "/temporary":
            return self._send(302, [("Location", "/ok")])
        if path == "/loop":
            return self._send(302, [("Location", "/loop-back")])
        if path == "/loop-back":
            return self._send(302, [("Location", "/loop")])
        if path.startswith("/chain/"):
            n = int(path.rsplit("/", 1)[1])
            return self._send(302, [("Location", f"/chain/{n + 1}")])
        if path == "/to-private":
            return self._send(301, [("Location", "http://10.1.2.3/secret")])
        if path == "/to-metadata":
            return self._send(302, [("Location", "http://169.254.169.254/latest/meta-data/")])
        if path == "/slow":
            time.sleep(2.5)
            return self._send(200)
        if path == "/trickle-headers":
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for _ in range(200):
                    for byte in b"X-Slow: y\r\n":
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(0.3)
            except OSError:
                pass
            self.close_connection = True
            return None
        if path == "/head-refused":
            if self.command == "HEAD":
                return self._send(405)
            return self._send(200, body=b"ok")
        if path in ("/huge", "/drip"):
            if self.command == "HEAD":
                return self._send(405)
            self.send_response(200)
            self.send_header("Content-Length", str(2 * 1024**3))
            self.end_headers()
            chunk = b"x" * (64 * 1024 if path == "/huge" else 1)
            try:
                for _ in range(2 * 1024**3 // len(chunk)):
                    self.wfile.write(chunk)
                    if path == "/drip":
                        self.wfile.flush()
                        time.sleep(0.4)
            except OSError:
                pass
            return None
        return self._send(404)

    do_GET = _route
    do_HEAD = _route


@pytest.fixture(scope="module")
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def check(url):
    checker = Checker()
    try:
        return checker.check(url)
    finally:
        checker.close()


@pytest.mark.parametrize(
    ("path", "outcome", "status"),
    [
        ("/ok", Outcome.OK, 200),
        ("/missing", Outcome.BROKEN, 404),
        ("/gone", Outcome.BROKEN, 410),
        ("/error", Outcome.SERVER_ERROR, 500),
        ("/moved", Outcome.MOVED, 200),
        ("/temporary", Outcome.OK, 200),
        ("/head-refused", Outcome.OK, 200),
        ("/huge", Outcome.OK, 200),
        ("/loop", Outcome.TOO_MANY_REDIRECTS, None),
        ("/chain/1", Outcome.TOO_MANY_REDIRECTS, None),
        ("/to-private", Outcome.NOT_PUBLIC, None),
        ("/to-metadata", Outcome.NOT_PUBLIC, None),
        ("/slow", Outcome.TIMEOUT, None),
        ("/drip", Outcome.TIMEOUT, None),
        ("/trickle-headers", Outcome.TIMEOUT, None),
        ("/private/secret", Outcome.ROBOTS, None),
    ],
)
def test_each_kind_of_answer_is_classified_within_the_time_limit(
    site, settings, path, outcome, status
):
    result = check(site + path)
    assert result.outcome == outcome, result
    assert result.status_code == status
    limit = settings.LINKS_TIMEOUTS["total"] + 1.5
    assert result.milliseconds < limit * 1000, result.milliseconds


def test_a_permanent_redirect_proposes_the_new_address_and_records_the_chain(site, db):
    link = Link.objects.create(url=site + "/moved")
    link = link_check_record(link=link, result=check(link.url))
    assert link.proposed_url == site + "/ok"
    assert link.url == site + "/moved", "the address is never rewritten by the robot"
    record = LinkCheck.objects.get(link=link)
    assert record.redirects == [site + "/moved"] and record.final_url == site + "/ok"


def test_a_refused_connection_is_recorded_and_does_not_stop_the_run(site, db):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    ResourceFactory(uid="a", slug="a").versions.update(url=f"http://127.0.0.1:{closed_port}/x")
    ResourceFactory(uid="b", slug="b").versions.update(url=site + "/ok")
    out = io.StringIO()
    call_command("check_links", stdout=out)
    assert "checked 2 links" in out.getvalue()
    outcomes = dict(Link.objects.values_list("url", "last_outcome"))
    assert outcomes[site + "/ok"] == Outcome.OK
    assert outcomes[f"http://127.0.0.1:{closed_port}/x"] == Outcome.CONNECTION_ERROR


class RecordingListener:
    """A listening socket that counts every connection made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.running = False
        self.sock.close()


SSRF_HOSTS = [
    "127.0.0.1", "localhost", "127.1", "2130706433", "0x7f000001", "0177.0.0.1",
    "[::ffff:127.0.0.1]", "[::1]", "0.0.0.0", "10.0.0.1", "172.16.0.1", "192.168.1.1",
    "169.254.169.254", "100.64.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255",
    "[fe80::1]", "[fc00::1]", "[::]", "[ff02::1]", "[2002:7f00:1::1]", "[2002:a00:1::1]",
]  # fmt: skip


def test_no_address_that_is_not_public_is_ever_connected_to(settings):
    settings.LINKS_ALLOWED_ADDRESSES = []
    listener = RecordingListener()
    try:
        for host in SSRF_HOSTS:
            for scheme in ("http", "https"):
                result = check(f"{scheme}://{host}:{listener.port}/latest/meta-data/")
                assert result.outcome == Outcome.NOT_PUBLIC, (host, result)
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()


@pytest.mark.parametrize(
    "url", ["ftp://example.org/x", "javascript:alert(1)", "file:///etc/passwd"]
)
def test_only_http_and_https_are_fetched(url):
    assert check(url).outcome == Outcome.NOT_PUBLIC


def _fail(link, when):
    return link_check_record(link=link, result=CheckResult(Outcome.BROKEN, 404), now=when)


def test_broken_only_after_three_failures_at_least_two_days_apart(db):
    start = timezone.now()
    link = Link.objects.create(url="https://example.org/a")
    assert not _fail(link, start).is_broken
    assert not _fail(link, start + datetime.timedelta(days=1)).is_broken
    assert _fail(link, start + datetime.timedelta(days=2)).is_broken


def test_one_bad_night_does_not_flag_a_link(db):
    start = timezone.now()
    link = Link.objects.create(url="https://example.org/b")
    for hours in (0, 1, 2, 3):
        link = _fail(link, start + datetime.timedelta(hours=hours))
    assert not link.is_broken and link.failures == 4
    link = link_check_record(link=link, result=CheckResult(Outcome.OK, 200), now=start)
    assert link.failures == 0 and link.failing_since is None


def test_a_changed_document_is_noticed(db):
    link = Link.objects.create(url="https://example.org/c")
    ok = CheckResult(Outcome.OK, 200, fingerprint='100|"v1"|')
    link = link_check_record(link=link, result=ok)
    assert link.changed_at is None
    link = link_check_record(
        link=link, result=CheckResult(Outcome.OK, 200, fingerprint='120|"v2"|')
    )
    assert link.changed_at is not None


def test_the_public_page_says_when_a_link_may_not_work(client, db):
    resource = ResourceFactory(uid="r", slug="r")
    resource.versions.update(url="https://example.org/report.pdf")
    worked = timezone.make_aware(datetime.datetime(2026, 11, 1, 12))
    Link.objects.create(url="https://example.org/report.pdf", is_broken=True, last_ok_at=worked)
    html = client.get("/resources/r/").content.decode()
    assert "This link may not work at the moment" in html
    assert "It last worked on 1 November 2026" in html
    assert [r.uid for r in resources_needing_attention()] == ["r"]
    # It works again, as the link checker records it (which dates the page anew).
    link_check_record(link=Link.objects.get(), result=CheckResult(Outcome.OK, 200))
    assert "may not work" not in client.get("/resources/r/").content.decode()
    assert list(resources_needing_attention()) == []


def test_csv_cells_cannot_become_formulas(db):
    for cell, safe in [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2", "'-2"), ("@x", "'@x"),
                       ("https://example.org", "https://example.org")]:  # fmt: skip
        assert spreadsheet_safe(cell) == safe
    Link.objects.create(url='=HYPERLINK("http://evil")', proposed_url="@cmd")
    text = links_csv(Link.objects.all())
    assert "'=HYPERLINK" in text and "'@cmd" in text


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "must start with http:// or https://"),
        ("https://user:pw@example.org/", "must not hold a user name or password"),
        ("https://example.org/a b", "contains spaces"),
    ],
)
def test_the_staff_forms_refuse_bad_addresses_with_the_reason(admin_client, url, message):
    response = admin_client.post(
        "/staff/admin/catalogue/organisation/add/", {"name": "Org", "slug": "org", "url": url}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    from signpost.catalogue.models import Organisation

    assert not Organisation.objects.filter(slug="org").exists()


def test_the_staff_forms_accept_international_addresses(admin_client):
    from signpost.catalogue.models import Organisation

    url = "https://bücher.example:8443/über#uns"
    admin_client.post(
        "/staff/admin/catalogue/organisation/add/", {"name": "Org", "slug": "org", "url": url}
    )
    assert Organisation.objects.get(slug="org").url == url


def test_a_version_without_an_address_offers_the_publisher_s_home_page(client, db):
    from signpost.catalogue.models import Organisation

    publisher = Organisation.objects.create(
        name="Hibiscus Initiatives", slug="hibiscus", url="https://hibiscus.example/"
    )
    ResourceFactory(uid="h", slug="h", organisations=[publisher])
    html = client.get("/resources/h/").content.decode()
    assert "No link of its own yet." in html
    assert 'href="https://hibiscus.example/"' in html
    assert "Find it on the website of Hibiscus Initiatives" in html
    assert "(the organisation\u2019s own website, not this document)" in html


def test_a_resource_s_staff_page_shows_its_link_history(admin_client):
    resource = ResourceFactory(uid="s", slug="s")
    resource.versions.update(url="https://example.org/<b>report</b>.pdf")
    link = Link.objects.create(url="https://example.org/<b>report</b>.pdf")
    for days in (0, 1, 2):
        link = _fail(link, timezone.now() + datetime.timedelta(days=days))
    html = admin_client.get(
        f"/staff/admin/catalogue/resource/{resource.pk}/change/"
    ).content.decode()
    assert "Links and their last checks" in html
    assert "broken (recent checks:" in html
    assert "&lt;b&gt;report&lt;/b&gt;" in html and "<b>report</b>" not in html
