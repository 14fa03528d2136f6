"""A run written down: the differences as CSV, the whole reconciliation as a PDF to file."""

from __future__ import annotations

import csv
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from fpdf.fonts import FontFace

from billing.models import Parameters
from billing.pdf import FONT, INK, MUTED, RULE, LetterheadDocument, printable
from billing.templatetags.billing import euro
from exports.models import ReconciliationMonth, ReconciliationRun

GREEN = (25, 135, 84)
RED = (220, 53, 69)


def file_name(run: ReconciliationRun) -> str:
    return _("reconciliation-%(period)s") % {"period": run.period_label}


def _number(value: Decimal | None) -> str:
    """An amount for a spreadsheet in the user's language: 1234,56 in Dutch."""
    if value is None:
        return ""
    return formats.number_format(value, decimal_pos=2, use_l10n=True)


def _what_differs(row: dict) -> str:
    return "; ".join(f"{m['label']}: {m['coachlink']} → {m['exact']}" for m in row["mismatches"])


def differences_csv(*, run: ReconciliationRun, rows: list[dict], out) -> None:
    """The run's differences, one a line, separated by semicolons as spreadsheets here expect."""
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            _("Kind"),
            _("Reference"),
            _("Invoice"),
            _("Period"),
            _("Entry numbers in Exact"),
            _("coachlink excl. VAT"),
            _("coachlink VAT"),
            _("coachlink incl. VAT"),
            _("Exact excl. VAT"),
            _("Exact VAT"),
            _("Exact incl. VAT"),
            _("What differs"),
            _("What to do"),
            _("Handled"),
            _("Note"),
        ]
    )
    for row in rows:
        difference, handled = row["difference"], row["handled"]
        writer.writerow(
            [
                difference.get_kind_display(),
                difference.reference,
                difference.invoice.number_display if difference.invoice else "",
                f"{difference.year}-{difference.month:02d}",
                difference.entry_numbers,
                _number(difference.coachlink_excl),
                _number(difference.coachlink_vat),
                _number(difference.coachlink_total),
                _number(difference.exact_excl),
                _number(difference.exact_vat),
                _number(difference.exact_total),
                _what_differs(row),
                str(row["help"].fix),
                _("yes") if handled else _("no"),
                handled.note if handled else "",
            ]
        )


class ReconciliationDocument(LetterheadDocument):
    """The reconciliation of a month or a year on A4 landscape, in the invoice's letterhead."""

    def __init__(self, *, run: ReconciliationRun, months: list[ReconciliationMonth], rows):
        self.run, self.months, self.rows = run, months, rows
        super().__init__(parameters=Parameters.load(), orientation="landscape")
        self.set_margins(left=15, top=15, right=15)
        self.set_title(self.title_text())

    def title_text(self) -> str:
        return _("Reconciliation with Exact Online %(period)s") % {"period": self._period()}

    def _period(self) -> str:
        if self.run.month:
            return f"{MONTHS[self.run.month]} {self.run.year}"
        return str(self.run.year)

    def render(self) -> bytes:
        self.add_page()
        self.draw_summary()
        self.draw_months()
        self.draw_differences()
        return bytes(self.output())

    def draw_summary(self) -> None:
        run = self.run
        self.set_font(FONT, style="B", size=14)
        self.cell(w=0, h=8, text=self.title_text(), new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=9)
        self.set_text_color(*MUTED)
        started = formats.date_format(timezone.localtime(run.started_at), "DATETIME_FORMAT")
        facts = [
            _("Reconciled on %(moment)s") % {"moment": started},
            _("%(count)s invoices compared, %(agreed)s agree")
            % {"count": run.invoices, "agreed": run.agreed},
            _("%(lines)s journal lines of %(entries)s entries read from Exact Online")
            % {"lines": run.lines_read, "entries": run.entries_read},
        ]
        self.multi_cell(w=0, h=5, text=printable(" · ".join(facts)), new_x="LMARGIN")
        self.set_text_color(*INK)
        self.ln(2)
        agreed = run.differences_count == 0 and all(month.agrees for month in self.months)
        self.set_text_color(*(GREEN if agreed else RED))
        self.set_font(FONT, style="B", size=11)
        verdict = (
            _("coachlink and Exact Online agree.")
            if agreed
            else ngettext(
                "%(count)s difference between coachlink and Exact Online.",
                "%(count)s differences between coachlink and Exact Online.",
                run.differences_count,
            )
            % {"count": run.differences_count}
        )
        self.cell(w=0, h=7, text=verdict, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)
        self.ln(2)

    def _heading_face(self) -> FontFace:
        return FontFace(emphasis="BOLD", color=MUTED, fill_color=(248, 249, 250))

    def _table(self, headings, widths, aligns, body) -> None:
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        with self.table(
            col_widths=widths,
            text_align=aligns,
            line_height=5,
            borders_layout="HORIZONTAL_LINES",
            headings_style=self._heading_face(),
            first_row_as_headings=True,
        ) as table:
            table.row([printable(str(h)) for h in headings])
            for values in body:
                table.row([printable(str(v)) for v in values])

    def draw_months(self) -> None:
        self.set_font(FONT, style="B", size=10)
        self.cell(w=0, h=7, text=_("Totals per month"), new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=8.5)
        body = [
            [
                f"{MONTHS[month.month]} {month.year}",
                euro(month.coachlink_excl),
                euro(month.coachlink_vat),
                euro(month.coachlink_total),
                euro(month.exact_excl),
                euro(month.exact_vat),
                euro(month.exact_total),
                euro(month.difference_total),
                _("agrees")
                if month.agrees
                else ngettext("%(count)s difference", "%(count)s differences", month.differences)
                % {"count": month.differences},
            ]
            for month in self.months
        ]
        self._table(
            [
                _("Month"),
                _("coachlink excl. VAT"),
                _("VAT"),
                _("incl. VAT"),
                _("Exact excl. VAT"),
                _("VAT"),
                _("incl. VAT"),
                _("Difference"),
                _("Status"),
            ],
            (30, 30, 25, 30, 30, 25, 30, 27, 30),
            ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
            body,
        )
        self.ln(4)

    def draw_differences(self) -> None:
        self.set_font(FONT, style="B", size=10)
        self.cell(w=0, h=7, text=_("Differences"), new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=8)
        if not self.rows:
            self.set_text_color(*MUTED)
            self.cell(w=0, h=6, text=_("None."), new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(*INK)
            return
        body = []
        for row in self.rows:
            difference, handled = row["difference"], row["handled"]
            body.append(
                [
                    difference.get_kind_display(),
                    difference.reference,
                    difference.entry_numbers,
                    euro(difference.coachlink_total)
                    if difference.coachlink_total is not None
                    else "",
                    euro(difference.exact_total) if difference.exact_total is not None else "",
                    _what_differs(row) or row["help"].meaning,
                    (_("Handled: %(note)s") % {"note": handled.note}) if handled else _("Open"),
                ]
            )
        self._table(
            [
                _("Kind"),
                _("Reference"),
                _("Entries in Exact"),
                _("coachlink"),
                _("Exact"),
                _("What differs"),
                _("Handled"),
            ],
            (38, 24, 28, 26, 26, 75, 40),
            ("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "LEFT", "LEFT"),
            body,
        )


def reconciliation_pdf(*, run: ReconciliationRun, months, rows) -> bytes:
    return ReconciliationDocument(run=run, months=months, rows=rows).render()
