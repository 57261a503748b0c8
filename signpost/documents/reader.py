"""Reads an uploaded file: what it is, its text page by page, and a small picture of its cover.

Parsers of PDF, Office and image files are large and face files from anyone, so this module
imports nothing of Django and runs in a child process (`sandbox.run`) with limits on its
time, memory and output: a file that makes a parser loop, or swell, ends that process only.
Run as `python -m signpost.documents.reader ACTION PATH [OUT]`; it prints one JSON object.
"""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def gettext_noop(message: str) -> str:
    """Marks a message for translation (makemessages finds it by this name) and leaves it in
    English: this module imports nothing of Django and runs where no language is chosen. The
    site translates a label or a refusal where it shows it (`Refused.text`)."""
    return message


# Kinds of file accepted: media type, the extensions a name may end with, a label for people.
KINDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "pdf": ("application/pdf", (".pdf",), gettext_noop("PDF")),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        gettext_noop("Word document (DOCX)"),
    ),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (".pptx",),
        gettext_noop("PowerPoint slides (PPTX)"),
    ),
    "odt": (
        "application/vnd.oasis.opendocument.text",
        (".odt",),
        gettext_noop("OpenDocument text (ODT)"),
    ),
    "png": ("image/png", (".png",), gettext_noop("PNG image")),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg"), gettext_noop("JPEG image")),
}
# What a file may look like besides, each refused, in words a person understands.
OTHER_LOOKS = {
    "zip": gettext_noop("a zip archive"),
    "markup": gettext_noop("a web page, SVG or XML file"),
    "program": gettext_noop("a program"),
    "archive": gettext_noop("a compressed archive"),
    "old-office": gettext_noop("an old-format or password-protected Office file"),
    "gif": gettext_noop("a GIF image"),
}
ZIP_BOMB = gettext_noop("The file unpacks to far more than its size (a zip bomb).")
MACROS = gettext_noop("The file holds macros (program code): save it without them.")
THUMBNAIL_WIDTH = 160  # pixels: shown at 80 CSS pixels wide, sharp on a phone's screen
THUMBNAIL_MAX_HEIGHT = 240
THUMBNAIL_QUALITY = 60
# An Office file's parts, unpacked, may come to this much; more is a zip bomb.
ZIP_MAX_TOTAL = 300 * 1024 * 1024
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_RATIO = 200  # uncompressed to compressed, for any part over a megabyte
MAX_PIXELS = 40_000_000
# What a browser sniffing for HTML looks for (the WHATWG's list), with SVG and XML besides.
_MARKUP = re.compile(
    rb"<\s*(!doctype|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|svg"
    rb"|\?xml|object|embed|img|meta|link|form)[\s>/]|<!--",
    re.IGNORECASE,
)


def _same(message: str) -> str:
    return message


def _grouped(number: int) -> str:
    return f"{number:,}"


class Refused(Exception):
    """The file is not one Signpost accepts; the message says why, for the person uploading.

    `message` is English, marked for translation, with %(name)s placeholders for `params`: a
    whole number (grouped in thousands), a kind of file (`kind`: a key of KINDS or
    OTHER_LOOKS), the kinds a file could be read as at once (`looks`), or plain text. str()
    gives the reason in English; `text` in the language of whoever reads it.
    """

    def __init__(self, message: str, **params: Any):
        self.message, self.params = message, params
        super().__init__(self.text())

    def text(
        self,
        translate: Callable[[str], str] = _same,
        grouped: Callable[[int], str] = _grouped,
    ) -> str:
        """The reason, each part put into words by `translate` (Django's gettext, on the
        site), its numbers by `grouped`."""
        values: dict[str, Any] = {}
        for name, value in self.params.items():
            if name == "kind":
                values[name] = translate(_describe(value))
            elif name == "looks":
                kinds = sorted(translate(_describe(look)) for look in value)
                values[name] = kinds[0]
                for other in kinds[1:]:
                    # Translators: two kinds of file, as in "a PDF and a zip archive".
                    both = translate(gettext_noop("%(first)s and %(second)s"))
                    values[name] = both % {"first": values[name], "second": other}
            elif isinstance(value, int):
                values[name] = grouped(value)
            else:
                values[name] = value
        return translate(self.message) % values if values else translate(self.message)


@dataclass
class Limits:
    max_pages: int = 2000  # a longer file is refused
    text_pages: int = 500  # text is read from this many pages at most
    text_chars: int = 2_000_000  # and this many characters in all

    @classmethod
    def of(cls, data: dict[str, Any]) -> Limits:
        return cls(**{k: int(v) for k, v in data.items() if k in cls.__dataclass_fields__})


def looks(path: Path) -> set[str]:
    """Every kind of file the bytes could be taken for: one for an honest file."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(8192)
        handle.seek(max(0, size - 65_557))  # the zip directory's end record lies in here
        tail = handle.read()
    found = set()
    if b"%PDF-" in head[:1024]:
        found.add("pdf")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        found.add("png")
    if head.startswith(b"\xff\xd8\xff"):
        found.add("jpeg")
    if head.startswith(b"PK\x03\x04") or b"PK\x05\x06" in tail:
        found.add("zip")
    if head.startswith((b"MZ", b"\x7fELF", b"#!", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")):
        found.add("program")
    if head.startswith((b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf\x27\x1c", b"BZh", b"\xfd7zXZ")):
        found.add("archive")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        found.add("old-office")
    if head.startswith((b"GIF87a", b"GIF89a")):
        found.add("gif")
    # An Office file's first part is XML, and is no page: a zip is never sniffed as one.
    if _MARKUP.search(head[:1024]) and not head.startswith(b"PK\x03\x04"):
        found.add("markup")
    return found


def extension_of(media_type: str) -> str:
    """The extension a file of this media type is named with: ".pdf", ".docx"."""
    return next((extensions[0] for m, extensions, _ in KINDS.values() if m == media_type), ".bin")


def label_of(media_type: str) -> str:
    """The kind of file a media type names, for people: "PDF", "Word document (DOCX)"."""
    return next((label for m, _, label in KINDS.values() if m == media_type), media_type)


def _describe(look: str) -> str:
    return KINDS[look][2] if look in KINDS else OTHER_LOOKS.get(look, look)


def _zip_kind(path: Path) -> str:
    """Which Office format a zip file is, after checking it cannot swell or run code."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise Refused(
            gettext_noop("The file looks like an Office document but is damaged.")
        ) from error
    with archive:
        members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS:
            raise Refused(gettext_noop("The file holds too many parts to be a real document."))
        total = 0
        for member in members:
            total += member.file_size
            if member.flag_bits & 0x1:
                raise Refused(
                    gettext_noop("The file is protected by a password: upload it without one.")
                )
            if member.file_size > 1 << 20 and member.file_size > ZIP_MAX_RATIO * max(
                member.compress_size, 1
            ):
                raise Refused(ZIP_BOMB)
        if total > ZIP_MAX_TOTAL:
            raise Refused(ZIP_BOMB)
        names = {m.filename for m in members}
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise Refused(MACROS)
        if any(n.startswith(("Basic/", "Scripts/")) for n in names):
            raise Refused(MACROS)
        if "[Content_Types].xml" in names:
            types = archive.read("[Content_Types].xml")[:200_000].lower()
            if b"macroenabled" in types or b"vbaproject" in types:
                raise Refused(MACROS)
            if "word/document.xml" in names:
                return "docx"
            if "ppt/presentation.xml" in names:
                return "pptx"
        if "mimetype" in names and archive.read("mimetype")[:100] == KINDS["odt"][0].encode():
            return "odt"
    raise Refused(gettext_noop("The file is a zip archive, not a document Signpost accepts."))


def kind_of(path: Path) -> str:
    """The kind of an accepted file, decided from its bytes alone; raises Refused."""
    found = looks(path)
    if len(found) > 1:
        raise Refused(
            gettext_noop("The file can be read as %(looks)s at once, so it is not safe to keep."),
            looks=sorted(found),
        )
    if not found:
        raise Refused(
            gettext_noop("The file is not a PDF, Word, OpenDocument, PowerPoint, PNG or JPEG file.")
        )
    look = found.pop()
    if look == "zip":
        return _zip_kind(path)
    if look not in KINDS:
        raise Refused(
            gettext_noop("The file is %(kind)s, which Signpost does not accept."), kind=look
        )
    return look


# Reading, in the child process.


def _pdf(path: Path) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise Refused(
                gettext_noop("The PDF is protected by a password: upload it without one.")
            ) from error
        raise Refused(gettext_noop("The PDF is damaged and cannot be read.")) from error


# Pillow's names for each kind; phones save JPEG photos as MPO (a JPEG with a second picture).
_PILLOW_FORMATS = {"png": ["PNG"], "jpeg": ["JPEG", "MPO"]}
_GPS = 0x8825  # the EXIF block of where a photo was taken


def _check_image(path: Path, kind: str) -> dict[str, Any]:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(path, formats=_PILLOW_FORMATS[kind]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise Refused(
                    gettext_noop(
                        "The image says it is %(width)s by %(height)s pixels: too large to "
                        "show safely."
                    ),
                    # As text: sizes in pixels are not grouped in thousands.
                    width=str(width),
                    height=str(height),
                )
            # Served as it is (nothing is stripped), a photo would tell anyone where it was
            # taken: a survivor's home, a shelter.
            if image.getexif().get_ifd(_GPS):
                raise Refused(
                    gettext_noop(
                        "The photo records the place where it was taken (GPS location). "
                        "Save a copy without the location and upload that."
                    )
                )
            image.load()
    except Image.DecompressionBombError as error:
        raise Refused(gettext_noop("The image says it is too large to show safely.")) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise Refused(gettext_noop("The image is damaged and cannot be read.")) from error
    return {"pages": 1}


def check(path: Path, kind: str, limits: Limits) -> dict[str, Any]:
    """Open the file as its kind: a PDF must open without a password and not be too long."""
    if kind == "pdf":
        document = _pdf(path)
        pages = len(document)
        document.close()
        if pages > limits.max_pages:
            raise Refused(
                # Translators: both numbers are always more than 1 (2,001 and 2,000, say); where
                # a noun after a number changes with it, word it as "pages: %(pages)s".
                gettext_noop("The PDF has %(pages)s pages; Signpost keeps up to %(most)s."),
                pages=pages,
                most=limits.max_pages,
            )
        if pages == 0:
            raise Refused(gettext_noop("The PDF has no pages."))
        return {"pages": pages}
    if kind in ("png", "jpeg"):
        return _check_image(path, kind)
    try:
        texts = _office_pages(path, kind, Limits(text_pages=limits.max_pages + 1))
    except (KeyError, ValueError, zipfile.BadZipFile, SyntaxError) as error:
        raise Refused(gettext_noop("The document is damaged and cannot be read.")) from error
    return {"pages": len(texts)}


class _Pages:
    """Text gathered page by page, within the limits of pages and characters."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.pages: list[list[str]] = [[]]
        self.chars = 0

    @property
    def full(self) -> bool:
        return len(self.pages) > self.limits.text_pages or self.chars >= self.limits.text_chars

    def add(self, text: str) -> None:
        if text and not self.full:
            text = text[: self.limits.text_chars - self.chars]
            self.pages[-1].append(text)
            self.chars += len(text)

    def new_page(self) -> None:
        """Start a page, unless this one is still blank (two marks at one break)."""
        if "".join(self.pages[-1]).strip() or self.pages[-1] == [""]:
            self.pages.append([])

    def end_page(self) -> None:
        """This page counts even if it holds no text (an empty slide, a blank page)."""
        self.pages[-1].append("")

    def texts(self) -> list[str]:
        return ["".join(parts).strip() for parts in self.pages][: self.limits.text_pages]


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _docx_pages(path: Path, pages: _Pages) -> None:
    """Word keeps no pages, only where it last broke them when laying the text out: those
    marks, and page breaks typed by the writer, divide the text into pages."""
    import docx

    body = docx.Document(str(path)).element.body
    for element in body.iter(
        f"{_W}t", f"{_W}br", f"{_W}lastRenderedPageBreak", f"{_W}p", f"{_W}tab"
    ):
        tag = element.tag
        if tag == f"{_W}t":
            pages.add(element.text or "")
        elif tag == f"{_W}tab":
            pages.add(" ")
        elif tag == f"{_W}p":
            pages.add("\n")
        elif tag == f"{_W}lastRenderedPageBreak" or element.get(f"{_W}type") == "page":
            pages.new_page()
        if pages.full:
            break


def _pptx_pages(path: Path, pages: _Pages) -> None:
    import pptx

    for slide in pptx.Presentation(str(path)).slides:
        pages.new_page()
        for shape in slide.shapes:
            if shape.has_text_frame:
                pages.add(shape.text_frame.text + "\n")
            if getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    pages.add(" ".join(cell.text for cell in row.cells) + "\n")
        if pages.full:
            break
        pages.end_page()


def _odt_pages(path: Path, pages: _Pages) -> None:
    """OpenDocument text from its content.xml, read as a stream by defusedxml (odfpy, the only
    library made for it, has had no release since 2020 and reads the whole file at once)."""
    from defusedxml.ElementTree import iterparse

    blocks = {f"{{{_TEXT_NS}}}p", f"{{{_TEXT_NS}}}h"}
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
        for event, element in iterparse(content, events=("start", "end")):
            if element.tag == f"{{{_TEXT_NS}}}soft-page-break" and event == "start":
                pages.new_page()
            elif event == "end" and element.tag in blocks:
                pages.add("".join(_odt_text(element)) + "\n")
                element.clear()
            if pages.full:
                break


def _odt_text(element: Any) -> list[str]:
    parts = [element.text or ""]
    for child in element:
        if child.tag in (f"{{{_TEXT_NS}}}s", f"{{{_TEXT_NS}}}tab", f"{{{_TEXT_NS}}}line-break"):
            parts.append(" ")
        else:
            parts.extend(_odt_text(child))
        parts.append(child.tail or "")
    return parts


def _office_pages(path: Path, kind: str, limits: Limits) -> list[str]:
    pages = _Pages(limits)
    {"docx": _docx_pages, "pptx": _pptx_pages, "odt": _odt_pages}[kind](path, pages)
    return pages.texts()


def text(path: Path, kind: str, limits: Limits) -> dict[str, Any]:
    """The text of each page, within the limits; an image has none."""
    if kind in ("png", "jpeg"):
        return {"pages": []}
    if kind != "pdf":
        pages = _office_pages(path, kind, limits)
        return {"pages": pages if any(pages) else []}
    document = _pdf(path)
    collected = _Pages(limits)
    try:
        for index in range(min(len(document), limits.text_pages)):
            collected.new_page()
            page = document[index]
            textpage = page.get_textpage()
            collected.add(textpage.get_text_bounded().replace("\r\n", "\n"))
            collected.end_page()
            textpage.close()
            page.close()
            if collected.chars >= limits.text_chars:
                break
    finally:
        document.close()
    pages = collected.texts()
    return {"pages": pages if any(pages) else []}


def _cover(path: Path, kind: str) -> Any:
    """The picture the thumbnail is made from, or None."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    if kind == "pdf":
        document = _pdf(path)
        try:
            page = document[0]
            width = page.get_width() or 1
            return page.render(scale=min(4.0, THUMBNAIL_WIDTH / width)).to_pil().convert("RGB")
        finally:
            document.close()
    if kind in ("png", "jpeg"):
        image = Image.open(path, formats=_PILLOW_FORMATS[kind])
        image.draft("RGB", (THUMBNAIL_WIDTH * 2, THUMBNAIL_MAX_HEIGHT * 2))
        return image
    # Office files carry a picture of their first page when the program that saved them made one.
    with zipfile.ZipFile(path) as archive:
        for name in (
            "docProps/thumbnail.jpeg",
            "docProps/thumbnail.png",
            "Thumbnails/thumbnail.png",
        ):
            if name in archive.namelist():
                info = archive.getinfo(name)
                if info.file_size > 10 * 1024 * 1024:
                    return None
                picture = Image.open(io.BytesIO(archive.read(name)), formats=["JPEG", "PNG"])
                if picture.width * picture.height > MAX_PIXELS:
                    return None
                return picture
    return None


def thumbnail(path: Path, kind: str, out: Path) -> dict[str, Any]:
    """A small WebP of the first page or the image, written to `out`; its size in pixels."""
    from PIL import Image, ImageOps

    cover = _cover(path, kind)
    if cover is None:
        return {"width": None, "height": None}
    with cover:
        picture = ImageOps.exif_transpose(cover).convert("RGB")  # a phone photo stands upright
        picture.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_MAX_HEIGHT), Image.Resampling.LANCZOS)
        picture.save(out, "WEBP", quality=THUMBNAIL_QUALITY, method=6)
        return {"width": picture.width, "height": picture.height}


def read(path: Path, kind: str, limits: Limits, out: Path) -> dict[str, Any]:
    """Text and thumbnail in one go (one process to start, not two). Either may fail alone."""
    result: dict[str, Any] = {}
    try:
        result.update(text(path, kind, limits))
    except Refused as refused:
        result["text_refused"] = str(refused)
    except Exception as error:  # any parser failure: the thumbnail may still work
        result["text_failed"] = type(error).__name__
    try:
        result["thumbnail"] = thumbnail(path, kind, out)
    except Exception as error:
        result["thumbnail_failed"] = type(error).__name__
    return result


def confine(seconds: int, memory: int) -> None:
    """Bound this process before it reads anything: processor time, memory, files it may
    open, what it may write, no core dump. Set here, not by the parent between fork and
    exec, which is unsafe in a threaded web server."""
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str]) -> int:
    action, path = argv[1], Path(argv[2])
    settings = json.loads(argv[3]) if len(argv) > 3 else {}
    if "seconds" in settings:
        confine(int(settings["seconds"]), int(settings["memory"]))
    limits = Limits.of(settings)
    try:
        if action == "kind":
            result: dict[str, Any] = {"kind": kind_of(path)}
        elif action == "check":
            kind = kind_of(path)
            result = {"kind": kind, **check(path, kind, limits)}
        elif action == "read":
            result = read(path, kind_of(path), limits, Path(argv[4]))
        elif action == "text":  # text and thumbnail apart: for the benchmark
            result = text(path, kind_of(path), limits)
        elif action == "thumbnail":
            result = thumbnail(path, kind_of(path), Path(argv[4]))
        else:
            raise SystemExit(f"unknown action {action!r}")
    except Refused as refused:
        # The reason in English, and its parts, for the site to put into the reader's language.
        result = {"refused": str(refused), "message": refused.message, "params": refused.params}
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
