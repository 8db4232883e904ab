"""Whatever a client sends to the users API, the served app answers it without a 5xx.

Generated requests (malformed JSON, wrong types, huge or unusual text, numbers past 64 bits,
unknown fields, wrong content types) go over HTTP to the app under gunicorn; afterwards the
table must still hold only valid, unique users. Examples are derived from a fixed seed, so a
failure comes back on every run.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .serving import ServedApp, Watcher
from .traffic import Client, Reply

pytestmark = pytest.mark.slow

EXAMPLES = 250  # per endpoint
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
SENT: Counter[tuple[str, int]] = Counter()  # (endpoint, status) → requests, for the figures

# -- what goes into a request ---------------------------------------------------------------

# Any character UTF-8 can carry (so no lone surrogates), NUL and other controls included.
text = st.text(st.characters(codec="utf-8"), max_size=30)
huge_text = st.builds(lambda part, times: part * times, text.filter(bool), st.integers(1, 20_000))
huge_int = st.integers(min_value=-(2**80), max_value=2**80)
json_scalar = st.none() | st.booleans() | huge_int | st.floats() | text
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=8,
)
# Addresses that may pass validation, so creates and conflicts happen too; case varies, so
# the same address comes back in other spellings.
local_part = st.sampled_from(["ada", "Ada", "ADA", "grace", "a.b+c", "ü", "ǅ", "ß"]) | text
domain = st.sampled_from(["example.com", "EXAMPLE.COM", "exämple.com", "例え.jp", "localhost"])
email = st.builds(lambda local, at: f"{local}@{at}", local_part, domain)
field_value = email | text | huge_text | json_value
user_fields = st.fixed_dictionaries(
    {},
    optional={"email": field_value, "name": field_value, "id": json_value, "admin": json_value},
)
# Bodies of the right shape whose text is what varies: these reach the database.
plausible_user = st.fixed_dictionaries(
    {"email": email, "name": text.filter(str.strip) | huge_text}
)


def encode(value: Any) -> bytes:
    return json.dumps(value).encode()


# A lone surrogate is valid JSON syntax but no valid text.
surrogates = st.sampled_from(
    [b'{"email": "a@example.com", "name": "\\ud800"}', b'{"email": "\\udfff@example.com"}']
)
body = st.one_of(
    plausible_user.map(encode),
    user_fields.map(encode),
    json_value.map(encode),
    st.binary(max_size=200),
    st.builds(lambda raw, cut: raw[:cut], user_fields.map(encode), st.integers(0, 60)),
    st.builds(
        lambda value, codec: json.dumps(value, ensure_ascii=False).encode(codec, "replace"),
        user_fields,
        st.sampled_from(["utf-16", "latin-1", "utf-32"]),
    ),
    surrogates,
)
content_type = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=latin-1",
        "application/merge-patch+json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "",
    ]
) | st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
# Mostly JSON, so that bodies get past the content type check and reach validation.
any_content_type = st.just("application/json") | content_type | st.none()
# A path segment where an id goes: numbers of any size, or any text, percent-encoded.
user_id = huge_int.map(str) | text.map(lambda value: quote(value, safe=""))
query_value = huge_int.map(str) | text
query = st.lists(
    st.tuples(st.sampled_from(["page", "per_page", "sort", ""]) | text, query_value), max_size=4
).map(urlencode)


# -- checks -----------------------------------------------------------------------------------


def assert_answered(reply: Reply) -> None:
    """No 5xx; errors as problem documents, successes as JSON."""
    assert reply.status < 500, reply
    if reply.status >= 400:
        assert reply.content_type == "application/problem+json", reply
        assert reply.json()["status"] == reply.status
    elif reply.status != 204:
        assert reply.content_type == "application/json", reply
        reply.json()


def assert_table_is_sound(served: ServedApp) -> None:
    """The invariants the API promises, read straight from the database."""
    with Watcher(served) as watcher:
        duplicates = watcher.count(
            "SELECT count(*) FROM (SELECT lower(email) FROM users"
            " GROUP BY lower(email) HAVING count(*) > 1) AS taken_twice"
        )
        empty = watcher.count("SELECT count(*) FROM users WHERE email = '' OR btrim(name) = ''")
        undated = watcher.count("SELECT count(*) FROM users WHERE created_at IS NULL")
        users = watcher.count("SELECT count(*) FROM users")
    print(
        f"\nfuzz: {sum(SENT.values())} requests sent, {dict(sorted(SENT.items()))}; "
        f"{users} users in the table",
        file=sys.stderr,
    )
    assert (duplicates, empty, undated) == (0, 0, 0)


@pytest.fixture(scope="module")
def client(production_app: ServedApp) -> Iterator[Client]:
    """One keep-alive connection for every generated request; known users to aim at."""
    client = Client(production_app.base)
    for number in range(3):
        payload = {"email": f"known{number}@example.com", "name": f"Known {number}"}
        assert client.send_json("POST", "/api/users", payload).status == 201
    yield client
    client.close()


def send(
    client: Client,
    test: str,
    method: str,
    path: str,
    data: bytes | None = None,
    kind: str | None = None,
) -> Reply:
    headers = {} if kind is None else {"Content-Type": kind}
    reply = client.send(method, path, data, headers)
    SENT[test, reply.status] += 1
    assert_answered(reply)
    return reply


# -- one test per endpoint --------------------------------------------------------------------


@FUZZ
@given(data=body, kind=any_content_type)
def test_create_never_fails(client: Client, data: bytes, kind: str | None) -> None:
    reply = send(client, "create", "POST", "/api/users", data, kind)
    if reply.status == 201:
        created = reply.json()
        assert created["email"] == created["email"].lower()
        assert created["name"] and created["name"] == created["name"].strip()


@FUZZ
@given(user=plausible_user)
def test_create_plausible_users_never_fails(client: Client, user: dict[str, str]) -> None:
    reply = send(
        client, "create plausible", "POST", "/api/users", encode(user), "application/json"
    )
    if reply.status == 201:
        assert reply.json()["email"] == reply.json()["email"].lower()


@FUZZ
@given(target=user_id | st.sampled_from(["1", "2", "3"]), data=body, kind=any_content_type)
def test_update_never_fails(client: Client, target: str, data: bytes, kind: str | None) -> None:
    send(client, "update", "PATCH", f"/api/users/{target}", data, kind)


@FUZZ
@given(target=user_id)
def test_read_one_never_fails(client: Client, target: str) -> None:
    send(client, "read", "GET", f"/api/users/{target}")


@FUZZ
@given(arguments=query)
def test_list_never_fails(client: Client, arguments: str) -> None:
    send(client, "list", "GET", f"/api/users?{arguments}")


@settings(FUZZ, max_examples=EXAMPLES // 5)
@given(target=user_id)
def test_delete_never_fails(client: Client, target: str) -> None:
    send(client, "delete", "DELETE", f"/api/users/{target}")


def test_the_table_stays_sound(client: Client, production_app: ServedApp) -> None:
    """Runs after the fuzzing above (tests run in file order) and checks what it left."""
    assert_table_is_sound(production_app)
