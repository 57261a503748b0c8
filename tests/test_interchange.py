"""Import and export through the management commands, as an operator runs them."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from signpost.catalogue.models import Organisation, Resource, Topic, Version

from .conftest import DEMO_FILE


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
    assert Resource.objects.count() == 59
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
    assert len(first.splitlines()) == 59


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
    call_command("export_resources", stdout=io.StringIO(), stderr=io.StringIO())
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 59
    assert json.loads(lines[0])["id"] < json.loads(lines[1])["id"]


def test_load_demo_leaves_a_catalogue_with_resources_alone(demo):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "not loaded" in out.getvalue()
    assert Resource.objects.count() == 59


def test_demo_file_is_in_the_export_format(demo, tmp_path):
    assert export_text(tmp_path) == DEMO_FILE.read_bytes()
