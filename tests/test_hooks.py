"""The pre-generation hook refuses bad answers with a message and leaves nothing behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cookiecutter.exceptions import FailedHookException

from .baking import bake


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("My App", "not a lowercase Python identifier"),
        ("my-app", "not a lowercase Python identifier"),
        ("1app", "not a lowercase Python identifier"),
        ("MyApp", "not a lowercase Python identifier"),
        ("_app", "not a lowercase Python identifier"),
        ("class", "is a Python keyword"),
        ("match", "is a Python keyword"),
        ("flask", "would shadow"),
        ("sqlalchemy", "would shadow"),
        ("tests", "would shadow"),
        ("test", "would shadow"),
        ("json", "would shadow"),
        ("migrations", "would shadow"),
    ],
)
def test_bad_slug_fails_with_a_message_and_no_folder(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], slug: str, message: str
) -> None:
    with pytest.raises(FailedHookException):
        bake(tmp_path, project_slug=slug)
    error = capfd.readouterr().err
    assert f"ERROR: project_slug {slug!r}" in error
    assert message in error
    assert "Try '" in error
    assert list(tmp_path.iterdir()) == []


def test_bad_slug_exits_non_zero(cookies: Any) -> None:
    result = cookies.bake(extra_context={"project_slug": "Bad Slug"})
    assert result.exit_code != 0
    assert result.project_path is None


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"author_email": "nobody"}, "author_email 'nobody' is not an email address"),
        ({"version": "one"}, "version 'one' is not a release number"),
    ],
)
def test_other_bad_answers_fail_with_a_message(
    cookies: Any, capfd: pytest.CaptureFixture[str], answers: dict[str, str], message: str
) -> None:
    result = cookies.bake(extra_context=answers)
    assert result.exit_code != 0
    assert message in capfd.readouterr().err


def test_slug_is_derived_from_the_name(cookies: Any) -> None:
    result = cookies.bake(extra_context={"project_name": "Billing Service 2"})
    assert result.exit_code == 0, result.exception
    assert result.project_path.name == "billing_service_2"
    assert (result.project_path / "billing_service_2" / "__init__.py").is_file()


@pytest.mark.parametrize(
    ("option", "value"),
    [("database", "oracle"), ("commit_mode", "sometimes"), ("use_docker", "maybe")],
)
def test_an_answer_outside_the_choices_is_refused_before_anything_is_written(
    tmp_path: Path, option: str, value: str
) -> None:
    with pytest.raises(ValueError, match=f"{value} provided for choice variable {option}"):
        bake(tmp_path, **{option: value})
    assert list(tmp_path.iterdir()) == []
