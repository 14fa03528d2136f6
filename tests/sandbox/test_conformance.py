"""Every served endpoint against the reference tables it is generated from (reference.py).

The expectations come from the same field lists as the answers, so a field added to or removed
from an endpoint's list changes what is checked here; the rows come from real bookings over HTTP.
"""

import base64
import http.client
from urllib.parse import urlsplit

import pytest
import requests

from exact_sandbox.reference import ACCOUNT_FILTER_FIELDS, ENDPOINTS
from tests.sandbox.conftest import exact_message, sales_entry_payload

NAMES = sorted(ENDPOINTS)


def _params(resource, **extra) -> dict:
    params = dict(extra)
    if resource.filter_fields:
        params.setdefault("$filter", "Status eq 'C'")
    if resource.kind == "bulk":
        params.setdefault("$select", resource.entity.key)
    return params


@pytest.fixture
def booked(nl_api):
    """One of everything coachlink writes: an account, a document with a PDF, a sales entry."""
    customer = nl_api.one("crm/Accounts", "trim(Code) eq '900001'")
    document = nl_api.post(
        "documents/Documents", {"Subject": "Factuur C-1", "Type": 10, "Account": customer["ID"]}
    ).json()["d"]
    attachment = nl_api.post(
        "documents/DocumentAttachments",
        {"Document": document["ID"], "FileName": "C-1.pdf", "Attachment": "JVBERi0xLjQK"},
    )
    assert attachment.status_code == 201, attachment.text
    entry = nl_api.post(
        "salesentry/SalesEntries", sales_entry_payload(nl_api, Document=document["ID"])
    )
    assert entry.status_code == 201, entry.text
    gone = nl_api.post("crm/Accounts", {"Name": "Opgeheven"}).json()["d"]
    assert nl_api.delete(f"crm/Accounts(guid'{gone['ID']}')").status_code == 204
    return entry.json()["d"]


@pytest.mark.parametrize("name", NAMES)
def test_a_select_of_every_reference_property_answers_exactly_those(nl_api, booked, name):
    resource = ENDPOINTS[name]
    properties = resource.entity.properties
    answer = nl_api.get(name, **_params(resource, **{"$select": ",".join(properties)}))
    assert answer.status_code == 200, answer.text
    rows = answer.json()["d"]["results"]
    assert rows, f"{name} answered no rows to check"
    for row in rows:
        assert list(row) == ["__metadata", *properties]
        assert row["__metadata"]["type"] == resource.entity.type_name


@pytest.mark.parametrize("name", [name for name in NAMES if ENDPOINTS[name].kind != "bulk"])
def test_without_select_navigation_properties_are_deferred(nl_api, booked, name):
    resource = ENDPOINTS[name]
    answer = nl_api.get(name, **_params(resource, **{"$top": "1"}))
    assert answer.status_code == 200, answer.text
    row = answer.json()["d"]["results"][0]
    assert set(row) == {"__metadata", *resource.entity.fields}
    for navigation in resource.entity.navigations:
        assert row[navigation]["__deferred"]["uri"].endswith(f")/{navigation}")


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_property_in_select_is_refused_with_or_without_rows(nl_api, name):
    resource = ENDPOINTS[name]
    key = resource.entity.key
    expected = (
        f"No property 'Bogus' exists in type '{resource.entity.type_name}' "
        f"at position {len(key) + 1}."
    )
    for division in (7095, 7096):
        nl_api.division = division
        answer = nl_api.get(name, **_params(resource, **{"$select": f"{key},Bogus"}))
        assert answer.status_code == 400
        assert exact_message(answer) == expected


@pytest.mark.parametrize("name", [name for name in NAMES if "POST" in ENDPOINTS[name].methods])
def test_a_post_with_an_unknown_or_read_only_property_is_refused(nl_api, name):
    entity = ENDPOINTS[name].entity
    before = nl_api.get(name, **_params(ENDPOINTS[name], **{"$inlinecount": "allpages"}))
    unknown = nl_api.post(name, {"Bogus": 1})
    assert unknown.status_code == 400
    assert exact_message(unknown) == (
        "Error processing request stream. The property name 'Bogus' specified for type "
        f"'{entity.type_name}' is not valid."
    )
    read_only = next(f.name for f in entity.fields.values() if f.read_only and not f.key)
    refused = nl_api.post(name, {read_only: None})
    assert refused.status_code == 400
    assert read_only in exact_message(refused) and "read-only" in exact_message(refused)
    after = nl_api.get(name, **_params(ENDPOINTS[name], **{"$inlinecount": "allpages"}))
    assert after.json()["d"]["__count"] == before.json()["d"]["__count"]


def test_a_single_record_honours_select_and_expand(nl_api, booked):
    path = f"salesentry/SalesEntries(guid'{booked['EntryID']}')"
    answer = nl_api.get(path, **{"$select": "EntryID,YourRef"}).json()["d"]
    assert list(answer) == ["__metadata", "EntryID", "YourRef"]
    assert answer["__metadata"]["uri"].endswith(path)
    expanded = nl_api.get(
        path, **{"$expand": "SalesEntryLines", "$select": "YourRef,SalesEntryLines/GLAccountCode"}
    ).json()["d"]
    lines = expanded["SalesEntryLines"]["results"]
    assert [list(line) for line in lines] == [["__metadata", "GLAccountCode"]]
    assert lines[0]["__metadata"]["uri"].startswith(nl_api.url("salesentry/SalesEntryLines(guid'"))


def test_a_nested_select_without_its_expand_is_refused(nl_api, booked):
    answer = nl_api.get("salesentry/SalesEntries", **{"$select": "SalesEntryLines/AmountFC"})
    assert answer.status_code == 400
    assert "SalesEntryLines/AmountFC" in exact_message(answer)


def test_skip_top_inlinecount_and_count(nl_api):
    codes = [
        row["Code"]
        for row in nl_api.get("financial/GLAccounts", **{"$select": "Code"}).json()["d"]["results"]
    ]
    page = nl_api.get(
        "financial/GLAccounts",
        **{"$select": "Code", "$skip": "5", "$top": "3", "$inlinecount": "allpages"},
    ).json()["d"]
    assert [row["Code"] for row in page["results"]] == codes[5:8]
    assert page["__count"] == str(len(codes))
    count = nl_api.get("financial/GLAccounts/$count", **{"$filter": "Type eq 110"})
    assert count.status_code == 200 and count.text == "9"
    assert count.headers["Content-Type"].startswith("text/plain")
    assert nl_api.get("crm/Accounts/$count", **{"$filter": "Status eq 'C'"}).text == "65"


def test_the_mandatory_filter_of_accounts_names_every_field_it_takes(nl_api):
    assert "Code" in ACCOUNT_FILTER_FIELDS
    assert nl_api.get("crm/Accounts/$count").status_code == 400
    assert nl_api.get("crm/Accounts", **{"$filter": "Name eq 'x'"}).status_code == 200


def test_sync_pages_by_timestamp(sandbox, nl_api):
    sandbox.set_limits(minutely=1000)
    rows = nl_api.get("sync/CRM/Accounts", **{"$select": "ID,Timestamp"}).json()["d"]["results"]
    stamps = [row["Timestamp"] for row in rows]
    assert len(stamps) == 67 and stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)  # a row version: no two rows share one
    later = nl_api.get(
        "sync/CRM/Accounts", **{"$select": "ID", "$filter": f"Timestamp gt {stamps[9]}L"}
    ).json()["d"]["results"]
    assert [row["ID"] for row in later] == [row["ID"] for row in rows[10:]]
    refused = nl_api.get("sync/CRM/Accounts", **{"$filter": "Name eq 'x'"})
    assert exact_message(refused) == "Filtering on these fields is not supported: Name"
    assert nl_api.get("sync/CRM/Accounts", **{"$skip": "1"}).status_code == 400


def test_without_accept_json_the_answer_is_atom(nl_api):
    answer = nl_api.request(
        "GET", "financial/Journals", params={"$select": "Code"}, headers={"Accept": "*/*"}
    )
    assert answer.headers["Content-Type"] == "application/atom+xml;type=feed;charset=utf-8"
    assert "<d:Code>70</d:Code>" in answer.text


def test_mime_base64_with_line_breaks_is_taken(nl_api):
    document = nl_api.post("documents/Documents", {"Subject": "MIME", "Type": 10}).json()["d"]
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 4
    encoded = base64.encodebytes(pdf).decode()
    assert "\n" in encoded.strip()
    answer = nl_api.post(
        "documents/DocumentAttachments",
        {"Document": document["ID"], "FileName": "m.pdf", "Attachment": encoded},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["d"]["FileSize"] == len(pdf)


def test_a_bulk_endpoint_without_select_is_refused_whatever_its_rows(nl_api):
    for name in [name for name in NAMES if ENDPOINTS[name].kind == "bulk"]:
        answer = nl_api.get(name)
        assert answer.status_code == 400
        assert exact_message(answer) == "$select is mandatory for bulk endpoints."


def test_a_registered_https_redirect_uri_is_taken(sandbox):
    code = sandbox.authorization_code("nl", redirect_uri="https://localhost:8443/callback/")
    assert len(code) > 20


def test_the_connection_is_kept_alive_between_calls(nl_api):
    target = urlsplit(nl_api.url(""))
    headers = {"Authorization": f"Bearer {nl_api.access_token}", "Accept": "application/json"}
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    try:
        connection.request("GET", target.path + "financial/Journals", headers=headers)
        first = connection.getresponse()
        first.read()
        assert (first.version, first.will_close) == (11, False)
        sock = connection.sock
        connection.request("GET", target.path + "vat/VATCodes", headers=headers)
        second = connection.getresponse()
        second.read()
        assert second.status == 200 and connection.sock is sock
    finally:
        connection.close()


def test_the_control_endpoint_needs_its_token(sandbox):
    assert requests.get(f"{sandbox.url}/_sandbox/counters", timeout=30).status_code == 401
    wrong = {"X-Sandbox-Token": "not-it"}
    assert (
        requests.get(f"{sandbox.url}/_sandbox/counters", headers=wrong, timeout=30).status_code
        == 401
    )
    assert sandbox.control("GET", "counters")["total"] >= 0


def test_the_person_ui_refuses_a_form_without_its_csrf_token(sandbox, booked):
    receivable = sandbox.state()["divisions"]["7095"]["receivables"][0]
    path = f"/divisions/7095/receivables/{receivable['ID']}/pay/"
    assert requests.post(sandbox.url + path, data={"kind": "full"}, timeout=30).status_code == 403
    assert sandbox.ui_post(path, {"kind": "full"}).status_code == 302


def test_an_account_referring_to_what_the_division_lacks_is_refused(nl_api):
    answer = nl_api.post("crm/Accounts", {"Name": "Verwijzing", "PaymentConditionSales": "15"})
    assert answer.status_code == 500
    assert exact_message(answer) == "Ongeldige referentie: Betalingsconditie"
    vat = nl_api.post("crm/Accounts", {"Name": "Verwijzing", "SalesVATCode": "9"})
    assert exact_message(vat) == "Ongeldige referentie: Btw-code"
    assert (
        nl_api.get("crm/Accounts", **{"$filter": "Name eq 'Verwijzing'"}).json()["d"]["results"]
        == []
    )
    taken = nl_api.post(
        "crm/Accounts",
        {"Name": "Verwijzing", "PaymentConditionSales": "14", "StartDate": "2026-01-01"},
    )
    assert taken.status_code == 201, taken.text
    stored = nl_api.get(
        f"crm/Accounts(guid'{taken.json()['d']['ID']}')",
        **{"$select": "PaymentConditionSales,StartDate"},
    ).json()["d"]
    assert (stored["PaymentConditionSales"], stored["StartDate"]) == ("14", "/Date(1767225600000)/")


def test_a_deleted_entry_reaches_sync_deleted_line_by_line(sandbox, nl_api):
    entry = nl_api.post("salesentry/SalesEntries", sales_entry_payload(nl_api)).json()["d"]
    synced = nl_api.get(
        "sync/Financial/TransactionLines", **{"$select": "ID,EntryID,Timestamp"}
    ).json()["d"]["results"]
    line_ids = {row["ID"] for row in synced if row["EntryID"] == entry["EntryID"]}
    assert len(line_ids) == 3
    last = max(row["Timestamp"] for row in synced)
    assert nl_api.delete(f"salesentry/SalesEntries(guid'{entry['EntryID']}')").status_code == 204
    assert (
        nl_api.get(
            "sync/Financial/TransactionLines", **{"$filter": f"Timestamp gt {last}L"}
        ).json()["d"]["results"]
        == []
    )
    deleted = nl_api.get(
        "sync/Deleted", **{"$filter": "Timestamp gt 1L and EntityType eq 1"}
    ).json()["d"]["results"]
    assert {row["EntityKey"] for row in deleted} == line_ids
    assert {row["Division"] for row in deleted} == {7095}
