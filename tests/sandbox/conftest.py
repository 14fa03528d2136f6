"""Helpers for talking to the sandbox the way an Exact client does."""

from dataclasses import dataclass

import pytest
import requests


@dataclass
class ExactSession:
    base: str
    division: int
    access_token: str
    refresh_token: str = ""

    def url(self, path: str) -> str:
        return f"{self.base}/api/v1/{self.division}/{path}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {
            "Authorization": f"Bearer {self.access_token}",
            "Accept": "application/json",
            **kwargs.pop("headers", {}),
        }
        target = path if path.startswith("http") else self.url(path)
        return requests.request(method, target, headers=headers, timeout=30, **kwargs)

    def get(self, path: str, **params) -> requests.Response:
        return self.request("GET", path, params=params)

    def post(self, path: str, payload: dict) -> requests.Response:
        return self.request("POST", path, json=payload)

    def put(self, path: str, payload: dict) -> requests.Response:
        return self.request("PUT", path, json=payload)

    def delete(self, path: str) -> requests.Response:
        return self.request("DELETE", path)

    def me(self) -> requests.Response:
        return requests.get(
            f"{self.base}/api/v1/current/Me",
            headers={"Authorization": f"Bearer {self.access_token}", "Accept": "application/json"},
            timeout=30,
        )

    def one(self, path: str, filter_: str) -> dict:
        answer = self.get(path, **{"$filter": filter_})
        assert answer.status_code == 200, answer.text
        results = answer.json()["d"]["results"]
        assert len(results) == 1, results
        return results[0]


def plain(record: dict) -> dict:
    """A record without its OData __metadata."""
    return {name: value for name, value in record.items() if name != "__metadata"}


def exact_message(response: requests.Response) -> str:
    return response.json()["error"]["message"]["value"]


def sales_entry_payload(api: ExactSession, **overrides) -> dict:
    customer = api.one("crm/Accounts", "trim(Code) eq '900001'")
    revenue = api.one("financial/GLAccounts", "Code eq '8000'")
    line = {
        "GLAccount": revenue["ID"],
        "AmountFC": 100.0,
        "VATCode": "1  ",
        "Description": "Training",
    }
    line.update(overrides.pop("line", {}))
    payload = {
        "Journal": "70",
        "Customer": customer["ID"],
        "EntryDate": "2026-05-12",
        "YourRef": "F2026-0001",
        "Description": "Factuur F2026-0001",
        "Type": 20,
        "SalesEntryLines": [line],
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def nl_api(sandbox) -> ExactSession:
    tokens = sandbox.tokens("nl")
    return ExactSession(sandbox.nl, 7095, tokens["access_token"], tokens["refresh_token"])
