"""Signals other apps listen to; the exports know nothing about who tells the users."""

from django.dispatch import Signal

# Sent with ``record=<ExportRecord>`` when an invoice's export is refused (FAILED): by Exact, or
# by coachlink before sending. Passing failures and waits for the day's budget are not sent.
# A receiver that does outside work (a mail) must defer it with transaction.on_commit.
export_refused = Signal()
