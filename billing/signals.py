"""Signals other apps listen to; billing itself knows nothing about its listeners."""

from django.dispatch import Signal

# Sent inside the finalising transaction with ``invoice=<Invoice>``. A receiver that does
# outside work (an export) must defer it with transaction.on_commit, so nothing leaves the
# building for an invoice whose number was rolled back.
invoice_finalised = Signal()
