import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from billing.models import Debtor, Invoice, Parameters
from billing.services import invoice_finalise
from billing.signals import invoice_finalised
from testkit.factories import (
    DebtorFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    PersonFactory,
    final_invoice_create,
)

pytestmark = pytest.mark.django_db


def test_it_numbers_the_first_invoice_from_the_start_number_in_parameters():
    Parameters.objects.update_or_create(pk=1, defaults={"first_invoice_number": 2026001})

    first = final_invoice_create()
    second = final_invoice_create()

    assert (first.number, second.number) == (2026001, 2026002)
    assert first.status == Invoice.Status.FINAL
    assert first.finalised_at is not None


def test_it_shows_invoice_numbers_padded_to_five_digits():
    invoice = final_invoice_create()

    assert invoice.number == 1
    assert invoice.number_display == "00001"


def test_it_leaves_a_draft_without_a_number():
    invoice = InvoiceLineFactory().invoice

    assert invoice.number is None
    assert invoice.number_display == ""


def test_it_leaves_no_gap_when_finalising_fails():
    final_invoice_create()
    with pytest.raises(ValidationError):
        invoice_finalise(invoice=InvoiceFactory())

    assert final_invoice_create().number == 2
    assert Parameters.load().last_invoice_number == 2


def test_it_never_hands_out_a_number_twice_when_the_start_number_is_lowered():
    Parameters.objects.update_or_create(pk=1, defaults={"first_invoice_number": 500})
    final_invoice_create()
    Parameters.objects.filter(pk=1).update(first_invoice_number=1)

    assert final_invoice_create().number == 501


def test_it_jumps_ahead_when_the_start_number_is_raised():
    final_invoice_create()
    Parameters.objects.filter(pk=1).update(first_invoice_number=10000)

    assert final_invoice_create().number == 10000


def test_saving_a_stale_copy_of_the_parameters_does_not_turn_the_counter_back():
    stale = Parameters.load()
    final_invoice_create()
    stale.company_name = "Opleidingen Zuid BV"
    stale.save()

    assert Parameters.load().company_name == "Opleidingen Zuid BV"
    assert final_invoice_create().number == 2


def test_a_second_process_making_the_parameters_row_meets_a_duplicate_that_load_answers():
    # Two processes that both found no row race to create it: the loser's forced insert must be
    # a duplicate (get_or_create then reads the row), never an update in disguise.
    Parameters.load()
    with pytest.raises(IntegrityError), transaction.atomic():
        Parameters(pk=Parameters.SINGLETON_PK).save(force_insert=True)
    assert Parameters.load().pk == Parameters.SINGLETON_PK


def test_it_refuses_to_finalise_an_invoice_twice():
    invoice = final_invoice_create()

    with pytest.raises(ValidationError, match="already final"):
        invoice_finalise(invoice=invoice)
    assert Parameters.load().last_invoice_number == 1


def test_it_records_who_finalised_the_invoice(django_user_model):
    user = django_user_model.objects.create_user("boekhouder")
    invoice = InvoiceLineFactory().invoice

    invoice_finalise(invoice=invoice, user=user)

    invoice.refresh_from_db()
    assert invoice.finalised_by == user


def test_it_sends_invoice_finalised_with_the_numbered_invoice():
    received = []

    def receiver(sender, invoice, **kwargs):
        received.append((sender, invoice.pk, invoice.number, invoice.status))

    invoice = InvoiceLineFactory().invoice
    invoice_finalised.connect(receiver)
    try:
        invoice_finalise(invoice=invoice)
    finally:
        invoice_finalised.disconnect(receiver)

    assert received == [(Invoice, invoice.pk, 1, Invoice.Status.FINAL)]


def test_it_rolls_the_number_back_when_a_receiver_fails_inside_the_transaction():
    def receiver(sender, invoice, **kwargs):
        raise RuntimeError("export could not be queued")

    invoice = InvoiceLineFactory().invoice
    invoice_finalised.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            invoice_finalise(invoice=invoice)
    finally:
        invoice_finalised.disconnect(receiver)

    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.status, stored.number) == (Invoice.Status.DRAFT, None)
    assert Parameters.load().last_invoice_number == 0


def test_it_gives_debtors_consecutive_numbers_from_their_own_start_number():
    Parameters.objects.update_or_create(pk=1, defaults={"first_debtor_number": 7})
    final_invoice_create()  # invoice numbering must not move the debtor counter

    company_debtor = Debtor.objects.exclude(debtor_number=None).get()
    person_debtor = DebtorFactory(company=None, person=PersonFactory())

    assert company_debtor.debtor_number == 7
    assert person_debtor.debtor_number == 8
    assert person_debtor.debtor_number_display == "00008"


def test_it_keeps_a_debtor_number_when_the_debtor_is_saved_again():
    debtor = DebtorFactory()
    debtor.city = "Tilburg"
    debtor.save()

    debtor.refresh_from_db()
    assert debtor.debtor_number == 1
    assert Parameters.load().last_debtor_number == 1


def finalise_in_threads(invoice_pks: list[int]) -> list[Exception]:
    """Finalise each pk in its own thread (and so its own database connection), all at once."""
    barrier = threading.Barrier(len(invoice_pks))
    errors: list[Exception] = []

    def finalise(pk: int) -> None:
        try:
            invoice = Invoice.objects.get(pk=pk)
            barrier.wait(timeout=30)
            invoice_finalise(invoice=invoice)
        except Exception as error:  # collected for the assertion in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=finalise, args=(pk,)) for pk in invoice_pks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_finalising_on_postgresql_hands_out_every_number_once(require_postgresql):
    invoices = [InvoiceLineFactory().invoice for _ in range(8)]

    errors = finalise_in_threads([invoice.pk for invoice in invoices])

    assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 9))
    assert Parameters.load().last_invoice_number == 8


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_finalising_of_one_invoice_on_postgresql_numbers_it_once(require_postgresql):
    invoice = InvoiceLineFactory().invoice

    errors = finalise_in_threads([invoice.pk] * 4)

    assert len(errors) == 3
    assert all(isinstance(error, ValidationError) for error in errors)
    invoice.refresh_from_db()
    assert invoice.number == 1
    assert Parameters.load().last_invoice_number == 1
