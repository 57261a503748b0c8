"""Import and export through the management commands, as an operator runs them."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from signpost.catalogue.models import Organisation, Resource, Topic, Version

from .conftest import DEMO_FILE
from .documents_support import pdf


def export_text(tmp_path, name="out.jsonl"):
    path = tmp_path / name
    call_command("export_resources", str(path), stdout=io.StringIO())
    return path.read_bytes()


def write_lines(tmp_path, records, name="in.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return path


def minimal(uid="one", **fields):
    return {"id": uid, "title": f"Title {uid}", "resource_type": "report", **fields}


def test_demo_catalogue_has_every_seed_entry(demo):
    assert Resource.objects.count() == 61
    assert Resource.objects.published().count() >= 55
    updates = Resource.objects.filter(resource_type="update")
    assert updates.count() == 3
    assert updates.values("series").distinct().count() == 1
    be_safe = Resource.objects.get(uid="osce-be-safe-ukraine")
    assert sorted(be_safe.versions.values_list("language", flat=True)) == ["en", "ru", "uk"]
    wmasn = Resource.objects.get(uid="wmasn-accessing-support-adult")
    assert set(wmasn.versions.values_list("language", flat=True)) == {
        "en",
        "zh",
        "bg",
        "lv",
        "sk",
        "lt",
        "ro",
        "rom",
        "pl",
        "vi",
        "sq",
    }


def test_round_trip_is_byte_identical(demo, tmp_path):
    first = export_text(tmp_path, "first.jsonl")
    Resource.objects.all().delete()
    call_command("import_resources", str(tmp_path / "first.jsonl"), stdout=io.StringIO())
    second = export_text(tmp_path, "second.jsonl")
    assert first == second
    assert len(first.splitlines()) == 61


def test_import_twice_updates_and_never_duplicates(db, tmp_path):
    path = write_lines(tmp_path, [minimal("a", topics=["Child trafficking"]), minimal("b")])
    out = io.StringIO()
    call_command("import_resources", str(path), stdout=out)
    assert "2 created, 0 updated" in out.getvalue()
    path = write_lines(
        tmp_path, [minimal("a", title="Changed", topics=["child TRAFFICKING"]), minimal("b")]
    )
    out = io.StringIO()
    call_command("import_resources", str(path), stdout=out)
    assert "0 created, 2 updated" in out.getvalue()
    assert Resource.objects.count() == 2
    assert Resource.objects.get(uid="a").title == "Changed"
    assert Topic.objects.count() == 1, "terms match case-insensitively"


def test_terms_are_created_when_missing_and_matched_case_insensitively(db, tmp_path):
    Organisation.objects.create(name="Human Trafficking Foundation", slug="htf")
    record = minimal(
        "a",
        organisations=[{"name": "human trafficking foundation", "role": "publisher"}],
        topics=["New topic"],
    )
    call_command("import_resources", str(write_lines(tmp_path, [record])), stdout=io.StringIO())
    resource = Resource.objects.get(uid="a")
    assert list(resource.organisations.values_list("slug", flat=True)) == ["htf"]
    assert Topic.objects.get(name="New topic").slug == "new-topic"


def test_a_bad_file_writes_nothing_and_names_every_bad_line(demo, tmp_path):
    before = export_text(tmp_path, "before.jsonl")
    lines = [
        minimal("fine-one"),
        "{not json",
        minimal("bad-type", resource_type="novel"),
        minimal("bad-date", published="2021-13"),
        minimal("bad-language", versions=[{"language": "xx", "format": "pdf"}]),
        minimal("fine-one"),
        minimal("unagreed", status="published"),
        minimal("bad-related", related=["nowhere"]),
    ]
    with pytest.raises(CommandError) as error:
        call_command("import_resources", str(write_lines(tmp_path, lines)), stdout=io.StringIO())
    message = str(error.value)
    assert "nothing was written" in message
    assert "line 2: is not valid JSON" in message
    assert "line 3, field resource_type" in message
    assert "line 4, field published" in message
    assert "line 5, field versions[0].language" in message
    assert "line 6, field id: 'fine-one' is already used on line 1" in message
    assert "line 7, field owner_agreement.by" in message
    assert "line 8, field related" in message
    assert not Resource.objects.filter(uid="fine-one").exists()
    assert export_text(tmp_path, "after.jsonl") == before


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe not utf-8",
        b"[1, 2, 3]\n",
        b'{"id": "x"}\n',
        b'{"id": "Bad Id!", "title": "t", "resource_type": "report"}\n',
    ],
)
def test_malformed_files_give_a_clear_error(db, tmp_path, content):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(CommandError):
        call_command("import_resources", str(path), stdout=io.StringIO())
    assert Resource.objects.count() == 0


def test_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_resources", str(tmp_path / "missing.jsonl"), stdout=io.StringIO())


def test_versions_keep_their_order_languages_and_urls(db, tmp_path):
    record = minimal(
        "a",
        versions=[
            {"language": "uk", "format": "pdf", "url": "https://example.org/uk.pdf", "title": ""},
            {"language": "en", "format": "web", "url": "", "title": "English page"},
        ],
    )
    call_command("import_resources", str(write_lines(tmp_path, [record])), stdout=io.StringIO())
    versions = list(
        Version.objects.filter(resource__uid="a").values_list("language", "format", "url")
    )
    assert versions == [("uk", "pdf", "https://example.org/uk.pdf"), ("en", "web", "")]


def test_export_to_standard_output(demo, capsys):
    Version.objects.exclude(file="").delete()  # files can only travel in a folder
    call_command("export_resources", stdout=io.StringIO(), stderr=io.StringIO())
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 61
    assert json.loads(lines[0])["id"] < json.loads(lines[1])["id"]


def test_load_demo_leaves_a_catalogue_with_resources_alone(demo):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "not loaded" in out.getvalue()
    assert Resource.objects.count() == 61


def test_demo_file_is_in_the_export_format(demo, tmp_path):
    assert export_text(tmp_path) == DEMO_FILE.read_bytes()


SEPARATORS = "\u2028\u2029\x85\x0b\x0c\x1c\x1d\x1e\r"


def _round_trip(tmp_path, records):
    """Import, export, empty, import the export, export again: both exports' bytes."""
    call_command("import_resources", str(write_lines(tmp_path, records)), stdout=io.StringIO())
    first = export_text(tmp_path, "first.jsonl")
    Resource.objects.all().delete()
    call_command("import_resources", str(tmp_path / "first.jsonl"), stdout=io.StringIO())
    return first, export_text(tmp_path, "second.jsonl")


def test_every_line_separator_survives_the_round_trip(db, tmp_path):
    summary = "".join(f"part {i}{ch}" for i, ch in enumerate(SEPARATORS)) + "end"
    records = [minimal("a", summary=summary, title="Title\u2028with a separator"), minimal("b")]
    first, second = _round_trip(tmp_path, records)
    assert first == second
    assert first.count(b"\n") == 2
    assert len(first.decode("utf-8").splitlines()) == 2, "no reader should see a third line"
    assert Resource.objects.get(uid="a").summary == summary


@given(
    title=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        min_size=1,
        max_size=60,
    ),
    summary=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=200
    ),
)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_any_unicode_round_trips_byte_for_byte(db, tmp_path, title, summary):
    assume(title.strip())
    Resource.objects.all().delete()
    first, second = _round_trip(tmp_path, [minimal("a", title=title, summary=summary)])
    assert first == second
    assert first.count(b"\n") == 1


def test_a_file_with_a_byte_order_mark_is_read(db, tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(minimal("a")).encode() + b"\r\n")
    call_command("import_resources", str(path), stdout=io.StringIO())
    assert Resource.objects.filter(uid="a").exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("[" * 5000 + "]" * 5000, "line 2: nests more than 4 levels deep"),
        ('{"id": ' + "[" * 3000 + "]" * 3000 + "}", "line 2: nests more than 4 levels"),
        ('{"id": "x", "title": "t", "resource_type": "report", "n": ' + "9" * 5000 + "}",
         "line 2: is not valid JSON (a number longer than 20 digits)"),
        (json.dumps(minimal("x", topics=[f"t{i}" for i in range(51)])),
         "line 2, field topics: has 51 items; at most 50 are allowed"),
        (json.dumps(minimal("x", versions=[{"language": "en", "format": "pdf"}] * 51)),
         "line 2, field versions: has 51 items; at most 50 are allowed"),
        (json.dumps(minimal("x", title="x" * 301)),
         "line 2, field title: is longer than 300 characters"),
        ('{"id": "x", "title": "\\ud800", "resource_type": "report"}',
         "line 2, field title: contains an unpaired surrogate"),
        ('{"id": "x", "title": NaN, "resource_type": "report"}', "line 2: is not valid JSON"),
        (json.dumps(minimal("x", published="\uff12\uff10\uff12\uff11")),
         "line 2, field published: '\uff12\uff10\uff12\uff11' is not a date"),
        (json.dumps(minimal("x", review_by="\u0662\u0660\u0662\u0661-01-01")),
         "line 2, field review_by:"),
        (json.dumps(minimal("x", review_by="2021-1-1")), "line 2, field review_by:"),
    ],
)  # fmt: skip
def test_oversized_or_malformed_lines_are_named_and_nothing_is_written(db, tmp_path, line, message):
    path = write_lines(tmp_path, [minimal("fine"), line])
    with pytest.raises(CommandError) as error:
        call_command("import_resources", str(path), stdout=io.StringIO())
    assert message in str(error.value)
    assert Resource.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://example.org/a b", "spaces"),
        ("https://user:secret@example.org/", "user name or password"),
        ("javascript:alert(1)", "http:// or https://"),
        ("data:text/html,hi", "http:// or https://"),
        ("ftp://example.org/x", "http:// or https://"),
    ],
)
def test_bad_addresses_are_refused_with_the_reason(db, tmp_path, url, problem):
    record = minimal("a", versions=[{"language": "en", "format": "pdf", "url": url}])
    with pytest.raises(CommandError) as error:
        call_command("import_resources", str(write_lines(tmp_path, [record])), stdout=io.StringIO())
    assert problem in str(error.value)


def test_international_domains_ports_and_fragments_are_addresses(db, tmp_path):
    urls = [
        "https://bücher.example/a#part-2",
        "http://example.org:8080/x?y=1",
        "https://[2001:db8::1]/",
    ]
    versions = [
        {"language": code, "format": "pdf", "url": u}
        for code, u in zip(["en", "uk", "ru"], urls, strict=True)
    ]
    call_command(
        "import_resources",
        str(write_lines(tmp_path, [minimal("a", versions=versions)])),
        stdout=io.StringIO(),
    )
    assert sorted(Version.objects.values_list("url", flat=True)) == sorted(urls)


def test_files_and_home_pages_travel_with_the_export(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    source = tmp_path / "in.jsonl"
    (tmp_path / "in.files" / "versions").mkdir(parents=True)
    leaflet = pdf(["A test leaflet."])
    (tmp_path / "in.files" / "versions" / "leaflet.pdf").write_bytes(leaflet)
    organisation = {"name": "Example Org", "role": "publisher", "url": "https://example.org/"}
    record = minimal(
        "a",
        organisations=[organisation],
        versions=[{"language": "en", "format": "pdf", "file": "versions/leaflet.pdf"}],
    )
    source.write_text(json.dumps(record) + "\n")
    call_command("import_resources", str(source), stdout=io.StringIO())
    assert Organisation.objects.get(name="Example Org").url == "https://example.org/"
    first = export_text(tmp_path, "first.jsonl")
    exported = json.loads(first)
    assert exported["organisations"][0]["url"] == "https://example.org/"
    stored = exported["versions"][0]["file"]
    assert stored == "title-a-en-pdf.pdf"
    assert (tmp_path / "first.files" / stored).read_bytes() == leaflet

    Resource.objects.all().delete()
    Organisation.objects.all().delete()
    settings.MEDIA_ROOT = tmp_path / "other-media"
    call_command("import_resources", str(tmp_path / "first.jsonl"), stdout=io.StringIO())
    assert export_text(tmp_path, "second.jsonl") == first
    assert (tmp_path / "second.files" / stored).read_bytes() == leaflet


def test_a_file_outside_the_file_folder_is_refused(db, tmp_path):
    record = minimal("a", versions=[{"language": "en", "format": "pdf", "file": "../secret.pdf"}])
    with pytest.raises(CommandError, match="relative path inside the file folder"):
        call_command("import_resources", str(write_lines(tmp_path, [record])), stdout=io.StringIO())


def test_a_slug_given_later_that_a_title_already_made_is_named(db, tmp_path):
    lines = [minimal("a", title="Modern slavery"), minimal("b", slug="modern-slavery")]
    with pytest.raises(CommandError) as error:
        call_command("import_resources", str(write_lines(tmp_path, lines)), stdout=io.StringIO())
    assert "line 2, field slug: 'modern-slavery' was made from the title of 'a'" in str(error.value)
    assert Resource.objects.count() == 0


def test_a_title_of_spaces_is_missing(db, tmp_path):
    with pytest.raises(CommandError, match="line 1, field title: is required"):
        call_command(
            "import_resources",
            str(write_lines(tmp_path, [minimal("a", title="   ")])),
            stdout=io.StringIO(),
        )


def test_publishing_again_keeps_the_first_publication_time(db, tmp_path):
    agreed = {"by": "Owner", "on": None, "how": "Email"}
    published = minimal("a", status="published", owner_agreement=agreed)
    call_command("import_resources", str(write_lines(tmp_path, [published])), stdout=io.StringIO())
    first = Resource.objects.get(uid="a").published_at
    for status in ("withdrawn", "published"):
        record = {**published, "status": status}
        call_command("import_resources", str(write_lines(tmp_path, [record])), stdout=io.StringIO())
    assert Resource.objects.get(uid="a").published_at == first


def test_files_are_stored_by_content_and_removed_when_the_import_fails(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "in.files").mkdir()
    (tmp_path / "in.files" / "report.pdf").write_bytes(pdf(["First."]))
    version = {"language": "en", "format": "pdf", "file": "report.pdf"}
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(minimal("a", versions=[version])) + "\n")
    call_command("import_resources", str(source), stdout=io.StringIO())
    first = Version.objects.get(resource__uid="a").file.name
    (tmp_path / "in.files" / "report.pdf").write_bytes(pdf(["Corrected."]))
    call_command("import_resources", str(source), stdout=io.StringIO())
    second = Version.objects.get(resource__uid="a").file.name
    assert first != second, "a changed file is stored anew, never confused with the old one"

    (tmp_path / "in.files" / "new.pdf").write_bytes(pdf(["Never kept."]))
    bad = [
        minimal("b", versions=[{"language": "en", "format": "pdf", "file": "new.pdf"}]),
        minimal("c", related=["nowhere"]),
    ]
    source.write_text("\n".join(json.dumps(r) for r in bad) + "\n")
    before = sorted(p.name for p in (tmp_path / "media").rglob("*") if p.is_file())
    with pytest.raises(CommandError):
        call_command("import_resources", str(source), stdout=io.StringIO())
    after = sorted(p.name for p in (tmp_path / "media").rglob("*") if p.is_file())
    assert after == before


def test_a_link_in_the_file_folder_is_refused(db, tmp_path):
    (tmp_path / "secret.txt").write_text("not for the public")
    (tmp_path / "in.files").mkdir()
    (tmp_path / "in.files" / "innocent.pdf").symlink_to(tmp_path / "secret.txt")
    record = minimal("a", versions=[{"language": "en", "format": "pdf", "file": "innocent.pdf"}])
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(record) + "\n")
    with pytest.raises(CommandError, match="is a link, not a file"):
        call_command("import_resources", str(source), stdout=io.StringIO())


def test_a_changed_abbreviation_reaches_every_resource_of_the_organisation(db, tmp_path):
    from signpost.search.engine import SearchParams, search

    org = {"name": "Example Org", "role": "publisher", "abbreviation": "EXO"}
    agreed = {"by": "Owner", "on": None, "how": "Email"}
    records = [
        minimal(uid, status="published", owner_agreement=agreed, organisations=[org])
        for uid in ("a", "b")
    ]
    call_command("import_resources", str(write_lines(tmp_path, records)), stdout=io.StringIO())
    renamed = {**records[0], "organisations": [{**org, "abbreviation": "XMPL"}]}
    call_command("import_resources", str(write_lines(tmp_path, [renamed])), stdout=io.StringIO())
    assert sorted(r.uid for r in search(SearchParams(q="XMPL")).resources) == ["a", "b"]
    out = io.StringIO()
    call_command("check_index", stdout=out)
    assert "agrees" in out.getvalue()
