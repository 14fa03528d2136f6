"""What the buttons of the configure screen do."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import CostCenter, GLAccount, VatRate
from integrations.exact import client, oauth
from integrations.exact.errors import ExactError
from integrations.forms import LinkPanels
from integrations.models import Activation, AuditAction, AuditEntry, ExactLink

# Exact's type codes the pre-flight checks compare with.
JOURNAL_TYPE_SALES = 20
GL_TYPE_REVENUE = 110
VAT_TYPE_EXCLUSIVE = "E"


def link_get() -> ExactLink | None:
    return ExactLink.objects.first()


def _audit(*, user: AbstractBaseUser | None, action: str, detail: str = "") -> None:
    AuditEntry.objects.create(user=user, action=action, detail=detail)


def link_save(*, panels: LinkPanels, user: AbstractBaseUser) -> ExactLink:
    """Save every panel in one transaction; call only after ``panels.is_valid()``."""
    with transaction.atomic():
        link = panels.instance
        link.save()
        _audit(user=user, action=AuditAction.SAVED)
    return link


def link_enable_check(*, link: ExactLink) -> None:
    """Raise ExactError with the reason the link cannot be enabled, if there is one."""
    if not link.is_authenticated:
        raise ExactError(
            _("Authenticate with Exact Online first: without a valid token nothing can be sent."),
            permanent=True,
            code="reauthenticate",
        )


def link_enable(*, link: ExactLink, user: AbstractBaseUser) -> None:
    """Start exporting; raises ExactError (with the reason) while there is no valid token."""
    link_enable_check(link=link)
    with transaction.atomic():
        link.activation = Activation.ENABLED
        link.save(update_fields=["activation", "updated_at"])
        _audit(user=user, action=AuditAction.ENABLED)


def link_pause(*, link: ExactLink, user: AbstractBaseUser) -> None:
    with transaction.atomic():
        link.activation = Activation.PAUSED
        link.save(update_fields=["activation", "updated_at"])
        _audit(user=user, action=AuditAction.PAUSED)


def link_delete(*, link: ExactLink, user: AbstractBaseUser) -> None:
    """Remove the link and its tokens; the audit log and the export history stay."""
    with transaction.atomic():
        _audit(user=user, action=AuditAction.DELETED, detail=f"{link.name} ({link.division})")
        link.delete()


def link_authenticate(*, link: ExactLink, code: str, user: AbstractBaseUser) -> None:
    """Finish the consent: trade the code, check the division, store the tokens.

    Raises ExactError with a message for the user when the code is refused or the user did not
    give coachlink the division of the General panel.
    """
    try:
        tokens = oauth.code_exchange(site=link.site, code=code)
    except ExactError as exc:
        if exc.permanent:
            raise ExactError(
                _(
                    "Exact Online refused the authorization code: it expired or was already "
                    "used. Click Authenticate to log in again."
                ),
                status=exc.status,
                permanent=True,
                code="invalid_code",
            ) from exc
        raise
    try:
        divisions = client.divisions_allowed(link=link, access_token=tokens.access_token)
    except ExactError as exc:
        if not exc.permanent:
            raise
        divisions = []
    if link.division not in divisions:
        raise ExactError(
            _(
                "The Exact Online user did not give access to division %(division)s. Click "
                "Authenticate and tick that division on Exact's consent page, or correct the "
                "division code in panel General."
            )
            % {"division": link.division},
            permanent=True,
            code="division_not_allowed",
        )
    with transaction.atomic():
        link = ExactLink.objects.select_for_update().get(pk=link.pk)
        link.tokens_set(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_in=tokens.expires_in,
        )
        link.authenticated_at = timezone.now()
        link.save()
        _audit(user=user, action=AuditAction.AUTHENTICATED, detail=link.division)


@dataclass
class CheckLine:
    """One line of the Test connection checklist: what was checked, and the fix when red."""

    label: str
    ok: bool
    fix: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _by_code(rows: list[dict]) -> dict[str, dict]:
    # Exact pads some codes with spaces (VAT codes to 3, relation codes to 18 characters).
    return {str(row.get("Code", "")).strip(): row for row in rows}


def _error_fix(exc: ExactError) -> str:
    return _("Exact Online answered: %(message)s") % {"message": " / ".join(exc.messages)}


def link_test_connection(*, link: ExactLink, user: AbstractBaseUser) -> list[CheckLine]:
    """The pre-flight checks of the screen; each Exact list is read once."""
    lines: list[CheckLine] = []
    try:
        client.access_token_get(link=link)
    except ExactError as exc:
        fix = _("Click Authenticate and log in to Exact Online.") + " " + _error_fix(exc)
        lines.append(CheckLine(_("A valid token is available"), False, fix))
        return _tested(lines, user=user)
    lines.append(CheckLine(_("A valid token is available"), True))

    try:
        divisions = _by_code(client.get(link, "system/Divisions", params={"$select": "Code"}))
        reachable = link.division in divisions
        error = ""
    except ExactError as exc:
        reachable, error = False, _error_fix(exc)
    lines.append(
        CheckLine(
            _("Division %(division)s is reachable") % {"division": link.division},
            reachable,
            ""
            if reachable
            else error
            or _(
                "Check the division code in panel General, or click Authenticate and give "
                "access to this division."
            ),
        )
    )
    if not reachable:
        return _tested(lines, user=user)

    try:
        lines += _mapping_checks(link)
    except ExactError as exc:
        lines.append(CheckLine(_("Reading the administration"), False, _error_fix(exc)))
    return _tested(lines, user=user)


def _mapping_checks(link: ExactLink) -> list[CheckLine]:
    lines: list[CheckLine] = []
    journals = _by_code(client.get(link, "financial/Journals", params={"$select": "Code,Type"}))
    journal = journals.get(link.journal)
    label = _("Sales journal %(code)s exists") % {"code": link.journal}
    if journal is None:
        lines.append(
            CheckLine(
                label,
                False,
                _(
                    "Journal %(code)s does not exist in Exact Online: create the sales journal "
                    "there, or fix the journal number in panel Financial."
                )
                % {"code": link.journal},
            )
        )
    elif journal.get("Type") != JOURNAL_TYPE_SALES:
        lines.append(
            CheckLine(
                label,
                False,
                _(
                    "Journal %(code)s is not a sales journal in Exact Online: choose a sales "
                    "journal in panel Financial."
                )
                % {"code": link.journal},
            )
        )
    else:
        lines.append(CheckLine(label, True))

    gl_accounts = _by_code(
        client.get(link, "financial/GLAccounts", params={"$select": "Code,Type,IsBlocked"})
    )
    label = _("Debtor GL account %(code)s exists") % {"code": link.debtor_gl_account}
    if link.debtor_gl_account in gl_accounts:
        lines.append(CheckLine(label, True))
    else:
        lines.append(
            CheckLine(
                label,
                False,
                _(
                    "GL account %(code)s does not exist in Exact Online: fix the debtor GL "
                    "account in panel Financial."
                )
                % {"code": link.debtor_gl_account},
            )
        )
    for code in sorted(GLAccount.objects.values_list("code", flat=True).distinct()):
        code = code.strip()
        label = _("GL account %(code)s exists and is a revenue account") % {"code": code}
        row = gl_accounts.get(code)
        if row is None:
            fix = _(
                "GL account %(code)s does not exist in Exact Online: create it there, or map "
                "another account in coachlink."
            ) % {"code": code}
        elif row.get("Type") != GL_TYPE_REVENUE:
            fix = _(
                "GL account %(code)s is not a revenue account in Exact Online: map a revenue "
                "account."
            ) % {"code": code}
        elif row.get("IsBlocked"):
            fix = _("GL account %(code)s is blocked in Exact Online: unblock it.") % {"code": code}
        else:
            fix = ""
        lines.append(CheckLine(label, not fix, fix))

    vat_codes = _by_code(
        client.get(link, "vat/VATCodes", params={"$select": "Code,Type,IsBlocked"})
    )
    for code in sorted(VatRate.objects.values_list("exact_code", flat=True).distinct()):
        code = code.strip()
        label = _("VAT code %(code)s exists and is Exclusive") % {"code": code}
        row = vat_codes.get(code)
        if row is None:
            fix = _(
                "VAT code %(code)s does not exist in Exact Online: add it there, or fix the "
                "mapping in coachlink."
            ) % {"code": code}
        elif row.get("Type") != VAT_TYPE_EXCLUSIVE:
            fix = _("VAT code %(code)s is Inclusive in Exact: make it Exclusive.") % {"code": code}
        elif row.get("IsBlocked"):
            fix = _("VAT code %(code)s is blocked in Exact Online: unblock it.") % {"code": code}
        else:
            fix = ""
        lines.append(CheckLine(label, not fix, fix))

    if link.send_cost_center:
        cost_centers = _by_code(
            client.get(link, "hrm/Costcenters", params={"$select": "Code,Active"})
        )
        for code in sorted(CostCenter.objects.values_list("code", flat=True).distinct()):
            code = code.strip()
            label = _("Cost centre %(code)s exists") % {"code": code}
            ok = code in cost_centers
            fix = (
                ""
                if ok
                else _(
                    "Cost centre %(code)s does not exist in Exact Online: create it there, or "
                    "fix the mapping in coachlink."
                )
                % {"code": code}
            )
            lines.append(CheckLine(label, ok, fix))
    return lines


def _tested(lines: list[CheckLine], *, user: AbstractBaseUser) -> list[CheckLine]:
    failed = sum(not line.ok for line in lines)
    _audit(
        user=user,
        action=AuditAction.TESTED,
        # Stored as figures, so the log reads the same in every language.
        detail=f"{len(lines) - failed}/{len(lines)} ✓",
    )
    return lines
