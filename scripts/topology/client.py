"""HTTP clients of the flow, talking to nginx only: a browser (cookies with their max-age, CSRF token from
the page, forms read from the HTML, redirects not followed so their target can be read) and an API
client (bearer token, JSON, Idempotency-Key). Every response is recorded with the app server that
answered it (X-Onewindow-Server) and the database the page read from (X-Onewindow-Read-DB)."""

from __future__ import annotations

import http.cookiejar
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

TIMEOUT = 30


@dataclass
class Answer:
    method: str
    path: str
    status: int
    headers: dict
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)

    @property
    def server(self) -> str:
        return self.headers.get("x-onewindow-server", "")

    @property
    def read_db(self) -> str:
        return self.headers.get("x-onewindow-read-db", "")


@dataclass
class Journal:
    """Every answer of every client, in order (the flow's evidence)."""

    answers: list[Answer] = field(default_factory=list)

    def servers(self, since: int = 0) -> Counter:
        return Counter(a.server or "?" for a in self.answers[since:])

    def failures(self, since: int = 0) -> list[str]:
        return [f"{a.method} {a.path} -> {a.status}" for a in self.answers[since:] if a.status >= 500]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class FormReader(HTMLParser):
    """The forms of a page: per form its action, method and the values a browser would send as is
    (hidden and text inputs, checked radios and checkboxes, selected options, textareas)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": (a.get("method") or "get").lower(),
                               "fields": {}, "names": set()})
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            form["names"].add(name)
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    form["fields"][name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                form["fields"][name] = a.get("value") or ""
        elif tag == "button" and name:
            form["names"].add(name)  # a submit button: sent only when pressed (the caller picks its value)
        elif tag == "select" and name:
            form["names"].add(name)
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in a or self._select not in form["fields"]:
                form["fields"][self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            form["names"].add(name)
            self._textarea = name
            form["fields"][name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def forms_of(html: str) -> list[dict]:
    reader = FormReader()
    reader.feed(html)
    return reader.forms


class _Client:
    def __init__(self, base: str, journal: Journal):
        self.base, self.journal = base.rstrip("/"), journal
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, method: str, path: str, *, data: bytes | None = None, headers: dict | None = None) -> Answer:
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        started = time.monotonic()
        try:
            with self.opener.open(req, timeout=TIMEOUT) as response:
                status, raw_headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:  # 3xx (not followed), 4xx, 5xx
            status, raw_headers, body = exc.code, exc.headers, exc.read()
        answer = Answer(method, path, status, {k.lower(): v for k, v in raw_headers.items()}, body,
                        time.monotonic() - started)
        self.journal.answers.append(answer)
        return answer


class Browser(_Client):
    """A person at a browser: signs in through the sign-in form, posts forms with the CSRF token."""

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict) -> Answer:
        return self.request("POST", path, data=urllib.parse.urlencode(fields).encode(),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})

    def form_on(self, path: str, *, having: str) -> tuple[Answer, dict]:
        """GET `path` and return the first form with a field named `having`."""
        page = self.get(path)
        if page.status != 200:
            raise FlowError(f"GET {path}: {page.status}")
        for form in forms_of(page.text):
            if having in form["names"]:
                return page, form
        raise FlowError(f"GET {path}: no form with a field {having!r}")

    def sign_in(self, username: str, password: str) -> None:
        _page, form = self.form_on("/staff/login/", having="username")
        answer = self.post_form("/staff/login/", {**form["fields"], "username": username, "password": password})
        if answer.status != 302:
            raise FlowError(f"sign-in of {username}: {answer.status} {answer.text[:300]}")

    def has_cookie(self, name: str) -> bool:
        self.jar.clear_expired_cookies()
        return any(cookie.name == name for cookie in self.jar)


class Api(_Client):
    def __init__(self, base: str, journal: Journal, token: str):
        super().__init__(base, journal)
        self.token = token

    def call(self, method: str, path: str, body=None, *, key: str | None = None) -> Answer:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if key:
            headers["Idempotency-Key"] = key
        return self.request(method, "/api/v1" + path, data=data, headers=headers)


class FlowError(AssertionError):
    """The flow could not go on: what was expected and what came back."""
