"""The admin shows the link, its audit log and the export history, and changes none of them."""

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from exports.models import BatchKind, ExportBatch, ExportRecord
from exports.records import export_record_ensure
from integrations.models import AuditAction, AuditEntry, ExactLink
from testkit.factories import ExactLinkFactory, final_invoice_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def link():
    return ExactLinkFactory(division="7095")


@pytest.fixture
def audit_entry(admin_user):
    return AuditEntry.objects.create(user=admin_user, action=AuditAction.SAVED, detail="division")


def test_the_link_is_shown_in_the_admin_without_a_form_or_its_tokens(admin_client, link):
    response = admin_client.get(reverse("admin:integrations_exactlink_change", args=[link.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "7095" in content
    assert 'name="division"' not in content
    assert "token_encrypted" not in content


def test_the_admin_cannot_save_the_link_bypassing_the_panels(admin_client, link):
    response = admin_client.post(
        reverse("admin:integrations_exactlink_change", args=[link.pk]),
        {"name": "x", "site": "nl", "division": "abc", "activation": "enabled"},
    )

    assert response.status_code == 403
    link.refresh_from_db()
    assert link.division == "7095"
    assert not AuditEntry.objects.exists()


def test_the_admin_cannot_add_or_delete_a_link(admin_client, link):
    assert admin_client.get(reverse("admin:integrations_exactlink_add")).status_code == 403
    delete = reverse("admin:integrations_exactlink_delete", args=[link.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ExactLink.objects.filter(pk=link.pk).exists()


def test_nobody_deletes_or_changes_an_audit_entry_in_the_admin(admin_client, audit_entry):
    change = reverse("admin:integrations_auditentry_change", args=[audit_entry.pk])
    delete = reverse("admin:integrations_auditentry_delete", args=[audit_entry.pk])
    changelist = reverse("admin:integrations_auditentry_changelist")

    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"action": "deleted", "detail": "x"}).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    bulk = admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [audit_entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    audit_entry.refresh_from_db()
    assert audit_entry.detail == "division"
    assert audit_entry.action == AuditAction.SAVED


def test_the_audit_log_refuses_changes_and_deletes_from_code_too(audit_entry):
    audit_entry.detail = "rewritten"
    with pytest.raises(PermissionDenied):
        audit_entry.save()
    with pytest.raises(PermissionDenied):
        audit_entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.update(detail="rewritten")
    assert AuditEntry.objects.get().detail == "division"


def test_export_records_and_batches_are_not_added_changed_or_deleted_by_hand(admin_client):
    record = export_record_ensure(invoice=final_invoice_create())
    batch = ExportBatch.objects.create(kind=BatchKind.MANUAL, total=1)

    for model, obj in (("exportrecord", record), ("exportbatch", batch)):
        add = reverse(f"admin:exports_{model}_add")
        change = reverse(f"admin:exports_{model}_change", args=[obj.pk])
        delete = reverse(f"admin:exports_{model}_delete", args=[obj.pk])
        assert admin_client.get(add).status_code == 403
        assert admin_client.post(add, {"state": "exported"}).status_code == 403
        assert admin_client.get(change).status_code == 200
        assert admin_client.post(change, {"state": "exported"}).status_code == 403
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403

    assert ExportRecord.objects.get() == record
    assert ExportBatch.objects.get() == batch


def test_every_admin_page_of_the_link_and_exports_answers_without_an_error(
    admin_client, link, audit_entry
):
    record = export_record_ensure(invoice=final_invoice_create())
    ExportBatch.objects.create(kind=BatchKind.MANUAL, total=1)
    objects = {ExactLink: link, AuditEntry: audit_entry, ExportRecord: record}
    for model in admin.site._registry:
        if model._meta.app_label not in ("integrations", "exports"):
            continue
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for language in ("en", "nl"):
            headers = {"accept-language": language}
            assert (
                admin_client.get(reverse(f"{name}_changelist"), headers=headers).status_code == 200
            )
            assert admin_client.get(reverse(f"{name}_add"), headers=headers).status_code == 403
            obj = objects.get(model) or model.objects.first()
            change = admin_client.get(reverse(f"{name}_change", args=[obj.pk]), headers=headers)
            assert change.status_code == 200
