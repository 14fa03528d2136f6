"""The sales entry an invoice would become, built from what Exact holds but not sent."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Invoice
from exports.builders import invoice_codes_resolve, sales_entry_build
from exports.lookups import lookups_read, read_retried
from integrations.exact import api
from integrations.exact.entities import ACCOUNT_STATUS_CUSTOMER, Account, Project
from integrations.models import ExactLink


def sales_entry_preview(*, invoice: Invoice, link: ExactLink) -> dict:
    """The body ``invoice`` would be posted with; a relation or project the export would create
    shows a placeholder where its guid goes.

    Raises ExportProblem (or ExactError) when it could not be sent as it is.
    """
    codes = invoice_codes_resolve(invoice=invoice, link=link)
    lookups = lookups_read(link=link, invoice_ids=[invoice.pk])
    code = codes.relation_checked()
    lookups.accounts.update(read_retried(api.accounts_by_codes, link, codes=[code]))
    if code not in lookups.accounts:
        lookups.accounts[code] = Account(
            id=str(_("(new account %(code)s)") % {"code": code}),
            code=code,
            status=ACCOUNT_STATUS_CUSTOMER,
            is_supplier=False,
        )
    if project_code := codes.project_checked():
        lookups.projects.update(read_retried(api.projects, link, codes=[project_code]))
        new_project = str(_("(new project %(code)s)") % {"code": project_code})
        lookups.projects.setdefault(project_code, Project(id=new_project, code=project_code))
    entry = sales_entry_build(
        invoice=invoice, link=link, lookups=lookups, export_date=timezone.localdate(), codes=codes
    )
    return entry.as_payload()
