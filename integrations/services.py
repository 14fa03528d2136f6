"""What the buttons of the configure screen do."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import CostCenter, GLAccount, VatRate
from integrations.exact import api, client, oauth, rules
from integrations.exact.errors import ExactError, Reauthenticate, Refused
from integrations.forms import LinkPanels
from integrations.models import Activation, AuditAction, AuditEntry, ExactLink


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
    """Raise Reauthenticate with the reason the link cannot be enabled, if there is one."""
    if not link.is_authenticated:
        raise Reauthenticate(
            _("Authenticate with Exact Online first: without a valid token nothing can be sent.")
        )


def link_enable(*, link: ExactLink, user: AbstractBaseUser) -> None:
    """Start exporting; raises Reauthenticate (with the reason) while there is no valid token."""
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

    Raises Refused with a message for the user when the code is refused or the user did not
    give coachlink the division of the General panel; Transient when Exact did not answer.
    """
    try:
        tokens = oauth.code_exchange(site=link.site, code=code)
    except Refused as exc:
        raise Refused(
            _(
                "Exact Online refused the authorization code: it expired or was already "
                "used. Click Authenticate to log in again."
            ),
            status=exc.status,
        ) from exc
    try:
        divisions = {
            division.code for division in api.divisions(link, access_token=tokens.access_token)
        }
    except Refused:
        divisions = set()
    if link.division not in divisions:
        raise Refused(
            _(
                "The Exact Online user did not give access to division %(division)s. Click "
                "Authenticate and tick that division on Exact's consent page, or correct the "
                "division code in panel General."
            )
            % {"division": link.division}
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
        reachable = link.division in {division.code for division in api.divisions(link)}
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


def _line(label: str, breach: rules.Breach | None) -> CheckLine:
    return CheckLine(label, breach is None, breach.fix if breach else "")


def _mapping_checks(link: ExactLink) -> list[CheckLine]:
    """Exact's rules (integrations.exact.rules) for the panel's and coachlink's mappings."""
    journals = api.journals(link)
    lines = [
        _line(
            _("Sales journal %(code)s exists") % {"code": link.journal},
            rules.journal_breach(code=link.journal, journals=journals),
        )
    ]
    gl_accounts = api.gl_accounts(link)
    lines.append(
        _line(
            _("Debtor GL account %(code)s exists") % {"code": link.debtor_gl_account},
            rules.debtor_gl_account_breach(code=link.debtor_gl_account, gl_accounts=gl_accounts),
        )
    )
    for code in sorted({code.strip() for code in GLAccount.objects.values_list("code", flat=True)}):
        lines.append(
            _line(
                _("GL account %(code)s exists and is a revenue account") % {"code": code},
                rules.revenue_gl_account_breach(code=code, gl_accounts=gl_accounts),
            )
        )
    vat_codes = api.vat_codes(link)
    for code in sorted(
        {code.strip() for code in VatRate.objects.values_list("exact_code", flat=True)}
    ):
        lines.append(
            _line(
                _("VAT code %(code)s exists and is Exclusive") % {"code": code},
                rules.vat_code_breach(code=code, vat_codes=vat_codes),
            )
        )
    if link.send_cost_center:
        cost_centres = api.cost_centres(link)
        for code in sorted(
            {code.strip() for code in CostCenter.objects.values_list("code", flat=True)}
        ):
            lines.append(
                _line(
                    _("Cost centre %(code)s exists") % {"code": code},
                    rules.cost_centre_breach(code=code, cost_centres=cost_centres),
                )
            )
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
