"""The layout of the invoice PDF, in fonts shipped with the project (billing/fonts/).

Names, addresses and descriptions are typed by people and can be in any script: DejaVu Sans
covers Latin, Greek, Cyrillic, Arabic and Hebrew; Symbola (emoji and symbols) and Droid Sans
Fallback (Chinese, Japanese, Korean) fill in what it lacks. HarfBuzz shapes the text, so Arabic
letters join and right-to-left runs read right to left.
"""

import unicodedata
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import FontFace

from billing.models import Invoice, Parameters
from billing.templatetags.billing import euro
from coachlink.messages import Message

INK = (33, 37, 41)
MUTED = (108, 117, 125)
RULE = (222, 226, 230)
ACCENT = (13, 110, 253)
WATERMARK = (225, 228, 232)
TOTALS_X = 100  # the totals block ends at the right margin, under the amount column

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "dejavu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# Tried in this order for a character DejaVu Sans lacks. Each is loaded only by a document that
# needs it: parsing the CJK font takes longer than drawing a whole invoice.
FALLBACK_FONTS = {"symbola": "Symbola.ttf", "droid-fallback": "DroidSansFallback.ttf"}


@cache
def font_characters(filename: str) -> frozenset[int]:
    """The code points a shipped font has a glyph for."""
    with TTFont(FONT_DIR / filename, lazy=True) as font:
        return frozenset(font.getBestCmap())


def printable(text: str) -> str:
    """Text as one line for the PDF: composed (NFC), control characters and line breaks as spaces.

    Surrogates (which no PDF string can hold) are dropped; every other character is kept, and one
    that no shipped font has is drawn as an empty box rather than failing the invoice.
    """
    characters = []
    for character in unicodedata.normalize("NFC", text):
        category = unicodedata.category(character)
        if category == "Cs":
            continue
        characters.append(" " if category in ("Cc", "Zl", "Zp") else character)
    return "".join(characters)


class InvoicePdfError(Exception):
    """The invoice PDF could not be made; ``said`` says why, in any reader's language."""

    def __init__(self, said: Message) -> None:
        super().__init__(str(said))
        self.said = said


def quantity_text(quantity: Decimal) -> str:
    decimals = 0 if quantity == quantity.to_integral_value() else 2
    return formats.number_format(quantity, decimal_pos=decimals, use_l10n=True)


def date_text(value, format_name: str = "DATE_FORMAT") -> str:
    return formats.date_format(value, format_name) if value else ""


class LetterheadDocument(FPDF):
    """A4 in the company's letterhead: the shipped fonts, the company block with a rule under
    it, and the title and page number at the foot. Invoices and reports are drawn on it."""

    def __init__(self, *, parameters: Parameters, orientation: str = "portrait"):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        for style, filename in FONT_FILES.items():
            self.add_font(FONT, style, FONT_DIR / filename)
        self.set_text_shaping(use_shaping_engine=True)
        self.parameters = parameters
        self.set_margins(left=20, top=18, right=20)
        self.set_auto_page_break(auto=True, margin=22)
        self.set_author(parameters.company_name or "coachlink")
        self.set_creator("coachlink")

    def title_text(self) -> str:
        raise NotImplementedError

    def get_fallback_font(self, char: str, style: str = "") -> str | None:
        for family, filename in FALLBACK_FONTS.items():
            if family not in self.fonts and ord(char) in font_characters(filename):
                self.add_font(family, "", FONT_DIR / filename)
                loaded = [name for name in FALLBACK_FONTS if name in self.fonts]
                # Bold text borrows the regular face: a glyph beats a box.
                self.set_fallback_fonts(loaded, exact_match=False)
                break
        return super().get_fallback_font(char, style)

    def header(self) -> None:
        parameters = self.parameters
        self.set_text_color(*INK)
        self.set_font(FONT, style="B", size=16)
        self.multi_cell(
            w=95, h=8, text=printable(parameters.company_name), new_x="LMARGIN", new_y="NEXT"
        )
        name_bottom = self.get_y()
        self.set_font(FONT, size=8.5)
        self.set_text_color(*MUTED)
        right = [
            (_("VAT number"), parameters.company_vat_number),
            (_("Chamber of commerce"), parameters.company_chamber_of_commerce),
            (_("IBAN"), parameters.company_iban),
        ]
        y = self.t_margin
        for label, value in right:
            if value:
                self.set_xy(self.w - self.r_margin - 70, y)
                self.cell(w=70, h=4.2, text=f"{label}: {printable(value)}", align="R")
                y += 4.2
        self.set_xy(self.l_margin, name_bottom)
        for line in parameters.company_address.splitlines():
            if line.strip():
                text = printable(line.strip())
                self.multi_cell(w=95, h=4.2, text=text, new_x="LMARGIN", new_y="NEXT")
        self.set_y(max(self.get_y(), y) + 3)
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.6)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(6)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        page = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(w=0, h=5, text=printable(f"{self.title_text()} · {page}"), align="C")


class InvoiceDocument(LetterheadDocument):
    """One invoice on A4: company header, addressee, facts, lines, VAT per rate and totals."""

    def __init__(self, *, invoice: Invoice, parameters: Parameters):
        self.invoice = invoice
        super().__init__(parameters=parameters)
        self.set_title(self.title_text())

    def title_text(self) -> str:
        title = _("Credit note") if self.invoice.is_credit else _("Invoice")
        if self.invoice.number is not None:
            return f"{title} {self.invoice.number_display}"
        return title

    def render(self) -> bytes:
        self.add_page()
        self.draw_addressee_and_facts()
        self.draw_lines()
        self.draw_totals()
        self.draw_payment_note()
        return bytes(self.output())

    def header(self) -> None:
        if not self.invoice.is_final:
            self.draw_draft_mark()
        super().header()

    def draw_draft_mark(self) -> None:
        self.set_font(FONT, style="B", size=90)
        self.set_text_color(*WATERMARK)
        mark = _("DRAFT")
        with self.rotation(angle=40, x=self.w / 2, y=self.h / 2):
            self.text(x=(self.w - self.get_string_width(mark)) / 2, y=self.h / 2 + 12, text=mark)

    def draw_addressee_and_facts(self) -> None:
        invoice, debtor = self.invoice, self.invoice.debtor
        top = self.get_y()
        self.set_font(FONT, style="B", size=10)
        self.multi_cell(w=90, h=5, text=printable(debtor.name), new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=10)
        for line in debtor.address_lines:
            self.multi_cell(w=90, h=5, text=printable(line), new_x="LMARGIN", new_y="NEXT")
        if debtor.vat_number:
            self.set_text_color(*MUTED)
            self.set_font(FONT, size=8.5)
            text = f"{_('VAT number')}: {printable(debtor.vat_number)}"
            self.multi_cell(w=90, h=5, text=text, new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(*INK)
        address_bottom = self.get_y()

        facts = [
            (_("Invoice number"), invoice.number_display or _("(assigned when final)")),
            (_("Invoice date"), date_text(invoice.date)),
            (_("Debtor number"), debtor.debtor_number_display),
        ]
        if invoice.invoice_reference_number:
            facts.append((_("Your reference"), invoice.invoice_reference_number))
        if invoice.request_id:
            facts.append((_("Request"), invoice.request.request_number))
        if invoice.course_id:
            course = invoice.course
            facts.append((_("Course"), f"{course.code} {course.definition.name}"))
            start = date_text(course.start_date, "SHORT_DATE_FORMAT")
            end = date_text(course.end_date, "SHORT_DATE_FORMAT")
            period = f"{start} \u2013 {end}"
            facts.append((_("Course dates"), period))
        self.set_y(top)
        for label, value in facts:
            self.set_x(112)
            self.set_font(FONT, size=8.5)
            self.set_text_color(*MUTED)
            self.cell(w=30, h=5, text=label)
            self.set_font(FONT, size=9)
            self.set_text_color(*INK)
            self.multi_cell(
                w=48, h=5, text=printable(value), align="L", new_x="LMARGIN", new_y="NEXT"
            )
        self.set_y(max(address_bottom, self.get_y()) + 8)

        self.set_font(FONT, style="B", size=20)
        self.cell(w=0, h=10, text=self.title_text(), new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def draw_lines(self) -> None:
        self.set_font(FONT, size=9)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        headings = FontFace(emphasis="BOLD", color=INK, fill_color=(241, 243, 245))
        with self.table(
            col_widths=(72, 24, 26, 22, 26),
            text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
            headings_style=headings,
            borders_layout="HORIZONTAL_LINES",
            line_height=6,
            padding=(1, 1.5),
        ) as table:
            heading = table.row()
            for text in (
                _("Description"),
                _("Quantity"),
                _("Unit price"),
                capfirst(_("VAT")),
                _("Amount"),
            ):
                heading.cell(text)
            for line in self.invoice.lines.all():
                row = table.row()
                row.cell(printable(line.description))
                row.cell(quantity_text(line.quantity))
                row.cell(euro(line.unit_price))
                row.cell(vat_percentage(line.vat_rate.percentage) if line.vat_rate_id else "")
                row.cell(euro(line.amount))
        self.ln(4)

    def draw_totals(self) -> None:
        invoice = self.invoice
        self.set_font(FONT, style="B", size=9)
        self.set_x(TOTALS_X)
        self.cell(w=50, h=6, text=_("VAT per rate"))
        self.cell(w=20, h=6, text=_("Base"), align="R")
        self.cell(w=20, h=6, text=capfirst(_("VAT")), align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=9)
        for amount in invoice.vat_amounts:
            self.set_x(TOTALS_X)
            self.cell(w=50, h=5.5, text=printable(amount.vat_rate.description))
            self.cell(w=20, h=5.5, text=euro(amount.base), align="R")
            self.cell(w=20, h=5.5, text=euro(amount.vat), align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(3)
        self.set_draw_color(*RULE)
        self.line(TOTALS_X, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)
        totals = [
            (_("Total excl. VAT"), invoice.total_excl_vat, False),
            (capfirst(_("VAT")), invoice.total_vat, False),
            (_("Total incl. VAT"), invoice.total_incl_vat, True),
        ]
        for label, value, strong in totals:
            self.set_x(TOTALS_X)
            self.set_font(FONT, style="B" if strong else "", size=11 if strong else 9.5)
            self.cell(w=60, h=7 if strong else 5.5, text=label)
            height = 7 if strong else 5.5
            self.cell(w=30, h=height, text=euro(value), align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(8)

    def draw_payment_note(self) -> None:
        invoice, parameters = self.invoice, self.parameters
        if not invoice.is_final or invoice.is_credit or not parameters.company_iban:
            return
        self.set_font(FONT, size=9)
        self.set_text_color(*MUTED)
        note = _(
            "Please transfer %(amount)s within 30 days to %(iban)s in the name of %(company)s, "
            "stating invoice number %(number)s."
        ) % {
            "amount": euro(invoice.total_incl_vat),
            "iban": printable(parameters.company_iban),
            "company": printable(parameters.company_name),
            "number": invoice.number_display,
        }
        self.multi_cell(w=0, h=5, text=note, align="L")
        self.set_text_color(*INK)


def vat_percentage(percentage: Decimal) -> str:
    decimals = 0 if percentage == percentage.to_integral_value() else 1
    return formats.number_format(percentage, decimal_pos=decimals, use_l10n=True) + " %"
