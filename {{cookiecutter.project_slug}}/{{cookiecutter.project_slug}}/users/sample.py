"""Sample users for ``seed``: plausible names, emails that will not collide."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from typing import Any

FIRST_NAMES = (
    "Ada", "Alan", "Barbara", "Edsger", "Frances", "Grace", "Guido", "Hedy", "Ken",
    "Linus", "Margaret", "Niklaus", "Radia", "Shafi", "Tim", "Yukihiro",
)  # fmt: skip
LAST_NAMES = (
    "Allen", "Hamilton", "Hopper", "Kernighan", "Knuth", "Lamarr", "Liskov", "Lovelace",
    "Perlman", "Ritchie", "Thompson", "Turing", "Wirth",
)  # fmt: skip

# Every full name, with the start of its email: built once, not for each of 100,000 rows.
NAMES = [
    (f"{first} {last}", f"{first}.{last}".lower()) for first in FIRST_NAMES for last in LAST_NAMES
]


def sample_users(count: int, rng: random.Random | None = None) -> Iterator[dict[str, Any]]:
    """Yield ``count`` new user rows; a random tag keeps emails unique across runs."""
    rng = rng or random.Random()  # noqa: S311 - sample data, not secrets
    tag = secrets.token_hex(4)
    for number in range(1, count + 1):
        name, local = rng.choice(NAMES)
        yield {"email": f"{local}.{tag}{number}@example.com", "name": name}
