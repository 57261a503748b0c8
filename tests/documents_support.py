"""Real files of every kind, made by the libraries people make them with, for the document tests."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
DEMO_DOCUMENTS = ROOT / "data" / "demo.files"
DEMO_LEAFLET = "signpost-demo-leaflet-is-your-work-safe-{}-pdf.pdf"


def pdf(pages: list[str]) -> bytes:
    from fpdf import FPDF

    document = FPDF()
    document.set_font("helvetica", size=12)
    for text in pages:
        document.add_page()
        document.multi_cell(0, 8, text)
    return bytes(document.output())


def encrypted_pdf(text: str) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import EncryptionMethod

    document = FPDF()
    document.set_encryption(
        owner_password="owner", user_password="secret", encryption_method=EncryptionMethod.AES_128
    )
    document.set_font("helvetica", size=12)
    document.add_page()
    document.multi_cell(0, 8, text)
    return bytes(document.output())


def docx(paragraphs: list[str], *, page_break_after: int | None = None) -> bytes:
    import docx as python_docx
    from docx.enum.text import WD_BREAK

    document = python_docx.Document()
    for index, text in enumerate(paragraphs):
        paragraph = document.add_paragraph(text)
        if page_break_after == index:
            paragraph.add_run().add_break(WD_BREAK.PAGE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pptx(slides: list[str]) -> bytes:
    import pptx as python_pptx

    deck = python_pptx.Presentation()
    for text in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = text.split(".")[0]
        slide.placeholders[1].text = text
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def odt(paragraphs: list[str]) -> bytes:
    """An OpenDocument text file as the format defines it: a stored `mimetype` first."""
    body = "".join(f"<text:p>{p}</text:p>" for p in paragraphs)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return out.getvalue()


def image(kind: str, size: tuple[int, int] = (300, 420)) -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", size, (0, 90, 110))
    ImageDraw.Draw(picture).rectangle((20, 20, size[0] - 20, 80), fill=(255, 255, 255))
    out = io.BytesIO()
    picture.save(out, kind.upper())
    return out.getvalue()


def noise_png(side: int) -> bytes:
    """A PNG of random pixels: it cannot be compressed, so it takes about three bytes a pixel."""
    import os

    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def record(uid: str, versions: list[dict], **fields) -> dict:
    return {
        "id": uid,
        "title": fields.pop("title", f"Leaflet {uid}"),
        "summary": fields.pop("summary", "A leaflet for workers."),
        "resource_type": "leaflet",
        "status": fields.pop("status", "published"),
        "owner_agreement": {"by": "The owner", "on": "2026-01-01", "how": "By email"},
        **fields,
        "versions": versions,
    }


def import_files(tmp_path: Path, files: dict[str, bytes], records: list[dict], capture) -> str:
    """Import records whose versions name files in the folder beside the file; the reading
    queued on commit runs, as the worker would run it. Returns the command's output."""
    folder = tmp_path / "in.files"
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = io.StringIO()
    with capture(execute=True):
        call_command("import_resources", str(source), stdout=out)
    return out.getvalue()
