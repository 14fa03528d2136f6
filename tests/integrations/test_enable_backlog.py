"""Enabling with a backlog: the final invoices not yet in Exact are shown and nothing is sent
until the user chose to exclude them up to a date or to send them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from exports.models import BatchKind, ExportBatch, ExportRecord, ExportState
from integrations.models import Activation, AuditAction, AuditEntry, ExactLink
from testkit.factories import ExactLinkFactory, final_invoice_create

pytestmark = pytest.mark.django_db

ENABLE = reverse("integrations:exact_enable")


@pytest.fixture
def link(db):
    link = ExactLinkFactory(division="7095")
    link.tokens_set(access_token="a", refresh_token="r", expires_in=600)
    link.save()
    return link


@pytest.fixture
def backlog(db):
    """Three final invoices made before the link, the last one on 10-03-2026."""
    return [final_invoice_create(date=dt.date(2026, 3, day), unit_price=100) for day in (2, 6, 10)]


def states() -> list[str]:
    return list(ExportRecord.objects.order_by("invoice__date").values_list("state", flat=True))


def test_the_confirm_step_shows_the_backlog_and_asks_what_to_do(manager_client, link, backlog):
    page = manager_client.get(ENABLE).content.decode()
    assert "3 final invoices are not yet in Exact Online, dated 02-03-2026 to 10-03-2026" in page
    assert "€\xa0363.00 including VAT" in page
    assert 'name="backlog" value="exclude"' in page and 'name="backlog" value="send"' in page
    today = timezone.localdate().strftime("%d-%m-%Y")
    assert f'name="up_to" value="{today}"' in page
    dutch = manager_client.get(ENABLE, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "3 definitieve facturen staan nog niet in Exact Online" in dutch
    assert ExactLink.objects.get().activation == Activation.OFF


def test_nothing_happens_until_the_user_chooses(
    manager_client, link, backlog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = manager_client.post(ENABLE)
    assert response.status_code == 400
    assert "Choose what happens with these invoices." in response.content.decode()
    assert ExactLink.objects.get().activation == Activation.OFF
    assert not ExportBatch.objects.exists() and queued == []


def test_exclude_up_to_a_date_excludes_those_and_sends_the_later_ones(
    manager_client, manager, link, backlog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = manager_client.post(
            ENABLE, {"backlog": "exclude", "up_to": "06-03-2026"}, follow=True
        )
    page = response.content.decode()
    assert "The link is enabled." in page
    assert "2 invoices dated up to 06-03-2026 are excluded: they are never sent." in page
    assert states() == [ExportState.EXCLUDED, ExportState.EXCLUDED, ExportState.PENDING]
    batch = ExportBatch.objects.get()
    assert (batch.kind, batch.started_by, batch.total) == (BatchKind.ENABLE, manager, 1)
    assert len(queued) == 1
    entry = AuditEntry.objects.get(action=AuditAction.ENABLED)
    assert entry.detail == "2 invoices dated up to 06-03-2026 excluded"


def test_excluding_everything_sends_nothing(
    manager_client, link, backlog, django_capture_on_commit_callbacks
):
    today = timezone.localdate().strftime("%d-%m-%Y")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        manager_client.post(ENABLE, {"backlog": "exclude", "up_to": today})
    assert ExactLink.objects.get().activation == Activation.ENABLED
    assert set(states()) == {ExportState.EXCLUDED}
    assert not ExportBatch.objects.exists() and queued == []


def test_exclude_needs_a_date(manager_client, link, backlog):
    response = manager_client.post(ENABLE, {"backlog": "exclude", "up_to": ""})
    assert response.status_code == 400
    assert "Fill in up to which invoice date" in response.content.decode()
    assert ExactLink.objects.get().activation == Activation.OFF


def test_send_starts_one_batch_labelled_with_what_started_it_and_by_whom(
    manager_client, manager, link, backlog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = manager_client.post(ENABLE, {"backlog": "send"}, follow=True)
    assert "are being sent: follow them in the export log" in response.content.decode()
    batch = ExportBatch.objects.get()
    assert (batch.kind, batch.started_by, batch.total) == (BatchKind.ENABLE, manager, 3)
    assert batch.get_kind_display() == "Sent on enabling the link"
    assert len(queued) == 1
    assert set(states()) == {ExportState.PENDING}


def test_without_a_backlog_enabling_is_a_plain_confirm(
    manager_client, link, django_capture_on_commit_callbacks
):
    page = manager_client.get(ENABLE).content.decode()
    assert "not yet in Exact Online" not in page and 'name="backlog"' not in page
    with django_capture_on_commit_callbacks(execute=False) as queued:
        manager_client.post(ENABLE)
    assert ExactLink.objects.get().activation == Activation.ENABLED
    assert queued == [] and not ExportBatch.objects.exists()


def test_after_a_pause_longer_than_a_day_the_choice_is_offered_again(manager_client, link, backlog):
    ExactLink.objects.filter(pk=link.pk).update(
        activation=Activation.PAUSED, paused_at=timezone.now() - dt.timedelta(days=1, minutes=1)
    )
    page = manager_client.get(ENABLE).content.decode()
    assert "3 final invoices are not yet in Exact Online" in page
    assert "The link has been paused since" in page


def test_after_a_short_pause_what_waited_is_sent_without_a_question(
    manager_client, manager, link, backlog, django_capture_on_commit_callbacks
):
    ExactLink.objects.filter(pk=link.pk).update(
        activation=Activation.PAUSED, paused_at=timezone.now() - dt.timedelta(hours=3)
    )
    assert 'name="backlog"' not in manager_client.get(ENABLE).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        manager_client.post(ENABLE)
    assert ExactLink.objects.get().activation == Activation.ENABLED
    assert ExportBatch.objects.get().started_by == manager and len(queued) == 1


def test_pausing_notes_when(manager_client, link):
    ExactLink.objects.filter(pk=link.pk).update(activation=Activation.ENABLED)
    manager_client.post(reverse("integrations:exact_pause"))
    paused = ExactLink.objects.get()
    assert paused.activation == Activation.PAUSED
    assert timezone.now() - paused.paused_at < dt.timedelta(minutes=1)
