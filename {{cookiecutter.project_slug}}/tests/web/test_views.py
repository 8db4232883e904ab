"""The pages: the landing page, the users list, and the form that adds a user."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from markupsafe import escape

from {{ cookiecutter.project_slug }} import config, create_app

from ..factories import UserFactory, user_count
from ..guards import assert_max_queries
from .forms import form_token, post_user


def text_of(response: Any) -> str:
    assert response.mimetype == "text/html"
    return str(response.get_data(as_text=True))


# -- the landing page -----------------------------------------------------------------------


def test_the_landing_page_names_the_project_and_links_to_what_it_serves(
    client: FlaskClient,
) -> None:
    page = text_of(client.get("/"))
    assert f"<h1>{escape(config.Config.PROJECT_NAME)}</h1>" in page
    for path in ("/users", "/api/users", "/healthz", "/readyz"):
        assert f'href="{path}"' in page


def test_the_landing_page_shows_each_database_reachable(client: FlaskClient, db: Any) -> None:
    with assert_max_queries(len(db.engines)):  # one ping per database
        page = text_of(client.get("/"))
    assert f"<td>{db.engine.dialect.name}</td>" in page
    assert '<td class="ok">reachable</td>' in page


def test_the_landing_page_shows_an_unreachable_database_and_still_answers() -> None:
    app = create_app(
        config.TestingConfig({"TEST_DATABASE_URL": "sqlite:////nonexistent/dir/app.db"})
    )
    response = app.test_client().get("/")
    assert response.status_code == 200
    assert '<td class="down">unreachable</td>' in text_of(response)


# -- the users list -------------------------------------------------------------------------


def test_the_users_page_lists_users_newest_first_in_two_queries(
    client: FlaskClient, db: Any
) -> None:
    first, second = UserFactory.create_batch(2)
    with assert_max_queries(2):  # the page, and the count of all users
        page = text_of(client.get("/users"))
    assert page.index(second.email) < page.index(first.email)
    assert "2 users, newest first" in page


def test_the_users_page_is_paginated(client: FlaskClient, db: Any) -> None:
    users = UserFactory.create_batch(23)
    first_page = text_of(client.get("/users"))
    assert "Page 1 of 2" in first_page
    assert users[-1].email in first_page
    assert users[2].email not in first_page
    assert 'rel="next" href="/users?page=2&amp;per_page=20"' in first_page
    second_page = text_of(client.get("/users?page=2"))
    assert [user.email in second_page for user in users[:4]] == [True, True, True, False]
    assert 'rel="prev"' in second_page
    assert 'rel="next"' not in second_page


def test_the_users_page_with_no_users_says_so(client: FlaskClient) -> None:
    page = text_of(client.get("/users"))
    assert "No users yet." in page
    assert "Page 1 of 1" in page


def test_a_bad_page_number_is_a_400_page(client: FlaskClient) -> None:
    response = client.get("/users?page=0")
    assert response.status_code == 400
    assert "must be a whole number of at least 1" in text_of(response)


def test_the_form_has_labelled_fields_and_a_token(client: FlaskClient) -> None:
    page = text_of(client.get("/users"))
    for name, kind in (("email", "email"), ("name", "text")):
        assert f'<label for="{name}">' in page
        assert f'<input id="{name}" name="{name}" type="{kind}"' in page
    assert '<button type="submit">Add user</button>' in page
    assert form_token(client)


# -- adding a user --------------------------------------------------------------------------


def test_a_valid_post_redirects_to_the_list_which_shows_the_user_and_a_confirmation(
    client: FlaskClient, db: Any
) -> None:
    response = post_user(client, "Ada@Example.com", "Ada Lovelace")
    assert response.status_code == 303
    assert response.headers["Location"] == "/users"
    page = text_of(client.get("/users"))
    assert '<div class="flash" role="status">' in page
    assert "Added Ada Lovelace (ada@example.com)." in page
    assert '<th scope="row">Ada Lovelace</th>' in page
    assert user_count(db) == 1
    # The confirmation shows once.
    assert "Added Ada Lovelace" not in text_of(client.get("/users"))


@pytest.mark.parametrize(
    ("email", "name", "field", "message"),
    [
        ("not-an-email", "Ada", "email", "must be an email address such as ada@example.com"),
        ("ada@example.com", "   ", "name", "must have a character that is not whitespace"),
        ("ada@example.com", "x" * 101, "name", "String should have at most 100 characters"),
        ("ada@example.com", "Ada\x00", "name", "and no NUL"),
    ],
)
def test_an_invalid_post_shows_the_form_again_with_the_schemas_messages(
    client: FlaskClient, db: Any, email: str, name: str, field: str, message: str
) -> None:
    response = post_user(client, email, name)
    assert response.status_code == 422
    page = text_of(response)
    assert f'aria-invalid="true" aria-describedby="{field}-error"' in page
    assert f'<p class="error" id="{field}-error">' in page
    assert message in page
    assert user_count(db) == 0


def test_an_invalid_post_keeps_what_was_typed_escaped(client: FlaskClient, db: Any) -> None:
    page = text_of(post_user(client, "not-an-email", '<b>"Ada"</b>'))
    assert 'value="not-an-email"' in page
    assert 'value="&lt;b&gt;&#34;Ada&#34;&lt;/b&gt;"' in page
    assert "<b>" not in page


def test_a_post_missing_a_field_is_a_422_not_a_crash(client: FlaskClient, db: Any) -> None:
    response = client.post("/users", data={"csrf_token": form_token(client), "name": "Ada"})
    assert response.status_code == 422
    assert 'aria-describedby="email-error"' in text_of(response)


def test_a_taken_email_is_a_field_error_on_the_form(client: FlaskClient, db: Any) -> None:
    UserFactory(email="ada@example.com")
    response = post_user(client, "ADA@example.com", "Another Ada")
    assert response.status_code == 422
    page = text_of(response)
    assert "A user with email &#39;ada@example.com&#39; already exists." in page
    assert 'aria-describedby="email-error"' in page
    assert 'value="Another Ada"' in page
    assert user_count(db) == 1
