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


def sample_users(count: int, rng: random.Random | None = None) -> Iterator[dict[str, Any]]:
    """Yield ``count`` new user rows; a random tag keeps emails unique across runs."""
    rng = rng or random.Random()  # noqa: S311 - sample data, not secrets
    tag = secrets.token_hex(4)
    for number in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}.{tag}{number}@example.com".lower()
        yield {"email": email, "name": f"{first} {last}"}
