"""Uploaded documents: checked by their bytes, stored once, read in a sandbox, found by the
words inside them, drawn as thumbnails, and served so that they can never act as a page."""

from __future__ import annotations

import re
import zipfile
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.management.base import CommandError

from signpost.catalogue.models import Resource, StoredFile, TextState, Version
from signpost.documents import reader

from .documents_support import (
    DEMO_DOCUMENTS,
    DEMO_LEAFLET,
    docx,
    encrypted_pdf,
    image,
    import_files,
    noise_png,
    odt,
    pdf,
    pptx,
    record,
)

KINDS = {
    "pdf": lambda words: pdf(["A first page about safe work.", f"The second page: {words}."]),
    "docx": lambda words: docx(
        ["A first page about safe work.", f"Then: {words}."], page_break_after=0
    ),
    "pptx": lambda words: pptx(["Safe work. A first slide.", f"Second slide. {words}."]),
    "odt": lambda words: odt(["A document about safe work.", f"It says: {words}."]),
}
IMAGES = {"png": "png", "jpeg": "jpg"}


def _imported(tmp_path, capture, name, content, **fields):
    versions = [{"language": "en", "format": "pdf", "file": name}]
    import_files(tmp_path, {name: content}, [record("one", versions, **fields)], capture)
    return Resource.objects.get(uid="one")


def _refusal(tmp_path, capture, name, content) -> str:
    with pytest.raises(CommandError) as error:
        _imported(tmp_path, capture, name, content)
    assert Resource.objects.count() == 0
    assert not StoredFile.objects.exists()
    return str(error.value)


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_document_kind_is_read_found_by_an_inner_word_and_drawn(
    db, tmp_path, client, django_capture_on_commit_callbacks, kind
):
    content = KINDS[kind]("marigold lighthouses")
    resource = _imported(tmp_path, django_capture_on_commit_callbacks, f"leaflet.{kind}", content)
    stored = StoredFile.objects.get()
    assert stored.text_state == TextState.READ, stored.text_note
    assert stored.media_type == reader.KINDS[kind][0]
    page = 1 if kind == "odt" else 2
    assert "marigold lighthouses" in stored.pages.get(number=page).text
    if kind != "odt":  # ODT files made here carry no picture of their first page
        assert stored.thumbnail and stored.thumbnail_width == 160
        assert default_storage.open(stored.thumbnail).read(4) == b"RIFF"

    response = client.get("/resources/", {"q": "lighthouse"})
    html = response.content.decode()
    assert resource.get_absolute_url() in html
    assert "Found inside the document" in html
    assert f"English, page {page}</a>" in html
    assert "<mark>lighthouses</mark>" in html


@pytest.mark.parametrize("kind", list(IMAGES))
def test_an_image_is_kept_and_drawn_and_listed_as_having_no_text(
    db, tmp_path, django_capture_on_commit_callbacks, kind
):
    _imported(tmp_path, django_capture_on_commit_callbacks, f"poster.{IMAGES[kind]}", image(kind))
    stored = StoredFile.objects.get()
    assert stored.media_type == f"image/{kind}"
    assert stored.text_state == TextState.NO_TEXT
    assert (stored.thumbnail_width, stored.thumbnail_height) == (160, 224)


def test_polish_and_ukrainian_leaflets_are_found_by_words_only_inside_them(
    db, tmp_path, client, django_capture_on_commit_callbacks
):
    files = {
        f"leaflet-{code}.pdf": (DEMO_DOCUMENTS / DEMO_LEAFLET.format(code)).read_bytes()
        for code in ("pl", "uk")
    }
    versions = [
        {"language": code, "format": "pdf", "file": f"leaflet-{code}.pdf"} for code in ("pl", "uk")
    ]
    import_files(tmp_path, files, [record("one", versions)], django_capture_on_commit_callbacks)
    for word, language, name in (
        ("wynagrodzenie", "pl", "Polish"),
        ("роботодавець", "uk", "Ukrainian"),
    ):
        html = client.get("/resources/", {"q": word}).content.decode()
        assert "Leaflet one" in html, word
        assert f"{name}, page 2</a>" in html
        assert f'<span lang="{language}">' in html
        assert f"<mark>{word}</mark>" in html.lower()


def test_a_file_is_served_as_itself_and_can_never_act_as_a_page(
    db, tmp_path, client, django_capture_on_commit_callbacks
):
    content = pdf(["Cover.", "Inside."])
    resource = _imported(
        tmp_path, django_capture_on_commit_callbacks, "x.pdf", content, title="Work: rights"
    )
    version = resource.versions.get()
    response = client.get(version.href)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    # The browser's PDF viewer cannot run in a sandbox; everything else can be forbidden.
    assert response["Content-Security-Policy"] == (
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    # The title, less the characters some systems refuse in a file name ("Work: rights").
    assert 'filename="Work rights (en).pdf"' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("inline")
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    again = client.get(version.href, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    zipped = client.get(version.href, HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in zipped and zipped["ETag"] == response["ETag"]
    cover = client.get(f"/files/{version.stored_id}/cover.webp")
    assert cover.status_code == 200 and cover["Content-Type"] == "image/webp"
    assert cover["Content-Security-Policy"].startswith("sandbox; default-src 'none'")

    # An edit writes the versions anew; the file's address stays the same.
    href = version.href
    _imported(tmp_path, django_capture_on_commit_callbacks, "x.pdf", content, title="Work: rights")
    assert Version.objects.get().pk != version.pk
    assert Version.objects.get().href == href and client.get(href).status_code == 200

    Resource.objects.filter(pk=resource.pk).update(status="withdrawn")
    assert client.get(version.href).status_code == 404
    assert client.get(f"/files/{version.stored_id}/cover.webp").status_code == 404


def test_a_word_file_is_offered_as_a_download(
    db, tmp_path, client, django_capture_on_commit_callbacks
):
    resource = _imported(tmp_path, django_capture_on_commit_callbacks, "x.docx", docx(["Hello."]))
    response = client.get(resource.versions.get().href)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


def test_the_same_file_twice_is_stored_once(db, tmp_path, django_capture_on_commit_callbacks):
    content = pdf(["One leaflet."])
    versions = [
        {"language": "en", "format": "pdf", "file": "a.pdf"},
        {"language": "cy", "format": "pdf", "file": "b.pdf"},
    ]
    import_files(
        tmp_path,
        {"a.pdf": content, "b.pdf": content},
        [record("one", versions)],
        django_capture_on_commit_callbacks,
    )
    stored = StoredFile.objects.get()
    assert set(Version.objects.values_list("file", flat=True)) == {stored.name}
    assert stored.size == len(content)
    assert re.fullmatch(r"documents/[0-9a-f]{32}\.pdf", stored.name)
    assert len(stored.sha256) == 64


def _zip(members: dict[str, bytes]) -> bytes:
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


REFUSED = {
    "drawing.svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
        "web page, SVG",
    ),
    "page.html": (b"<!DOCTYPE html><html><body>hi</body></html>", "web page, SVG"),
    "notes.zip": (None, "zip archive"),
    "setup.pdf": (b"MZ\x90\x00" + b"\x00" * 200, "a program"),
    "anim.png": (b"GIF89a" + b"\x00" * 100, "GIF image"),
    "old.docx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "old-format or password"),
    "plain.pdf": (b"just some words, not a document", "not a PDF, Word"),
    "empty.pdf": (b"", "empty"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_files_of_other_kinds_are_refused_with_the_reason(
    db, tmp_path, django_capture_on_commit_callbacks, name
):
    content, reason = REFUSED[name]
    if content is None:
        content = _zip({"a.txt": b"hello"})
    message = _refusal(tmp_path, django_capture_on_commit_callbacks, name, content)
    assert reason in message


def test_a_polyglot_is_refused(db, tmp_path, django_capture_on_commit_callbacks):
    """A PDF with a zip archive after it opens as either: it is neither, safely."""
    content = pdf(["A leaflet."]) + _zip({"evil.html": b"<script>alert(1)</script>"})
    message = _refusal(tmp_path, django_capture_on_commit_callbacks, "x.pdf", content)
    assert "can be read as PDF and a zip archive at once" in message


def test_a_picture_hiding_a_web_page_is_refused(db, tmp_path, django_capture_on_commit_callbacks):
    content = image("png")
    content = content[:33] + b"\x00\x00\x00\x1ftEXt<html><script>x()</script></html>" + content[33:]
    message = _refusal(tmp_path, django_capture_on_commit_callbacks, "x.png", content)
    assert "at once" in message


def test_a_file_named_as_another_kind_is_refused(db, tmp_path, django_capture_on_commit_callbacks):
    message = _refusal(tmp_path, django_capture_on_commit_callbacks, "x.docx", pdf(["Hi."]))
    assert "named .docx but it is a PDF" in message


def test_a_password_protected_pdf_is_refused(db, tmp_path, django_capture_on_commit_callbacks):
    message = _refusal(tmp_path, django_capture_on_commit_callbacks, "x.pdf", encrypted_pdf("Hi"))
    assert "protected by a password" in message


def test_a_damaged_pdf_is_refused(db, tmp_path, django_capture_on_commit_callbacks):
    message = _refusal(
        tmp_path, django_capture_on_commit_callbacks, "x.pdf", b"%PDF-1.7\n" + b"\x13" * 400
    )
    assert "damaged" in message


def test_an_office_file_with_macros_is_refused(db, tmp_path, django_capture_on_commit_callbacks):
    content = docx(["Hello."])
    with zipfile.ZipFile(__import__("io").BytesIO(content)) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members["word/vbaProject.bin"] = b"\x00" * 64
    message = _refusal(tmp_path, django_capture_on_commit_callbacks, "x.docx", _zip(members))
    assert "macros" in message


def test_a_zip_bomb_inside_a_docx_is_refused(db, tmp_path, django_capture_on_commit_callbacks):
    content = docx(["Hello."])
    with zipfile.ZipFile(__import__("io").BytesIO(content)) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members["word/media/image1.png"] = b"\x00" * (400 * 1024 * 1024)
    bomb = _zip(members)
    assert len(bomb) < 1024 * 1024
    message = _refusal(tmp_path, django_capture_on_commit_callbacks, "x.docx", bomb)
    assert "zip bomb" in message


def _many_pages_pdf(count: int) -> bytes:
    """A PDF of `count` empty pages, written by hand: no library makes one this long quickly."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + i} 0 R" for i in range(count)).encode()
    objects.append(b"<< /Type /Pages /Count %d /Kids [%s] >>" % (count, kids))
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"] * count
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_a_pdf_of_100000_pages_is_refused(db, tmp_path, django_capture_on_commit_callbacks):
    message = _refusal(
        tmp_path, django_capture_on_commit_callbacks, "x.pdf", _many_pages_pdf(100_000)
    )
    assert "100,000 pages" in message


def test_a_jpeg_declaring_a_huge_size_is_refused(db, tmp_path, django_capture_on_commit_callbacks):
    content = bytearray(image("jpeg"))
    frame = content.index(b"\xff\xc0")
    content[frame + 5 : frame + 9] = (60000).to_bytes(2, "big") * 2
    message = _refusal(tmp_path, django_capture_on_commit_callbacks, "x.jpg", bytes(content))
    assert "too large to show safely" in message


def test_a_file_that_keeps_the_reader_busy_is_stopped_and_kept_unread(
    db, tmp_path, client, settings, django_capture_on_commit_callbacks
):
    """Reading stops at the time limit; the version stays published with its file, and the
    file is recorded as unreadable for editors."""
    settings.DOCUMENT_READ_SECONDS = 1
    # One page of 1.6 million text drawing operations, compressed to about 200 KB: quick to
    # open and count, and several seconds of work to read (about 2.3 s per 800,000 here).
    operations = b"(abcdefghijklmnopqrstuvwxyz) Tj 0.37 0.11 Td " * 1_600_000
    stream = zlib.compress(b"BT /F1 1 Tf " + operations + b"ET", 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    resource = _imported(tmp_path, django_capture_on_commit_callbacks, "slow.pdf", bytes(out))
    stored = StoredFile.objects.get()
    assert stored.text_state == TextState.FAILED
    assert "could not be read" in stored.text_note
    assert resource.status == "published"
    assert client.get(resource.versions.get().href).status_code == 200


def test_an_upload_larger_than_the_limit_is_refused_before_it_is_read(client, db):
    response = client.post(
        "/staff/submissions/new/",
        data=b"x" * 10,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(2 * 1024**3),
    )
    assert response.status_code == 413
    assert "larger than 50 MB" in response.content.decode()


def _editor_posts_upload(people, resource, upload, **version):
    from .editorial_support import client_for, resource_form

    editor = client_for(people["editor"])
    page = editor.get(f"/staff/editor/resources/{resource.pk}/").content.decode()
    seen = re.search(r'name="seen" value="([^"]+)"', page)[1]
    assert 'enctype="multipart/form-data"' in page
    data = resource_form(
        publisher=people["org_a"],
        seen=seen,
        versions=[{"language": "pl", "format": "pdf", "url": "", **version}],
    )
    data["versions-0-upload"] = upload
    return editor, editor.post(f"/staff/editor/resources/{resource.pk}/", data)


def test_an_editor_uploads_a_file_and_the_public_finds_the_words_inside(
    people, client, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import ResourceFactory

    resource = ResourceFactory(title="Guide", organisations=[people["org_a"]])
    content = (DEMO_DOCUMENTS / DEMO_LEAFLET.format("pl")).read_bytes()
    upload = SimpleUploadedFile("ulotka.pdf", content, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        _, response = _editor_posts_upload(people, resource, upload)
    assert response.status_code == 302, response.content.decode()[:2000]
    version = Version.objects.select_related("resource").get(resource=resource)
    assert version.stored is not None and version.stored.sha256
    page = client.get(resource.get_absolute_url()).content.decode()
    assert version.href in page and "KB, 2&nbsp;pages</span>" in page
    assert f"/files/{version.stored_id}/cover.webp" in page
    found = client.get("/resources/", {"q": "wynagrodzenie"}).content.decode()
    assert "Polish, page 2</a>" in found


def test_a_refused_upload_is_named_beside_its_field_and_the_form_is_kept(
    people, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import ResourceFactory

    resource = ResourceFactory(title="Guide", organisations=[people["org_a"]])
    upload = SimpleUploadedFile(
        "leaflet.pdf", b"<svg><script>alert(1)</script></svg>", content_type="application/pdf"
    )
    _, response = _editor_posts_upload(people, resource, upload, title="Ulotka")
    html = response.content.decode()
    assert response.status_code == 422
    assert "“leaflet.pdf” was not accepted. The file is a web page, SVG or XML file" in html
    assert 'value="Ulotka"' in html
    assert not StoredFile.objects.exists()


def test_an_accepted_upload_is_kept_when_another_field_needs_correcting(
    people, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import ResourceFactory

    resource = ResourceFactory(title="Guide", organisations=[people["org_a"]])
    upload = SimpleUploadedFile("a.pdf", pdf(["Hello."]), content_type="application/pdf")
    _, response = _editor_posts_upload(people, resource, upload, language="")
    html = response.content.decode()
    assert response.status_code == 422
    assert "Choose the language the file is in." in html
    stored = StoredFile.objects.get()
    assert f'name="versions-0-file" value="{stored.name}"' in html
    assert "File: <strong>PDF</strong>" in html


@pytest.fixture
def s3_storage(settings, monkeypatch):
    """Uploaded files in a real S3-compatible server on 127.0.0.1 (moto's server mode)."""
    import socket

    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "signpost-test",
        "AWS_SECRET_ACCESS_KEY": "signpost-test",
        "AWS_DEFAULT_REGION": "eu-west-2",
    }.items():
        monkeypatch.setenv(name, value)
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2")
    client.create_bucket(
        Bucket="signpost-files", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "signpost-files",
                "endpoint_url": endpoint,
                "region_name": "eu-west-2",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    yield client
    server.stop()


def test_files_live_in_s3_compatible_storage_when_configured(
    db, tmp_path, client, s3_storage, django_capture_on_commit_callbacks
):
    content = (DEMO_DOCUMENTS / DEMO_LEAFLET.format("uk")).read_bytes()
    versions = [{"language": "uk", "format": "pdf", "file": "ulotka.pdf"}]
    import_files(
        tmp_path,
        {"ulotka.pdf": content},
        [record("one", versions)],
        django_capture_on_commit_callbacks,
    )
    stored = StoredFile.objects.get()
    keys = {o["Key"] for o in s3_storage.list_objects_v2(Bucket="signpost-files")["Contents"]}
    assert keys == {stored.name, stored.thumbnail}
    body = s3_storage.get_object(Bucket="signpost-files", Key=stored.name)["Body"].read()
    assert body == content
    assert not (tmp_path / "media").exists(), "nothing was written to the local folder"
    assert stored.text_state == TextState.READ and stored.pages.count() == 2

    version = Version.objects.get()
    response = client.get(version.href)
    assert b"".join(response.streaming_content) == content
    html = client.get("/resources/", {"q": "роботодавець"}).content.decode()
    assert "Ukrainian, page 2</a>" in html


def test_the_api_gives_the_passage_and_the_file_address(
    db, tmp_path, client, django_capture_on_commit_callbacks
):
    content = (DEMO_DOCUMENTS / DEMO_LEAFLET.format("pl")).read_bytes()
    versions = [{"language": "pl", "format": "pdf", "file": "ulotka.pdf"}]
    import_files(
        tmp_path,
        {"ulotka.pdf": content},
        [record("one", versions)],
        django_capture_on_commit_callbacks,
    )
    version = Version.objects.get()
    found = client.get("/api/v1/resources", {"q": "wynagrodzenie"}).json()["results"][0]
    passage = found["highlight"]["passage"]
    assert passage["language"] == "pl" and passage["page"] == 2
    assert passage["url"] == f"http://testserver{version.href}#page=2"
    assert any(span["match"] and span["text"] == "wynagrodzenie" for span in passage["excerpt"])
    one = client.get("/api/v1/resources/one").json()
    assert one["versions"][0]["url"] == f"http://testserver{version.href}"
    assert "documents/" not in str(one)


def test_files_from_before_records_are_recorded_and_read(
    db, client, django_capture_on_commit_callbacks
):
    """A site upgraded with files already stored: `read_documents` checks, records and reads
    them, and search finds their words."""
    import io

    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from .factories import ResourceFactory

    resource = ResourceFactory(title="Older leaflet")
    name = default_storage.save("versions/ab/older.pdf", ContentFile(pdf(["Cover.", "quokka"])))
    Version.objects.filter(resource=resource).update(file=name)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("read_documents", stdout=out)
    assert "Recorded 1 older file(s); read: 1 read." in out.getvalue()
    version = Version.objects.get()
    assert version.stored.name == name and version.stored.pages.count() == 2
    assert "English, page 2</a>" in client.get("/resources/", {"q": "quokka"}).content.decode()


def test_a_file_past_the_limit_is_dropped_as_it_arrives_and_the_form_says_why(
    people, settings, django_capture_on_commit_callbacks
):
    """Under the door's allowance (the limit and 1 MB for the other fields) the upload is
    counted as it arrives, and dropped once past the limit; the form names the reason."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import ResourceFactory

    settings.DOCUMENT_MAX_BYTES = 20 * 1024
    resource = ResourceFactory(title="Guide", organisations=[people["org_a"]])
    big = noise_png(150)
    assert len(big) > settings.DOCUMENT_MAX_BYTES
    upload = SimpleUploadedFile("big.png", big, content_type="image/png")
    _, response = _editor_posts_upload(people, resource, upload, title="Kept")
    html = response.content.decode()
    assert response.status_code == 422
    assert "The file is larger than 20 KB, the largest Signpost accepts." in html
    assert 'value="Kept"' in html
    assert not StoredFile.objects.exists()


def test_a_photo_that_records_where_it_was_taken_is_refused(
    db, tmp_path, django_capture_on_commit_callbacks
):
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (60, 80), (10, 60, 90)).save(out, "JPEG", exif=exif)
    message = _refusal(tmp_path, django_capture_on_commit_callbacks, "x.jpg", out.getvalue())
    assert "records the place where it was taken" in message


def test_a_phone_photo_saved_as_mpo_is_a_jpeg(db, tmp_path, django_capture_on_commit_callbacks):
    import io

    from PIL import Image

    picture = Image.new("RGB", (120, 160), (10, 60, 90))
    out = io.BytesIO()
    picture.save(out, "MPO", save_all=True, append_images=[picture])
    _imported(tmp_path, django_capture_on_commit_callbacks, "photo.jpg", out.getvalue())
    stored = StoredFile.objects.get()
    assert stored.media_type == "image/jpeg" and stored.thumbnail_width == 120


def test_an_uncompressed_docx_is_accepted_and_renamed_macros_are_not(
    db, tmp_path, django_capture_on_commit_callbacks
):
    import io

    with zipfile.ZipFile(io.BytesIO(docx(["Plain words."]))) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    _imported(tmp_path, django_capture_on_commit_callbacks, "plain.docx", stored.getvalue())
    assert StoredFile.objects.get().text_state == TextState.READ

    types = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/word/innocent.bin" '
        b'ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    renamed = _zip({**members, "[Content_Types].xml": types, "word/innocent.bin": b"\0" * 64})
    Resource.objects.all().delete()
    StoredFile.objects.all().delete()
    message = _refusal(tmp_path, django_capture_on_commit_callbacks, "x.docx", renamed)
    assert "macros" in message


def _a_resource_with_an_uploaded_file(people, capture):
    """A published resource whose Polish version an editor gave an uploaded PDF: (the editor's
    client, the resource, the stored file, the editing page as it is now)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import ResourceFactory

    resource = ResourceFactory(title="Guide", organisations=[people["org_a"]])
    upload = SimpleUploadedFile("a.pdf", pdf(["Hello."]), content_type="application/pdf")
    with capture(execute=True):
        editor, response = _editor_posts_upload(people, resource, upload)
    assert response.status_code == 302
    page = editor.get(f"/staff/editor/resources/{resource.pk}/").content.decode()
    return editor, resource, StoredFile.objects.get(), page


def test_an_editor_replaces_a_file_with_an_address_only_by_saying_so(
    people, django_capture_on_commit_callbacks
):
    from .editorial_support import resource_form

    editor, resource, stored, page = _a_resource_with_an_uploaded_file(
        people, django_capture_on_commit_callbacks
    )
    assert f'href="/staff/files/{stored.pk}/"' in page and "Remove the file" in page
    assert editor.get(f"/staff/files/{stored.pk}/").status_code == 200

    def save(**version):
        page = editor.get(f"/staff/editor/resources/{resource.pk}/").content.decode()
        seen = re.search(r'name="seen" value="([^"]+)"', page)[1]
        data = resource_form(
            publisher=people["org_a"],
            seen=seen,
            versions=[{"language": "pl", "format": "pdf", "file": stored.name, **version}],
        )
        return editor.post(f"/staff/editor/resources/{resource.pk}/", data)

    beside = save(url="https://partner.example/ulotka.pdf")
    assert beside.status_code == 422
    assert "To give an address instead, tick" in beside.content.decode()
    assert Version.objects.get(resource=resource).file.name == stored.name

    removed = save(url="https://partner.example/ulotka.pdf", remove_file="on")
    assert removed.status_code == 302
    version = Version.objects.get(resource=resource)
    assert (version.file.name, version.url) == ("", "https://partner.example/ulotka.pdf")


def test_one_file_in_two_resources_shows_its_passage_in_both(
    db, tmp_path, client, django_capture_on_commit_callbacks
):
    content = pdf(["A cover page.", "Words about a wombat."])
    records = [
        record(uid, [{"language": "en", "format": "pdf", "file": "shared.pdf"}])
        for uid in ("one", "two")
    ]
    import_files(tmp_path, {"shared.pdf": content}, records, django_capture_on_commit_callbacks)
    assert StoredFile.objects.count() == 1
    html = client.get("/resources/", {"q": "wombat"}).content.decode()
    assert html.count("English, page 2</a>") == 2


def test_removing_the_only_link_of_a_version_asks_for_an_address(
    people, django_capture_on_commit_callbacks
):
    from .editorial_support import resource_form

    editor, resource, stored, page = _a_resource_with_an_uploaded_file(
        people, django_capture_on_commit_callbacks
    )
    assert "Replace the file with another" in page
    seen = re.search(r'name="seen" value="([^"]+)"', page)[1]
    data = resource_form(
        publisher=people["org_a"],
        seen=seen,
        versions=[{"language": "pl", "format": "pdf", "file": stored.name, "remove_file": "on"}],
    )
    response = editor.post(f"/staff/editor/resources/{resource.pk}/", data)
    assert response.status_code == 422
    assert "before removing its file" in response.content.decode()
    assert Version.objects.get(resource=resource).file.name == stored.name


def test_an_export_copies_each_file_afresh_and_names_one_it_cannot_find(
    db, tmp_path, django_capture_on_commit_callbacks
):
    import io

    from django.core.management import call_command

    _imported(tmp_path, django_capture_on_commit_callbacks, "a.pdf", pdf(["New words."]))
    folder = tmp_path / "out.files"
    folder.mkdir()
    (folder / "leaflet-one-en-pdf.pdf").write_bytes(b"an earlier export's copy")
    call_command("export_resources", str(tmp_path / "out.jsonl"), stdout=io.StringIO())
    stored = StoredFile.objects.get()
    assert (folder / "leaflet-one-en-pdf.pdf").read_bytes() == default_storage.open(
        stored.name
    ).read()

    default_storage.delete(stored.name)
    with pytest.raises(CommandError, match="The file of 'one' \\(en pdf\\) could not be copied"):
        call_command("export_resources", str(tmp_path / "again.jsonl"), stdout=io.StringIO())
    assert not (tmp_path / "again.jsonl").exists()
    assert not (tmp_path / "again.jsonl.part").exists()
