"""Cursors: opaque to clients, and only the exact text the API made is read back."""

from __future__ import annotations

import pytest

from {{ cookiecutter.project_slug }}.errors import APIError
from {{ cookiecutter.project_slug }}.inputs import MAX_ID
from {{ cookiecutter.project_slug }}.pagination import decode_cursor, encode_cursor


@pytest.mark.parametrize("after", [0, 1, 42, 999_999, MAX_ID])
def test_a_cursor_reads_back_as_the_id_it_was_made_from(after: int) -> None:
    cursor = encode_cursor(after)
    assert cursor.isalnum()  # safe in a URL as it is
    assert decode_cursor(cursor) == after


def test_a_cursor_does_not_show_the_id_as_it_is() -> None:
    assert "42" not in encode_cursor(42)


@pytest.mark.parametrize("cursor", ["", "a", "aWQ6MQ=", "aWQ6MQ==", "aWQ6 MQ", "aWQ6MQ\n"])
def test_only_the_exact_text_of_a_cursor_is_read(cursor: str) -> None:
    with pytest.raises(APIError, match="not a valid cursor"):
        decode_cursor(cursor)
