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
from integrations.schedules import schedules_sync
from integrations.signals import Stopped, reauthentication_needed


def _audit(
    *, user: AbstractBaseUser | None, action: str, detail: str = "", changes: list | None = None
) -> None:
    AuditEntry.objects.create(user=user, action=action, detail=detail, changes=changes or [])


def link_save(*, panels: LinkPanels, user: AbstractBaseUser) -> ExactLink:
    """Save every panel in one transaction; call only after ``panels.is_valid()``.

    The schedules (nightly export, payment sync) follow the saved panels. Nothing is sent.
    """
    with transaction.atomic():
        link = panels.instance
        link.save()
        schedules_sync(link=link)
        _audit(user=user, action=AuditAction.SAVED, changes=panels.changes())
    return link


def link_enable_check(*, link: ExactLink) -> None:
    """Raise Refused (Reauthenticate without a token) with the reason the link cannot be
    enabled, if there is one."""
    if not link.is_authenticated:
        raise Reauthenticate(
            _("Authenticate with Exact Online first: without a valid token nothing can be sent.")
        )
    problem = link_division_problem(link=link)
    if problem:
        raise Refused(problem)


def link_enable(*, link: ExactLink, user: AbstractBaseUser, detail: str = "") -> None:
    """Enable the link; raises Reauthenticate (with the reason) while there is no valid token.

    From now on finalised invoices are exported (realtime) and the schedules run (nightly
    export, payment sync). Invoices already waiting are not sent: starting that is a separate
    step (exports.queue.exports_start_bulk). ``detail`` says what was done with them.
    """
    link_enable_check(link=link)
    with transaction.atomic():
        link.activation = Activation.ENABLED
        link.paused_at = None
        link.save(update_fields=["activation", "paused_at", "updated_at"])
        schedules_sync(link=link)
        _audit(user=user, action=AuditAction.ENABLED, detail=detail)


def link_pause(*, link: ExactLink, user: AbstractBaseUser) -> None:
    """Pause the link: the schedules stop and nothing is sent to or read from Exact; finalised
    invoices wait as pending until the link is enabled again."""
    with transaction.atomic():
        link.activation = Activation.PAUSED
        link.paused_at = timezone.now()
        link.save(update_fields=["activation", "paused_at", "updated_at"])
        schedules_sync(link=link)
        _audit(user=user, action=AuditAction.PAUSED)


def link_delete(*, link: ExactLink, user: AbstractBaseUser) -> None:
    """Remove the link, its tokens and its schedules; the audit log and the export history stay."""
    with transaction.atomic():
        _audit(user=user, action=AuditAction.DELETED, detail=f"{link.name} ({link.division})")
        link.delete()
        schedules_sync(link=None)


def _consented_divisions(link: ExactLink, *, access_token: str) -> list[dict]:
    """The administrations the user just gave coachlink, or [] when Exact does not list them.

    Exact lists them only through a division the app may use: the one the user last opened in
    Exact (current/Me), or else the one the link already names."""
    try:
        candidates = [api.current_division(link, access_token=access_token), link.division]
    except Refused:
        candidates = [link.division]
    for via in dict.fromkeys(code for code in candidates if code):
        try:
            found = api.divisions(link, access_token=access_token, via=via)
        except Refused:
            continue
        return [
            {"code": division.code, "description": division.description}
            for division in sorted(found, key=lambda division: (len(division.code), division.code))
        ]
    return []


def link_authenticate(*, link: ExactLink, code: str, user: AbstractBaseUser) -> ExactLink:
    """Finish the consent: trade the code, store the tokens and the administrations the user
    gave coachlink, from which the General panel then offers the division.

    Raises Refused with a message for the user when the code is refused; Transient when Exact
    did not answer.
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
    consented = _consented_divisions(link, access_token=tokens.access_token)
    with transaction.atomic():
        link = ExactLink.objects.select_for_update().get(pk=link.pk)
        link.tokens_set(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_in=tokens.expires_in,
        )
        link.authenticated_at = timezone.now()
        link.consented_divisions = consented
        link.save()
        _audit(
            user=user,
            action=AuditAction.AUTHENTICATED,
            detail=", ".join(division["code"] for division in consented),
        )
    return link


def link_division_problem(*, link: ExactLink) -> str:
    """Why exports cannot reach the link's division with the current consent, or ""."""
    if not link.division:
        return _("Choose the administration (division) in panel General and save.")
    breach = rules.division_breach(code=link.division, consented=link.consented_division_codes)
    return breach.fix if breach else ""


class CheckLevel:
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


@dataclass
class CheckLine:
    """One line of the Test connection checklist: what was checked and, unless it passed,
    what is wrong and how to fix it. A warning does not stop exports but may book wrongly."""

    label: str
    level: str = CheckLevel.OK
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.level != CheckLevel.ERROR

    def as_dict(self) -> dict:
        return asdict(self)


def _error_fix(exc: ExactError) -> str:
    return _("Exact Online answered: %(message)s") % {"message": " / ".join(exc.messages)}


def _division_fix(link: ExactLink, exc: ExactError | None) -> str:
    if exc is None or (isinstance(exc, Refused) and exc.status == 403):
        return _(
            "Exact Online refused access to division %(division)s: the Exact user did not "
            "give coachlink access to it, or it does not exist. Click Authenticate and tick "
            "that administration on Exact's consent page, or choose another administration in "
            "panel General."
        ) % {"division": link.division}
    return _error_fix(exc)


def link_test_connection(*, link: ExactLink, user: AbstractBaseUser) -> list[CheckLine]:
    """The pre-flight checks of the screen; each Exact list is read once."""
    lines: list[CheckLine] = []
    try:
        client.access_token_get(link=link)
    except ExactError as exc:
        if isinstance(exc, Reauthenticate):
            reauthentication_needed.send(
                sender=ExactLink, link=link, stopped=Stopped.TEST_CONNECTION
            )
        fix = _("Click Authenticate and log in to Exact Online.") + " " + _error_fix(exc)
        lines.append(CheckLine(_("A valid token is available"), CheckLevel.ERROR, fix))
        return _tested(lines, user=user)
    lines.append(CheckLine(_("A valid token is available")))
    if not link.division:
        lines.append(
            CheckLine(
                _("An administration is chosen"),
                CheckLevel.ERROR,
                _("Choose the administration (division) in panel General and save."),
            )
        )
        return _tested(lines, user=user)

    label = _("Division %(division)s is reachable") % {"division": link.division}
    try:
        reachable = link.division in {division.code for division in api.divisions(link)}
        error = None
    except ExactError as exc:
        reachable, error = False, exc
    if not reachable:
        lines.append(CheckLine(label, CheckLevel.ERROR, _division_fix(link, error)))
        return _tested(lines, user=user)
    lines.append(CheckLine(label))

    try:
        lines += _mapping_checks(link)
    except ExactError as exc:
        lines.append(CheckLine(_("Reading the administration"), CheckLevel.ERROR, _error_fix(exc)))
    return _tested(lines, user=user)


def _line(label: str, breach: rules.Breach | None, *, warning: bool = False) -> CheckLine:
    if breach is None:
        return CheckLine(label)
    return CheckLine(label, CheckLevel.WARNING if warning else CheckLevel.ERROR, breach.fix)


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
            _("Debtor GL account %(code)s exists and is a receivables account")
            % {"code": link.debtor_gl_account},
            rules.debtor_gl_account_breach(code=link.debtor_gl_account, gl_accounts=gl_accounts),
        )
    )
    for account in GLAccount.objects.order_by("code"):
        code = account.code.strip()
        breach = rules.revenue_gl_account_breach(code=code, gl_accounts=gl_accounts)
        lines.append(
            _line(_("GL account %(code)s exists and is a revenue account") % {"code": code}, breach)
        )
        if breach is None:
            lines.append(
                _line(
                    _("GL account %(code)s has the same name in Exact Online") % {"code": code},
                    rules.gl_account_name_warning(
                        code=code, name=account.name, gl_accounts=gl_accounts
                    ),
                    warning=True,
                )
            )
    vat_codes = api.vat_codes(link)
    for rate in VatRate.objects.order_by("exact_code"):
        code = rate.exact_code.strip()
        breach = rules.vat_code_breach(code=code, vat_codes=vat_codes) or rules.vat_rate_breach(
            code=code, percentage=rate.percentage, vat_codes=vat_codes
        )
        lines.append(
            _line(
                _("VAT code %(code)s exists, is Exclusive and has the same rate") % {"code": code},
                breach,
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
    failed = sum(line.level == CheckLevel.ERROR for line in lines)
    warned = sum(line.level == CheckLevel.WARNING for line in lines)
    passed = len(lines) - failed - warned
    _audit(
        user=user,
        action=AuditAction.TESTED,
        # Stored as figures, so the log reads the same in every language.
        detail=f"{passed}/{len(lines)} ✓" + (f", {warned} ⚠" if warned else ""),
    )
    return lines
