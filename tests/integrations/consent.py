"""Play the user on the sandbox's login and consent page."""

import re
from urllib.parse import parse_qs, urlsplit

import requests


def consent_answer(authorize_url: str, *, allow: bool = True, divisions=(7095,)) -> dict:
    """Submit the consent form behind ``authorize_url``; the query the callback receives."""
    query = {key: values[0] for key, values in parse_qs(urlsplit(authorize_url).query).items()}
    form = {
        "client_id": query["client_id"],
        "redirect_uri": query["redirect_uri"],
        "response_type": "code",
        "state": query.get("state", ""),
        "username": "demo",
        "password": "demo",
        "division": [str(code) for code in divisions],
        "allow" if allow else "deny": "1",
    }
    with requests.Session() as browser:
        # The page first, as a browser: the form carries its CSRF token and cookie.
        page = browser.get(authorize_url, timeout=30)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        form["csrfmiddlewaretoken"] = found.group(1) if found else ""
        answer = browser.post(
            authorize_url.split("?")[0],
            data=form,
            headers={"Referer": authorize_url},
            allow_redirects=False,
            timeout=30,
        )
    assert answer.status_code == 302, answer.text
    return {
        key: values[0]
        for key, values in parse_qs(urlsplit(answer.headers["Location"]).query).items()
    }
