"""A widely used Exact Online client, unchanged, works against the sandbox.

The client is PyPI `exactonline` (ossobv/exactonline). It insists on HTTPS with a verified
certificate, as it should against Exact, so this test serves the sandbox over TLS with a
throw-away certificate that OpenSSL is told to trust through SSL_CERT_FILE.
"""

import datetime
import ipaddress
import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from exactonline.api import ExactApi
from exactonline.storage.ini import IniStorage

from exact_sandbox.process import TEST_REDIRECT_URI, sandbox_start, sandbox_stop


def _self_signed_certificate(directory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "sandbox.crt", directory / "sandbox.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_sandbox(tmp_path, monkeypatch):
    cert_path, key_path = _self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    server = sandbox_start(tmp_path, tls=(cert_path, key_path))
    yield server
    sandbox_stop(server)


def _client(server, directory) -> ExactApi:
    config = directory / "exactonline.ini"
    config.write_text(
        "[server]\n"
        f"auth_url = {server.nl}/api/oauth2/auth\n"
        f"rest_url = {server.nl}/api\n"
        f"token_url = {server.nl}/api/oauth2/token\n"
        "[application]\n"
        f"base_url = {TEST_REDIRECT_URI}\n"
        "client_id = coachlink-demo-nl\n"
        "client_secret = sandbox-secret-nl\n"
        "iteration_limit = 50\n"
        "[transient]\n"
    )
    return ExactApi(storage=IniStorage(str(config)))


def _consent(server, auth_url: str) -> str:
    """Do what the person in the browser does: log in on the consent page and allow."""
    with requests.Session() as browser:
        page = browser.get(auth_url, timeout=30, verify=server.verify)
        form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        form.update(username="demo", password="demo", allow="1")
        answer = browser.post(
            auth_url.split("?")[0],
            data=form,
            headers={"Referer": auth_url},
            allow_redirects=False,
            timeout=30,
            verify=server.verify,
        )
    return parse_qs(urlparse(answer.headers["Location"]).query)["code"][0]


def test_the_exactonline_client_authenticates_books_and_reads_receivables(tls_sandbox, tmp_path):
    api = _client(tls_sandbox, tmp_path)
    api.request_token(_consent(tls_sandbox, api.create_auth_request_url()))
    api.set_division(7095)

    customers = api.relations.filter(filter="Status eq 'C'")
    assert len(customers) == 65  # two pages of 60 and 5, followed through __next

    account = api.relations.create({"Name": "Derde Partij BV", "Code": "4242", "Status": "C"})
    assert api.relations.get(relation_code="4242")["ID"] == account["ID"]

    revenue = api.ledgeraccounts.filter(code__in=["8000"])[0]
    entry = api.invoices.create(
        {
            "Journal": "70",
            "Customer": account["ID"],
            "EntryDate": "2026-06-01",
            "YourRef": "EXT-1",
            "SalesEntryLines": [{"GLAccount": revenue["ID"], "AmountFC": 250, "VATCode": "1"}],
        }
    )
    assert entry["AmountDC"] == 302.5
    assert api.invoices.get(invoice_number="EXT-1")["EntryID"] == entry["EntryID"]

    outstanding = api.receivables.filter(relation_id=account["ID"])
    assert [(row["YourRef"], row["Amount"]) for row in outstanding] == [("EXT-1", 302.5)]
