"""The Integrations pages: thin views over integrations.services."""

from __future__ import annotations

import secrets
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exports.forms import BacklogChoice, BacklogChoiceForm
from exports.models import BatchKind, ExportRecord, ExportState
from exports.queue import exports_start_bulk
from exports.records import exportable_records, invoices_exclude_existing
from exports.selectors import export_backlog
from integrations import services, takeover
from integrations.exact import oauth
from integrations.exact.errors import ExactError
from integrations.forms import PANELS, LinkPanels
from integrations.models import Activation, AuditAction, AuditEntry, ExactLink, ExportMoment
from integrations.selectors import link_get

PERMISSION = "integrations.change_exactlink"
SESSION_STATE = "exact_oauth_state"
SESSION_CHECKS = "exact_test_connection"
AUDIT_ROWS = 25


def link_manager_required(view):
    """Staff with the permission only; anonymous users were sent to the login already."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not (request.user.is_staff and request.user.has_perm(PERMISSION)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@link_manager_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "integrations/index.html", {"link": link_get()})


def _configure_page(
    request: HttpRequest,
    *,
    link: ExactLink,
    panels: LinkPanels,
    status=200,
    division_change: dict | None = None,
):
    titles = dict((key, form_class.title) for key, form_class in PANELS)
    return render(
        request,
        "integrations/exact_configure.html",
        {
            "link": link,
            "division_change": division_change,
            "panels": [
                (key, titles[key], form) for (key, _c), form in zip(PANELS, panels, strict=True)
            ],
            "checks": request.session.pop(SESSION_CHECKS, None) if status == 200 else None,
            "audit": AuditEntry.objects.select_related("user")[:AUDIT_ROWS],
            "errors_count": panels.errors_count,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@link_manager_required
def exact_configure(request: HttpRequest) -> HttpResponse:
    link = link_get() or ExactLink()
    if request.method == "GET":
        return _configure_page(request, link=link, panels=LinkPanels(instance=link))
    panels = LinkPanels(request.POST, instance=link)
    if not panels.is_valid():
        # The page says it above the panels, next to the fields marked in red.
        return _configure_page(request, link=link, panels=panels, status=400)
    if panels.division_changed and request.POST.get("confirm_division") != panels.new_division:
        booked = ExportRecord.objects.filter(
            state__in=[ExportState.EXPORTED, ExportState.SENDING]
        ).count()
        if booked:
            # Nothing is saved until the user confirms what changing the division means.
            return _configure_page(
                request,
                link=link,
                panels=panels,
                division_change={
                    "old": panels.stored_division,
                    "old_name": link.division_description(panels.stored_division),
                    "new": panels.new_division,
                    "new_name": link.division_description(panels.new_division),
                    "booked": booked,
                },
            )
    try:
        services.link_save(panels=panels, user=request.user)
    except IntegrityError:
        # Another request created the link between our read and our insert.
        messages.error(request, _("Exact Online allows one administration per link."))
        return redirect("integrations:exact_configure")
    messages.success(request, _("The settings are saved."))
    return redirect("integrations:exact_configure")


def _saved_link_or_message(request: HttpRequest) -> ExactLink | None:
    link = link_get()
    if link is None:
        messages.error(request, _("Save the settings first."))
    return link


@require_POST
@link_manager_required
def exact_authenticate(request: HttpRequest) -> HttpResponse:
    link = _saved_link_or_message(request)
    if link is None:
        return redirect("integrations:exact_configure")
    state = secrets.token_urlsafe(32)
    request.session[SESSION_STATE] = state
    return redirect(oauth.authorization_url(site=link.site, state=state))


def _authentication_failed(request: HttpRequest, message: str) -> HttpResponse:
    AuditEntry.objects.create(
        user=request.user, action=AuditAction.AUTHENTICATION_FAILED, detail=message
    )
    messages.error(request, message)
    return redirect("integrations:exact_configure")


@require_GET
@link_manager_required
def exact_callback(request: HttpRequest) -> HttpResponse:
    expected = request.session.get(SESSION_STATE, "")
    received = request.GET.get("state", "")
    if not (expected and received and secrets.compare_digest(expected.encode(), received.encode())):
        # Not the answer to an authentication this browser session started: a stale or forged
        # link, or a page on another site that made the browser load this one. Such a GET
        # changes nothing: no audit entry, and an authentication in progress stays pending.
        messages.error(
            request,
            _(
                "The answer from Exact Online does not belong to this session. Click "
                "Authenticate to try again."
            ),
        )
        return redirect("integrations:exact_configure")
    del request.session[SESSION_STATE]
    if request.GET.get("error"):
        if request.GET["error"] == "access_denied":
            message = _(
                "Access was refused on Exact Online's consent page: the link stays "
                "unauthenticated. Click Authenticate and choose Allow to link coachlink."
            )
        else:
            message = _("Exact Online reported an error: %(error)s") % {
                "error": request.GET.get("error_description") or request.GET["error"]
            }
        return _authentication_failed(request, message)
    link = link_get()
    if link is None:
        return _authentication_failed(request, _("Save the settings first."))
    code = request.GET.get("code", "")
    if not code:
        return _authentication_failed(request, _("Exact Online sent no authorization code."))
    try:
        link = services.link_authenticate(link=link, code=code, user=request.user)
    except ExactError as exc:
        return _authentication_failed(request, " ".join(exc.messages))
    messages.success(request, _("The link is authenticated with Exact Online."))
    if not link.consented_divisions:
        messages.warning(
            request,
            _(
                "Exact Online did not list the administrations you gave coachlink access to: "
                "Exact lists them only through the administration you last opened in Exact "
                "Online, and coachlink may not use that one. Type the division code in panel "
                "General, or open an administration you ticked in Exact Online and "
                "authenticate again."
            ),
        )
    elif problem := services.link_division_problem(link=link):
        messages.warning(request, problem)
    return redirect("integrations:exact_configure")


@require_POST
@link_manager_required
def exact_test_connection(request: HttpRequest) -> HttpResponse:
    link = _saved_link_or_message(request)
    if link is None:
        return redirect("integrations:exact_configure")
    lines = services.link_test_connection(link=link, user=request.user)
    request.session[SESSION_CHECKS] = [line.as_dict() for line in lines]
    if all(line.level == services.CheckLevel.OK for line in lines):
        messages.success(request, _("Test connection: every check passed."))
    elif all(line.ok for line in lines):
        messages.warning(
            request,
            _(
                "Test connection: the link works, but some mappings may book on the wrong "
                "account; see the warnings below."
            ),
        )
    else:
        messages.error(request, _("Test connection: some checks failed; see the fixes below."))
    return redirect("integrations:exact_configure")


def _readable_link_or_message(request: HttpRequest) -> ExactLink | None:
    """The saved link when it can read from Exact (authenticated, a division chosen)."""
    link = _saved_link_or_message(request)
    if link is None:
        return None
    if not link.is_authenticated:
        messages.error(request, _("Authenticate with Exact Online first."))
        return None
    if not link.division:
        messages.error(
            request, _("Choose the administration (division) in panel General and save.")
        )
        return None
    return link


@require_http_methods(["GET", "POST"])
@link_manager_required
def exact_take_over(request: HttpRequest) -> HttpResponse:
    link = _readable_link_or_message(request)
    if link is None:
        return redirect("integrations:exact_configure")
    try:
        if request.method == "POST":
            changes = takeover.takeover_apply(
                link=link, keys=set(request.POST.getlist("take")), user=request.user
            )
            if changes:
                messages.success(
                    request,
                    ngettext(
                        "Taken over from Exact Online: %(count)d change.",
                        "Taken over from Exact Online: %(count)d changes.",
                        len(changes),
                    )
                    % {"count": len(changes)},
                )
            else:
                messages.info(request, _("Nothing was ticked, so nothing changed."))
            return redirect("integrations:exact_configure")
        comparison = takeover.takeover_compare(link=link)
    except ExactError as exc:
        reason = {"message": " / ".join(exc.messages)}
        messages.error(request, _("Exact Online could not be read: %(message)s") % reason)
        return redirect("integrations:exact_configure")
    return render(
        request,
        "integrations/exact_take_over.html",
        {
            "link": link,
            "sections": [
                (_("Revenue GL accounts"), comparison.gl_accounts),
                (_("VAT codes (exclusive)"), comparison.vat_codes),
                (_("Cost centres"), comparison.cost_centres),
            ],
            "differences": comparison.differences,
        },
    )


def _enable_page(request, *, link, backlog, form, status=200) -> HttpResponse:
    paused = link.activation == Activation.PAUSED
    return render(
        request,
        "integrations/exact_confirm.html",
        {
            "link": link,
            "action": "enable",
            "backlog": backlog,
            "backlog_form": form,
            "paused_since": link.paused_at if paused else None,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@link_manager_required
def exact_enable(request: HttpRequest) -> HttpResponse:
    """Enable the link. On the first enabling and after a long pause, the final invoices not
    yet in Exact are shown and nothing is sent until the user chose: exclude them up to a
    date, or send them."""
    link = _saved_link_or_message(request)
    if link is None:
        return redirect("integrations:exact_configure")
    if link.activation == Activation.ENABLED:
        messages.info(request, _("The link is already enabled."))
        return redirect("integrations:exact_configure")
    try:
        # Refused before the confirm step, so the user reads the reason straight away.
        services.link_enable_check(link=link)
    except ExactError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("integrations:exact_configure")
    backlog = export_backlog() if link.enabling_asks_for_backlog else None
    asks = backlog is not None and backlog.count > 0
    if request.method == "GET":
        form = BacklogChoiceForm() if asks else None
        return _enable_page(request, link=link, backlog=backlog, form=form)
    form = BacklogChoiceForm(request.POST) if asks else None
    if form is not None and not form.is_valid():
        return _enable_page(request, link=link, backlog=backlog, form=form, status=400)
    # Without a question (a short pause), what waited goes as it would have gone: at once when
    # realtime, with the next nightly run otherwise.
    send = (
        form.cleaned_data["backlog"] == BacklogChoice.SEND
        if form is not None
        else link.export_moment == ExportMoment.REALTIME
    )
    up_to = form.cleaned_data["up_to"] if form is not None and not send else None
    try:
        with transaction.atomic():
            excluded = invoices_exclude_existing(up_to=up_to) if up_to else 0
            detail = (
                _("%(count)d invoices dated up to %(date)s excluded")
                % {"count": excluded, "date": date_format(up_to, "d-m-Y")}
                if up_to
                else ""
            )
            services.link_enable(link=link, user=request.user, detail=detail)
            batch = None
            if (send or up_to) and exportable_records().exists():
                batch = exports_start_bulk(user=request.user, kind=BatchKind.ENABLE)
    except ExactError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("integrations:exact_configure")
    messages.success(request, _("The link is enabled."))
    if up_to:
        messages.info(
            request,
            ngettext(
                "%(count)d invoice dated up to %(date)s is excluded: it is never sent.",
                "%(count)d invoices dated up to %(date)s are excluded: they are never sent.",
                excluded,
            )
            % {"count": excluded, "date": date_format(up_to, "d-m-Y")},
        )
    if batch is not None:
        sending = _(
            "The invoices not yet in Exact Online are being sent: follow them in the export log."
        )
        messages.info(request, sending)
    return redirect("integrations:exact_configure")


@require_POST
@link_manager_required
def exact_pause(request: HttpRequest) -> HttpResponse:
    link = _saved_link_or_message(request)
    if link is None:
        return redirect("integrations:exact_configure")
    if link.activation != Activation.ENABLED:
        messages.error(request, _("Only an enabled link can be paused."))
        return redirect("integrations:exact_configure")
    services.link_pause(link=link, user=request.user)
    messages.success(request, _("The link is paused: nothing is sent until you enable it."))
    return redirect("integrations:exact_configure")


@require_http_methods(["GET", "POST"])
@link_manager_required
def exact_delete(request: HttpRequest) -> HttpResponse:
    link = _saved_link_or_message(request)
    if link is None:
        return redirect("integrations:exact_configure")
    if request.method == "GET":
        return render(
            request, "integrations/exact_confirm.html", {"link": link, "action": "delete"}
        )
    services.link_delete(link=link, user=request.user)
    messages.success(request, _("The link is deleted; the export history is kept."))
    return redirect("integrations:index")
