# ruff: noqa: RUF001 - the Ukrainian text is Cyrillic on purpose; its letters are not look-alikes.
"""Make the demo documents in data/demo.files/.

Signpost's demo catalogue needs a few real files to attach to records: PDFs whose text the
in-document search can index (in English, Polish and Ukrainian) and an image. Published
leaflets belong to their authors, so this script writes Signpost's own: a two-page leaflet,
"Is your work safe?", in three languages, and a small poster PNG. Every page says that it is
a Signpost demo file and not a publication of any organisation.

Each page 2 holds one word that occurs nowhere else in the demo data, for search tests:
"payslip" (English), "wynagrodzenie" (Polish) and "роботодавець" (Ukrainian).

The output is deterministic: fixed dates and metadata, so a rerun with the same fonts and
library versions gives the same bytes.

    python scripts/make_demo_documents.py [--font FILE --bold-font FILE] --out data/demo.files

(`make demo-documents`; without --font the fonts are found with fc-match.)

Needs fpdf2 and Pillow, and the DejaVu Sans fonts (Debian package fonts-dejavu-core).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

CREATED = datetime(2025, 1, 1, tzinfo=UTC)
AUTHOR = "Signpost demonstration catalogue"
CREATOR = "Signpost scripts/make_demo_documents.py"
MARKING_EN = (
    "Signpost demo file: written for the Signpost demonstration catalogue. "
    "Not a publication of any organisation."
)
HELPLINE = "08000 121 700"

BAND = (0, 86, 107)  # dark teal: white text on it has a contrast ratio above 7:1
INK = (33, 37, 41)
MUTED = (90, 98, 105)
PALE = (225, 240, 243)

PAGE_W, PAGE_H = 148.0, 210.0  # A5, mm
MARGIN = 14.0
TEXT_W = PAGE_W - 2 * MARGIN
FOOTER_TOP = 176.0
BAND_H = 40.0


@dataclass(frozen=True)
class Leaflet:
    lang: str
    title: str
    subtitle: str
    intro: str
    signs_heading: str
    signs: tuple[str, ...]
    turn_over: str
    help_heading: str
    numbers: tuple[tuple[str, str], ...]
    actions_heading: str
    actions: tuple[str, ...]
    reassurance: str
    marking: str


LEAFLETS = {
    "en": Leaflet(
        lang="en-GB",
        title="Is your work safe?",
        subtitle="Signs of labour exploitation and where to get help",
        intro=(
            "Some jobs are not what they were said to be. Read the signs below. "
            "If one or more of them is true for you, you may be being exploited. "
            "This is not your fault."
        ),
        signs_heading="Signs to look for",
        signs=(
            "Someone else keeps your passport or ID card.",
            "You owe a debt to your boss or agent, and it never gets smaller.",
            "You cannot leave the place where you live, or someone always watches you.",
            "Someone threatens you or your family.",
            "You are not paid what was agreed, or you are not paid at all.",
            "Someone else holds your bank card or decides how you spend your money.",
            "You work very long hours and you cannot say no.",
            "You must live where you are told, and you pay too much for it.",
        ),
        turn_over="If this sounds like you, turn the page. Help is free.",
        help_heading="Where to get help",
        numbers=(
            ("999", "In an emergency, or if you are in danger now."),
            (
                HELPLINE,
                "Modern Slavery & Exploitation Helpline. "
                "Free, open 24 hours a day. Translators are available.",
            ),
            ("101", "Police, when it is not an emergency."),
        ),
        actions_heading="What you can do",
        actions=(
            "Call the helpline. You can just ask questions first.",
            "If it is safe, keep anything about your work: a payslip, messages, "
            "addresses, names and dates.",
            "Tell someone you trust what is happening.",
        ),
        reassurance="You are not in trouble for asking for help.",
        marking=MARKING_EN,
    ),
    "pl": Leaflet(
        lang="pl",
        title="Czy Twoja praca jest bezpieczna?",
        subtitle="Oznaki wyzysku w pracy i gdzie szukać pomocy",
        intro=(
            "Czasem praca okazuje się inna, niż obiecywano. Przeczytaj poniższe oznaki. "
            "Jeśli choć jedna z nich dotyczy Ciebie, możesz być ofiarą wyzysku. "
            "To nie jest Twoja wina."
        ),
        signs_heading="Na co zwrócić uwagę",
        signs=(
            "Ktoś inny trzyma Twój paszport lub dowód osobisty.",
            "Masz dług wobec szefa lub pośrednika i ten dług nigdy się nie zmniejsza.",
            "Nie możesz swobodnie wyjść z miejsca, w którym mieszkasz, "
            "albo ktoś cały czas Cię pilnuje.",
            "Ktoś grozi Tobie lub Twojej rodzinie.",
            "Nie płacą Ci tyle, ile było umówione, albo nie płacą wcale.",
            "Ktoś inny trzyma Twoją kartę bankową albo decyduje, na co wydajesz pieniądze.",
            "Pracujesz bardzo długo i nie możesz odmówić.",
            "Musisz mieszkać tam, gdzie Ci każą, i płacisz za to za dużo.",
        ),
        turn_over="Jeśli to brzmi znajomo, odwróć stronę. Pomoc jest bezpłatna.",
        help_heading="Gdzie szukać pomocy",
        numbers=(
            ("999", "W nagłym wypadku albo gdy grozi Ci niebezpieczeństwo."),
            (
                HELPLINE,
                "Infolinia Modern Slavery & Exploitation Helpline. "
                "Bezpłatna, czynna całą dobę. Dostępni są tłumacze.",
            ),
            ("101", "Policja, gdy sprawa nie jest nagła."),
        ),
        actions_heading="Co możesz zrobić",
        actions=(
            "Zadzwoń na infolinię. Na początek możesz po prostu zadać pytania.",
            "Zapisz, jakie wynagrodzenie Ci obiecano, a ile naprawdę dostajesz. "
            "Jeśli to bezpieczne, zachowaj paski z wypłaty, wiadomości, adresy, "
            "nazwiska i daty.",
            "Powiedz osobie, której ufasz, co się dzieje.",
        ),
        reassurance="Prośba o pomoc nie narazi Cię na kłopoty.",
        marking=(
            "Plik demonstracyjny Signpost: napisany dla katalogu demonstracyjnego Signpost. "
            "Nie jest publikacją żadnej organizacji."
        ),
    ),
    "uk": Leaflet(
        lang="uk",
        title="Чи безпечна ваша робота?",
        subtitle="Ознаки трудової експлуатації та де отримати допомогу",
        intro=(
            "Іноді робота виявляється не такою, як обіцяли. Прочитайте ознаки нижче. "
            "Якщо хоча б одна з них стосується вас, можливо, вас експлуатують. "
            "Це не ваша провина."
        ),
        signs_heading="На що звернути увагу",
        signs=(
            "Хтось інший тримає у себе ваш паспорт або посвідчення особи.",
            "Ви маєте борг перед начальником чи посередником, і він ніколи не зменшується.",
            "Ви не можете вільно піти з місця, де живете, або за вами весь час стежать.",
            "Вам або вашій родині погрожують.",
            "Вам платять менше, ніж домовлялися, або не платять зовсім.",
            "Хтось інший тримає вашу банківську картку або вирішує, на що ви витрачаєте гроші.",
            "Ви працюєте дуже довго і не можете відмовитися.",
            "Ви мусите жити там, де вам кажуть, і платите за це забагато.",
        ),
        turn_over="Якщо це про вас, переверніть сторінку. Допомога безкоштовна.",
        help_heading="Де отримати допомогу",
        numbers=(
            ("999", "У надзвичайній ситуації або якщо вам зараз загрожує небезпека."),
            (
                HELPLINE,
                "Гаряча лінія Modern Slavery & Exploitation Helpline. "
                "Безкоштовно, цілодобово. Є перекладачі.",
            ),
            ("101", "Поліція, якщо ситуація не термінова."),
        ),
        actions_heading="Що ви можете зробити",
        actions=(
            "Зателефонуйте на гарячу лінію. Спершу можна просто поставити запитання.",
            "Запишіть, хто ваш роботодавець, де ви працюєте і скільки вам заплатили. "
            "Якщо це безпечно, збережіть повідомлення, адреси, імена та дати.",
            "Розкажіть людині, якій довіряєте, що відбувається.",
        ),
        reassurance="Ви не матимете проблем через те, що звернулися по допомогу.",
        marking=(
            "Демонстраційний файл Signpost: створено для демонстраційного каталогу "
            "Signpost. Не є публікацією жодної організації."
        ),
    ),
}


class LeafletPDF(FPDF):
    def __init__(self, leaflet: Leaflet, font: Path, bold_font: Path) -> None:
        super().__init__(orientation="portrait", unit="mm", format=(PAGE_W, PAGE_H))
        self.leaflet = leaflet
        self.add_font("DejaVu", "", str(font))
        self.add_font("DejaVu", "B", str(bold_font))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        # Each page is laid out by hand; overflow is an error, not a silent third page.
        self.set_auto_page_break(False)
        self.set_creation_date(CREATED)
        self.set_lang(leaflet.lang)
        self.set_title(f"{leaflet.title} {leaflet.subtitle}")
        self.set_subject(leaflet.marking)
        self.set_author(AUTHOR)
        self.set_creator(CREATOR)

    def footer(self) -> None:
        if self.get_y() > FOOTER_TOP:
            where = f"{self.leaflet.lang} page {self.page_no()}"
            raise RuntimeError(f"{where} overflows the footer (y = {self.get_y():.1f} mm)")
        self.set_draw_color(*MUTED)
        self.set_line_width(0.2)
        self.line(MARGIN, FOOTER_TOP + 2, PAGE_W - MARGIN, FOOTER_TOP + 2)
        self.set_xy(MARGIN, FOOTER_TOP + 4)
        self.set_text_color(*INK)
        self.set_font("DejaVu", "", 7.5)
        markings = [self.leaflet.marking]
        if self.leaflet.marking != MARKING_EN:
            markings.append(MARKING_EN)
        for marking in markings:
            self.multi_cell(TEXT_W, 3.6, marking, align="L", new_x=XPos.LMARGIN)
            self.ln(1)
        self.set_xy(MARGIN, PAGE_H - 9)
        self.set_font("DejaVu", "B", 8)
        self.cell(TEXT_W, 4, f"{self.page_no()} / {{nb}}", align="C")

    def heading(self, text: str) -> None:
        self.set_font("DejaVu", "B", 13)
        self.set_text_color(*BAND)
        self.multi_cell(TEXT_W, 6.5, text, align="L", new_x=XPos.LMARGIN)
        self.ln(1.5)

    def bullets(self, items: tuple[str, ...]) -> None:
        self.set_font("DejaVu", "", 10)
        self.set_text_color(*INK)
        for item in items:
            self.set_x(MARGIN)
            self.cell(5, 5, "•")
            self.multi_cell(TEXT_W - 5, 5, item, align="L", new_x=XPos.LMARGIN)
            self.ln(1.2)

    def first_page(self) -> None:
        lf = self.leaflet
        self.add_page()
        self.set_fill_color(*BAND)
        self.rect(0, 0, PAGE_W, BAND_H, style="F")
        self.set_text_color(255, 255, 255)
        self.set_xy(MARGIN, 10)
        self.set_font("DejaVu", "B", 20)
        self.multi_cell(TEXT_W, 9, lf.title, align="L", new_x=XPos.LMARGIN)
        self.ln(2)
        self.set_font("DejaVu", "", 11)
        self.multi_cell(TEXT_W, 5.5, lf.subtitle, align="L", new_x=XPos.LMARGIN)
        if self.get_y() > BAND_H - 3:
            raise RuntimeError(f"{lf.lang} title does not fit its band")

        self.set_xy(MARGIN, BAND_H + 7)
        self.set_text_color(*INK)
        self.set_font("DejaVu", "", 10.5)
        self.multi_cell(TEXT_W, 5.3, lf.intro, align="L", new_x=XPos.LMARGIN)
        self.ln(3)
        self.heading(lf.signs_heading)
        self.bullets(lf.signs)
        self.ln(1.5)
        self.set_font("DejaVu", "B", 10.5)
        self.set_text_color(*BAND)
        self.multi_cell(TEXT_W, 5.3, lf.turn_over, align="L", new_x=XPos.LMARGIN)

    def second_page(self) -> None:
        lf = self.leaflet
        self.add_page()
        self.set_fill_color(*BAND)
        self.rect(0, 0, PAGE_W, 6, style="F")
        self.set_xy(MARGIN, 16)
        self.heading(lf.help_heading)
        for number, description in lf.numbers:
            self.set_font("DejaVu", "B", 16)
            self.set_text_color(*BAND)
            self.cell(TEXT_W, 8, number, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font("DejaVu", "", 10)
            self.set_text_color(*INK)
            self.multi_cell(TEXT_W, 5, description, align="L", new_x=XPos.LMARGIN)
            self.ln(3.5)
        self.ln(3)
        self.heading(lf.actions_heading)
        self.bullets(lf.actions)
        self.ln(4)

        self.set_font("DejaVu", "B", 11.5)
        lines = self.multi_cell(
            TEXT_W - 10, 6, lf.reassurance, dry_run=True, output="LINES", align="L"
        )
        box_h = len(lines) * 6 + 10
        top = self.get_y()
        self.set_fill_color(*PALE)
        self.rect(MARGIN, top, TEXT_W, box_h, style="F")
        self.set_fill_color(*BAND)
        self.rect(MARGIN, top, 2, box_h, style="F")
        self.set_xy(MARGIN + 6, top + 5)
        self.set_text_color(*INK)
        self.multi_cell(TEXT_W - 10, 6, lf.reassurance, align="L", new_x=XPos.LMARGIN)
        self.set_y(top + box_h)


def make_leaflet(leaflet: Leaflet, font: Path, bold_font: Path, path: Path) -> None:
    pdf = LeafletPDF(leaflet, font, bold_font)
    pdf.first_page()
    pdf.second_page()
    if pdf.page_no() != 2:
        raise RuntimeError(f"{path.name} has {pdf.page_no()} pages, expected 2")
    pdf.output(str(path))


def wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and draw.textlength(candidate, font=font) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    return "\n".join(lines)


def make_poster(font: Path, bold_font: Path, path: Path) -> None:
    width, height, margin = 600, 848, 48
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)

    def face(bold: bool, size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(bold_font if bold else font), size)

    draw.rectangle((0, 0, width, 230), fill=BAND)
    draw.multiline_text(
        (margin, 70),
        wrap(draw, "Signpost demo poster", face(True, 46), width - 2 * margin),
        font=face(True, 46),
        fill="white",
        spacing=10,
    )
    draw.text((margin, 300), "Help is available:", font=face(False, 34), fill=INK)
    size = 64
    while draw.textlength(HELPLINE, font=face(True, size)) > width - 2 * margin:
        size -= 2
    draw.text((margin, 350), HELPLINE, font=face(True, size), fill=BAND)
    detail = "Modern Slavery & Exploitation Helpline. Free, 24 hours a day."
    draw.multiline_text(
        (margin, 450),
        wrap(draw, detail, face(False, 24), width - 2 * margin),
        font=face(False, 24),
        fill=INK,
        spacing=8,
    )
    draw.line((margin, 690, width - margin, 690), fill=MUTED, width=2)
    draw.multiline_text(
        (margin, 710),
        wrap(draw, MARKING_EN, face(False, 20), width - 2 * margin),
        font=face(False, 20),
        fill=INK,
        spacing=6,
    )
    # A small palette keeps the file tiny; the poster uses only a few colours.
    info = PngInfo()
    info.add_text("Title", "Signpost demo poster")
    info.add_text("Author", AUTHOR)
    info.add_text("Description", MARKING_EN)
    image.quantize(colors=32, dither=Image.Dither.NONE).save(path, optimize=True, pnginfo=info)


def find_font(pattern: str) -> Path | None:
    try:
        found = subprocess.run(  # noqa: S603
            ["fc-match", "-f", "%{file}", pattern],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    # fc-match always answers with some font; only a DejaVu Sans file gives the intended output.
    if not Path(found).name.startswith("DejaVuSans") or not Path(found).is_file():
        return None
    return Path(found)


def resolve_font(given: Path | None, pattern: str, option: str) -> Path:
    if given is not None:
        if not given.is_file():
            sys.exit(f"make_demo_documents: font file not found: {given}")
        return given
    found = find_font(pattern)
    if found is None:
        sys.exit(
            f"make_demo_documents: no {pattern} font found; "
            f"install fonts-dejavu-core or pass {option} PATH"
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font", type=Path, help="DejaVuSans.ttf (default: ask fc-match)")
    parser.add_argument("--bold-font", type=Path, help="DejaVuSans-Bold.ttf (default: fc-match)")
    parser.add_argument("--out", type=Path, default=Path("data/demo.files"))
    args = parser.parse_args()
    font = resolve_font(args.font, "DejaVu Sans", "--font")
    bold_font = resolve_font(args.bold_font, "DejaVu Sans:bold", "--bold-font")

    args.out.mkdir(parents=True, exist_ok=True)
    for code, leaflet in LEAFLETS.items():
        target = args.out / f"signpost-demo-leaflet-is-your-work-safe-{code}-pdf.pdf"
        make_leaflet(leaflet, font, bold_font, target)
        print(target)
    poster = args.out / "signpost-demo-poster-help-is-available-en-document.png"
    make_poster(font, bold_font, poster)
    print(poster)


if __name__ == "__main__":
    main()
