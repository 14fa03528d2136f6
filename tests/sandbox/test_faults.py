"""Injected faults: server errors, latency and answers dropped after the booking committed."""

import time

import pytest
import requests

from exact_sandbox.process import sandbox_start, sandbox_stop


def _statuses(api, count):
    return [api.get("financial/Journals").status_code for _ in range(count)]


def test_an_error_rate_of_one_answers_every_call_with_a_configured_status(sandbox, nl_api):
    sandbox.set_faults(error_rate=1.0, error_statuses=[502])
    answer = nl_api.get("financial/Journals")
    assert answer.status_code == 502
    assert sandbox.counters()["injected"] == {"502": 1}


def test_a_seed_makes_the_injected_errors_repeat_exactly(sandbox, nl_api):
    sandbox.set_limits(minutely=1000)
    sandbox.set_faults(error_rate=0.5, error_statuses=[500, 502, 503], seed=7)
    first = _statuses(nl_api, 20)
    sandbox.set_faults(error_rate=0.5, error_statuses=[500, 502, 503], seed=7)
    assert _statuses(nl_api, 20) == first
    assert {500, 502, 503} & set(first) and 200 in first


def test_an_injected_500_carries_exacts_error_body(sandbox, nl_api):
    sandbox.set_faults(error_rate=1.0, error_statuses=[500])
    answer = nl_api.get("financial/Journals")
    assert answer.status_code == 500
    assert answer.json()["error"]["message"]["value"]


def test_latency_holds_every_answer(sandbox, nl_api):
    sandbox.set_faults(latency_ms=300)
    started = time.monotonic()
    nl_api.get("financial/Journals")
    assert time.monotonic() - started >= 0.3


def test_a_dropped_answer_resets_the_connection_but_the_post_is_stored(sandbox, nl_api):
    sandbox.set_faults(drop_after_commit_rate=1.0, drop_mode="reset")
    with pytest.raises(requests.ConnectionError):
        nl_api.post("crm/Accounts", {"Name": "Verloren antwoord", "Code": "555"})
    accounts = sandbox.state()["divisions"]["7095"]["accounts"]
    assert [a["Name"] for a in accounts if a["Code"].strip() == "555"] == ["Verloren antwoord"]
    assert sandbox.counters()["dropped"] == {"crm/Accounts": 1}


def test_a_held_answer_times_out_but_the_post_is_stored(sandbox, nl_api):
    sandbox.set_faults(drop_after_commit_rate=1.0, drop_mode="timeout", drop_hold_seconds=3)
    with pytest.raises(requests.Timeout):
        requests.post(
            nl_api.url("crm/Accounts"),
            json={"Name": "Te laat", "Code": "556"},
            headers={"Authorization": f"Bearer {nl_api.access_token}"},
            timeout=0.5,
        )
    accounts = sandbox.state()["divisions"]["7095"]["accounts"]
    assert [a["Name"] for a in accounts if a["Code"].strip() == "556"] == ["Te laat"]


def test_reads_are_never_dropped(sandbox, nl_api):
    sandbox.set_faults(drop_after_commit_rate=1.0)
    assert nl_api.get("financial/Journals").status_code == 200


def test_reset_restores_the_start_up_faults(sandbox, nl_api):
    sandbox.set_faults(error_rate=1.0)
    sandbox.reset()
    assert sandbox.set_faults()["error_rate"] == 0.0


def test_faults_can_be_set_at_start_up(tmp_path):
    server = sandbox_start(tmp_path, "--error-rate", "1", "--error-statuses", "503", "--seed", "3")
    try:
        tokens = server.tokens("nl")
        answer = requests.get(
            f"{server.nl}/api/v1/7095/financial/Journals",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
            timeout=30,
        )
        assert answer.status_code == 503
    finally:
        sandbox_stop(server)


def test_unknown_garbage_kinds_are_refused(sandbox):
    answer = requests.post(
        f"{sandbox.url}/_sandbox/faults",
        json={"garbage_kinds": ["xml"]},
        headers=sandbox.control_headers,
        timeout=10,
    )
    assert answer.status_code == 400
    assert sandbox.set_faults()["garbage_kinds"] == ["html", "truncated", "null", "error", "shape"]


def test_a_foreign_page_link_points_elsewhere_and_the_rows_stay(sandbox, nl_api):
    sandbox.set_faults(foreign_next_rate=1.0, foreign_next_url="http://elsewhere.test:81/")
    body = nl_api.get("financial/Journals").json()["d"]
    assert body["__next"].startswith("http://elsewhere.test:81/")
    assert {row["Code"].strip() for row in body["results"]} >= {"70"}
