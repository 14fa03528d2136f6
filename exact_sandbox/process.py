"""Running the sandbox as a server of its own, for the test suite and the benchmarks.

``sandbox_start`` starts ``python -m exact_sandbox serve`` on a free loopback port and returns a
SandboxServer: its URLs, the control endpoint as methods, and the consent a person would give
(``consent_answer``).
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse, urlsplit

import requests

REPO_DIR = Path(__file__).resolve().parents[1]
SITE_APPS = {
    "nl": ("coachlink-demo-nl", "sandbox-secret-nl", "demo"),
    "be": ("coachlink-demo-be", "sandbox-secret-be", "demo-be"),
}
TEST_REDIRECT_URI = "http://127.0.0.1:9/callback/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SandboxServer:
    """A running sandbox: its URLs and the control endpoint as methods."""

    def __init__(
        self,
        url: str,
        process: subprocess.Popen,
        log_path: Path,
        verify: bool | str = True,
        control_token: str = "",
    ) -> None:
        self.url = url
        self.control_token = control_token
        self.verify = verify
        self.nl = f"{url}/nl"
        self.be = f"{url}/be"
        self.process = process
        self.log_path = log_path

    @property
    def control_headers(self) -> dict:
        """The header every /_sandbox/ call carries: the token the sandbox was started with."""
        return {"X-Sandbox-Token": self.control_token}

    def control(self, method: str, path: str, payload: dict | None = None) -> dict:
        """Any /_sandbox/ call (exact_sandbox/README.md lists them), with the token."""
        response = requests.request(
            method,
            f"{self.url}/_sandbox/{path}",
            json=payload,
            headers=self.control_headers,
            timeout=30,
            verify=self.verify,
        )
        response.raise_for_status()
        return response.json()

    _control = control

    def ui_post(self, path: str, data: dict) -> requests.Response:
        """Submit a form of the person's UI as a browser does: a page first, for the CSRF token."""
        with requests.Session() as browser:
            return self._form_post(browser, f"{self.url}/", f"{self.url}{path}", data)

    def ui_session(self) -> requests.Session:
        """A browser session on the person's UI whose POSTs carry its CSRF token (header)."""
        browser = requests.Session()
        page = browser.get(f"{self.url}/", timeout=30, verify=self.verify)
        found = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        browser.headers.update(
            {"X-CSRFToken": found.group(1) if found else "", "Referer": f"{self.url}/"}
        )
        browser.verify = self.verify
        return browser

    def _form_post(
        self, browser: requests.Session, page_url: str, url: str, data: dict
    ) -> requests.Response:
        page = browser.get(page_url, timeout=30, verify=self.verify)
        found = re.search(
            r'(?:name="csrfmiddlewaretoken" value|name="csrf-token" content)="([^"]+)"', page.text
        )
        token = found.group(1) if found else ""
        return browser.post(
            url,
            data={**data, "csrfmiddlewaretoken": token},
            headers={"Referer": page_url},
            allow_redirects=False,
            timeout=30,
            verify=self.verify,
        )

    def reset(self) -> dict:
        return self._control("POST", "reset")

    def counters(self) -> dict:
        return self._control("GET", "counters")

    def reset_counters(self) -> dict:
        return self._control("POST", "counters/reset")

    def advance_clock(self, seconds: float) -> dict:
        return self._control("POST", "clock", {"advance": seconds})

    def set_faults(self, **faults) -> dict:
        return self._control("POST", "faults", faults)

    def set_limits(self, **limits) -> dict:
        return self._control("POST", "limits", limits)

    def set_division(self, code: int, **settings) -> dict:
        return self._control("POST", f"divisions/{code}", settings)

    def state(self) -> dict:
        return self._control("GET", "state")

    def authorization_code(
        self,
        site: str = "nl",
        *,
        divisions: list[int] | None = None,
        redirect_uri: str = TEST_REDIRECT_URI,
        state: str = "state-1",
    ) -> str:
        """Log in on the consent page as the site's demo user and allow the app; return the code."""
        client_id, _, username = SITE_APPS[site]
        form = {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "state": state,
            "username": username,
            "password": "demo",
            "allow": "1",
        }
        if divisions:
            form["division"] = [str(code) for code in divisions]
        auth_url = f"{self.url}/{site}/api/oauth2/auth"
        query = {
            name: form[name] for name in ("client_id", "redirect_uri", "response_type", "state")
        }
        with requests.Session() as browser:
            page_url = requests.Request("GET", auth_url, params=query).prepare().url
            answer = self._form_post(browser, page_url, auth_url, form)
        assert answer.status_code == 302, answer.text
        return parse_qs(urlparse(answer.headers["Location"]).query)["code"][0]

    def tokens(self, site: str = "nl", *, divisions: list[int] | None = None) -> dict:
        """A fresh access and refresh token for the site's demo app and user."""
        client_id, secret, _ = SITE_APPS[site]
        answer = requests.post(
            f"{self.url}/{site}/api/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": self.authorization_code(site, divisions=divisions),
                "redirect_uri": TEST_REDIRECT_URI,
                "client_id": client_id,
                "client_secret": secret,
            },
            timeout=30,
            verify=self.verify,
        )
        answer.raise_for_status()
        return answer.json()


def sandbox_start(
    directory: Path, *extra: str, tls: tuple[Path, Path] | None = None
) -> SandboxServer:
    """Start a sandbox on a free port; with `tls` (certificate, key) it serves HTTPS."""
    port = free_port()
    scheme, verify = "http", True
    if tls:
        extra = (*extra, "--tls-cert", str(tls[0]), "--tls-key", str(tls[1]))
        scheme, verify = "https", str(tls[0])
    log_path = directory / "sandbox.log"
    control_token = secrets.token_urlsafe(24)
    log = open(log_path, "wb")  # noqa: SIM115 - stays open for the subprocess's lifetime
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "exact_sandbox", "serve", "--quiet"),
            *("--host", "127.0.0.1", "--port", str(port)),
            *("--db", str(directory / "sandbox.sqlite3"), *extra),
        ],
        cwd=REPO_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "SANDBOX_CONTROL_TOKEN": control_token},
    )
    url = f"{scheme}://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the sandbox exited: {log_path.read_text()}")
        try:
            requests.get(f"{url}/_sandbox/limits", timeout=1, verify=verify)
            return SandboxServer(url, process, log_path, verify, control_token)
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the sandbox did not start: {log_path.read_text()}")


def sandbox_stop(server: SandboxServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


def consent_answer(authorize_url: str, *, allow: bool = True, divisions=(7095,)) -> dict:
    """Log in as the demo user and submit the consent form behind ``authorize_url`` (coachlink's
    Authenticate redirect); the query the callback receives."""
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
