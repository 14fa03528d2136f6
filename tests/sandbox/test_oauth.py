"""OAuth 2 on the sandbox behaves like Exact's: consent, codes, token rules, rotation, sites."""

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import requests

from exact_sandbox.process import TEST_REDIRECT_URI

NL_CLIENT = {"client_id": "coachlink-demo-nl", "client_secret": "sandbox-secret-nl"}


def _token(sandbox, site="nl", **form):
    return requests.post(f"{getattr(sandbox, site)}/api/oauth2/token", data=form, timeout=30)


def _exchange(sandbox, code, **extra):
    return _token(
        sandbox,
        grant_type="authorization_code",
        code=code,
        redirect_uri=TEST_REDIRECT_URI,
        **{**NL_CLIENT, **extra},
    )


def _refresh(sandbox, refresh_token):
    return _token(sandbox, grant_type="refresh_token", refresh_token=refresh_token, **NL_CLIENT)


def test_the_consent_page_asks_for_login_and_divisions(sandbox):
    page = requests.get(
        f"{sandbox.nl}/api/oauth2/auth",
        params={"client_id": "coachlink-demo-nl", "redirect_uri": TEST_REDIRECT_URI, "state": "s"},
        timeout=30,
    )
    assert page.status_code == 200
    for fragment in ('name="username"', 'name="password"', 'name="allow"', 'name="deny"'):
        assert fragment in page.text
    assert 'name="division" value="7095"' in page.text
    assert 'name="division" value="7096"' in page.text


def test_allowing_redirects_with_a_code_and_the_state(sandbox):
    code = sandbox.authorization_code("nl", state="xyz-123")
    assert len(code) > 20


def _consent_post(sandbox, data: dict):
    """The consent form as the browser submits it: after its page, with the CSRF token."""
    with requests.Session() as browser:
        page_url = f"{sandbox.nl}/api/oauth2/auth?client_id=coachlink-demo-nl"
        return sandbox._form_post(browser, page_url, f"{sandbox.nl}/api/oauth2/auth", data)


def test_the_consent_form_refuses_a_post_without_its_csrf_token(sandbox):
    answer = requests.post(
        f"{sandbox.nl}/api/oauth2/auth",
        data={"client_id": "coachlink-demo-nl", "redirect_uri": TEST_REDIRECT_URI, "deny": "1"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 403


def test_denying_redirects_with_access_denied_and_the_state(sandbox):
    answer = _consent_post(
        sandbox,
        {
            "client_id": "coachlink-demo-nl",
            "redirect_uri": TEST_REDIRECT_URI,
            "state": "st",
            "deny": "1",
        },
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"{TEST_REDIRECT_URI}?error=access_denied&state=st"


def test_a_wrong_password_gives_no_code(sandbox):
    answer = _consent_post(
        sandbox,
        {
            "client_id": "coachlink-demo-nl",
            "redirect_uri": TEST_REDIRECT_URI,
            "username": "demo",
            "password": "wrong",
            "allow": "1",
        },
    )
    assert answer.status_code == 200
    assert "onjuist" in answer.text


def test_an_unregistered_redirect_uri_is_refused(sandbox):
    page = requests.get(
        f"{sandbox.nl}/api/oauth2/auth",
        params={"client_id": "coachlink-demo-nl", "redirect_uri": "https://evil.example/cb"},
        timeout=30,
    )
    assert page.status_code == 400


def test_a_client_id_of_the_other_site_is_not_found(sandbox):
    page = requests.get(
        f"{sandbox.be}/api/oauth2/auth",
        params={"client_id": "coachlink-demo-nl", "redirect_uri": TEST_REDIRECT_URI},
        timeout=30,
    )
    assert page.status_code == 400
    assert "Client with identifier coachlink-demo-nl not found" in page.text
    answer = _token(sandbox, "be", grant_type="refresh_token", refresh_token="x", **NL_CLIENT)
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_client",
        "error_description": "Client with identifier coachlink-demo-nl not found",
    }


def test_the_token_answer_carries_expires_in_as_a_string(sandbox):
    answer = _exchange(sandbox, sandbox.authorization_code("nl"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_in"] == "600"
    assert body["token_type"] == "bearer"
    assert body["access_token"] and body["refresh_token"]


def test_a_code_works_only_once(sandbox):
    code = sandbox.authorization_code("nl")
    assert _exchange(sandbox, code).status_code == 200
    again = _exchange(sandbox, code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_code_expires_after_three_minutes(sandbox):
    code = sandbox.authorization_code("nl")
    sandbox.advance_clock(181)
    answer = _exchange(sandbox, code)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_the_client_secret_is_also_accepted_through_http_basic(sandbox):
    answer = requests.post(
        f"{sandbox.nl}/api/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": sandbox.authorization_code("nl"),
            "redirect_uri": TEST_REDIRECT_URI,
        },
        auth=("coachlink-demo-nl", "sandbox-secret-nl"),
        timeout=30,
    )
    assert answer.status_code == 200


def test_a_wrong_client_secret_is_refused(sandbox):
    answer = _exchange(sandbox, sandbox.authorization_code("nl"), client_secret="nope")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_client"


def test_an_access_token_expires_after_600_seconds(sandbox):
    tokens = sandbox.tokens("nl")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert requests.get(f"{sandbox.nl}/api/v1/current/Me", headers=headers, timeout=30).ok
    sandbox.advance_clock(601)
    expired = requests.get(f"{sandbox.nl}/api/v1/current/Me", headers=headers, timeout=30)
    assert expired.status_code == 401


def test_a_refresh_before_570_seconds_is_refused_as_exact_refuses_it(sandbox):
    tokens = sandbox.tokens("nl")
    sandbox.advance_clock(560)
    answer = _refresh(sandbox, tokens["refresh_token"])
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "access_denied",
        "error_description": "Rate limit exceeded: access_token not expired",
    }


def test_a_refresh_rotates_the_refresh_token_and_the_old_one_is_refused(sandbox):
    tokens = sandbox.tokens("nl")
    sandbox.advance_clock(571)
    fresh = _refresh(sandbox, tokens["refresh_token"])
    assert fresh.status_code == 200
    assert fresh.json()["refresh_token"] != tokens["refresh_token"]
    reused = _refresh(sandbox, tokens["refresh_token"])
    assert reused.status_code == 401
    assert reused.json() == {
        "error": "unauthorized_client",
        "error_description": "Old refresh token used.",
    }


def test_an_unused_refresh_token_expires_after_30_days(sandbox):
    tokens = sandbox.tokens("nl")
    sandbox.advance_clock(30 * 86400 + 60)
    answer = _refresh(sandbox, tokens["refresh_token"])
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    assert answer.json()["error_description"].startswith("The refresh token expired at ")


def test_token_calls_are_limited_per_app_and_user_per_day(sandbox):
    sandbox.set_limits(token_calls_per_day=2)
    tokens = sandbox.tokens("nl")
    assert _refresh(sandbox, tokens["refresh_token"]).status_code == 400  # too early, but counted
    refused = _refresh(sandbox, tokens["refresh_token"])
    assert refused.json()["error_description"].startswith("Rate limit exceeded: maximum")
    sandbox.advance_clock(86400)
    assert _refresh(sandbox, tokens["refresh_token"]).status_code == 200


def test_a_token_only_opens_the_divisions_the_user_allowed(sandbox):
    tokens = sandbox.tokens("nl", divisions=[7095])
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    url = f"{sandbox.nl}/api/v1/%d/financial/Journals"
    assert requests.get(url % 7095, headers=headers, timeout=30).status_code == 200
    assert requests.get(url % 7096, headers=headers, timeout=30).status_code == 403


def test_a_token_of_one_site_is_refused_on_the_other(sandbox):
    tokens = sandbox.tokens("nl")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (
        requests.get(f"{sandbox.be}/api/v1/current/Me", headers=headers, timeout=30).status_code
        == 401
    )


def test_every_call_without_a_valid_bearer_token_is_refused(sandbox):
    answer = requests.get(f"{sandbox.nl}/api/v1/7095/financial/Journals", timeout=30)
    assert answer.status_code == 401
    forged = {"Authorization": "Bearer not-a-token"}
    assert (
        requests.get(f"{sandbox.nl}/api/v1/current/Me", headers=forged, timeout=30).status_code
        == 401
    )


def test_tokens_are_stored_only_as_hashes(sandbox):
    tokens = sandbox.tokens("nl")
    database = sandbox.log_path.parent / "sandbox.sqlite3"
    with sqlite3.connect(database) as connection:
        access = connection.execute("SELECT token_hash FROM exact_sandbox_accesstoken").fetchall()
        refresh = connection.execute("SELECT token_hash FROM exact_sandbox_refreshtoken").fetchall()
    stored = {row[0] for row in access + refresh}
    assert stored and tokens["access_token"] not in stored and tokens["refresh_token"] not in stored


def test_two_parallel_refreshes_with_one_token_leave_exactly_one_winner(sandbox):
    tokens = sandbox.tokens("nl")
    sandbox.advance_clock(571)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: _refresh(sandbox, tokens["refresh_token"]), range(4)))
    assert sorted(answer.status_code for answer in answers) == [200, 401, 401, 401]


def test_the_bare_root_is_the_netherlands_site(sandbox):
    params = {"redirect_uri": TEST_REDIRECT_URI}
    nl = requests.get(
        f"{sandbox.url}/api/oauth2/auth",
        params={**params, "client_id": "coachlink-demo-nl"},
        timeout=30,
    )
    be = requests.get(
        f"{sandbox.url}/api/oauth2/auth",
        params={**params, "client_id": "coachlink-demo-be"},
        timeout=30,
    )
    assert (nl.status_code, be.status_code) == (200, 400)
