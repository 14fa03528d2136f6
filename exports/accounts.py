"""Debtors and projects made ready in Exact before a run's invoices are sent, per chunk.

Every debtor of the chunk must be a customer account in Exact and every project code a project:
the missing ones are created (one POST each), existing accounts are overwritten once per run
only when the panel says so. A refusal is kept per code and fails that code's invoices; a
passing failure leaves them for the next run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from billing.models import Debtor, Invoice
from exports.builders import ExportProblem, InvoiceCodes, account_fields_build
from exports.explanations import explanation_find
from exports.lookups import read_retried
from integrations.exact import api, rules
from integrations.exact.errors import BudgetSpent, ExactError, Reauthenticate, Transient

if TYPE_CHECKING:
    from exports.run import Run


def problem_from(error: ExactError) -> ExportProblem:
    """An invoice's problem in Exact's words, with the explanation they match."""
    said = error.said if error.said is not None else error.message
    return ExportProblem(explanation_find(error.message).kind, said, error=error)


def accounts_prepare(*, run: Run, invoices: list[Invoice]) -> None:
    """Make sure every debtor of ``invoices`` is a customer account in Exact."""
    link, lookups = run.link, run.lookups
    debtors: dict[str, Debtor] = {}
    for invoice in invoices:
        codes = run.codes[invoice.pk]
        if codes.relation_problem is None:
            debtors.setdefault(codes.relation, invoice.debtor)
    if unknown := [code for code in debtors if code not in lookups.accounts]:
        lookups.accounts.update(read_retried(api.accounts_by_codes, link, codes=unknown))
    gl_receivable = lookups.gl_accounts.get(link.debtor_gl_account.strip())
    for code, debtor in debtors.items():
        if code in run.account_problems:
            continue
        account = lookups.accounts.get(code)
        if account is not None and (
            not link.overwrite_existing or code in run.overwritten or not account.is_customer
        ):
            continue
        if gl_receivable is None:
            run.account_problems[code] = ExportProblem.of(
                rules.debtor_gl_account_breach(
                    code=link.debtor_gl_account, gl_accounts=lookups.gl_accounts
                )
            )
            continue
        fields = account_fields_build(debtor=debtor, gl_receivable_id=gl_receivable.id)
        try:
            if account is None:
                lookups.accounts[code] = api.account_create(link, code=code, fields=fields)
            else:
                api.account_update(link, account_id=account.id, fields=fields)
                run.overwritten.add(code)
            run.transient_failures_in_a_row = 0
        except (Reauthenticate, BudgetSpent):
            raise
        except Transient as error:
            # A created account whose answer was lost is found by the next run's look-up.
            run.transient_failure(code=code, error=error)
        except ExactError as error:
            run.transient_failures_in_a_row = 0
            # Another worker may have created the same relation a moment ago.
            found = {} if account else read_retried(api.accounts_by_codes, link, codes=[code])
            if code in found:
                lookups.accounts[code] = found[code]
            else:
                run.account_problems[code] = problem_from(error)


def projects_prepare(*, run: Run, invoices: list[Invoice]) -> None:
    """Look up the projects the invoices need, creating the missing ones."""
    link, lookups = run.link, run.lookups
    wanted = {run.codes[invoice.pk].project for invoice in invoices} - {""}
    unknown = sorted(code for code in wanted if code not in lookups.projects)
    if not unknown:
        return
    lookups.projects.update(read_retried(api.projects, link, codes=unknown))
    for code in unknown:
        if code in lookups.projects or code in run.project_problems:
            continue
        try:
            lookups.projects[code] = api.project_create(link, code=code)
            run.transient_failures_in_a_row = 0
        except (Reauthenticate, BudgetSpent):
            raise
        except Transient as error:
            run.transient_failure(code=code, error=error)
        except ExactError as error:
            run.project_problems[code] = problem_from(error)


def codes_unavailable(*, run: Run, codes: InvoiceCodes) -> bool:
    """Whether Exact could not be asked about the invoice's relation or project in this run."""
    return bool(run.unavailable) and bool({codes.relation, codes.project} & run.unavailable)
