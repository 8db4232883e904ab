"""Answers made to break a template that pastes them into Python, TOML, JSON, Markdown or Jinja.

Each case sets ``project_name``, ``description`` and ``author_name``. Several would create the
marker file if any of them were ever run as Python or rendered as a template a second time.
"""

from __future__ import annotations

import json
from pathlib import Path

TEXT_ANSWERS = ("project_name", "description", "author_name")


def hostile_answers(marker: Path) -> dict[str, dict[str, str]]:
    """The cases by name; ``marker`` is the file that running any of them would create."""
    touch = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    shell = f"touch {marker}"
    return {
        "quotes": {
            "project_name": 'The "Quoted" Project\'s App',
            "description": "She said \"hi\", he said 'bye', and typed \"\"\" and ''' twice.",
            "author_name": 'Dwayne "The Rock" O\'Neil',
        },
        "python": {
            "project_slug": "hostile_python",
            "project_name": f"\"; import os; os.system('{shell}') #",
            "description": f"''' + {touch} + '''",
            "author_name": f'""" + {touch} + """',
        },
        "backslashes": {
            "project_slug": "hostile_backslashes",
            "project_name": r"C:\Projects\new\table",
            "description": 'Kept as typed: \\n \\t \\u0041 \\x00 \\" \\\\ and a trailing \\',
            "author_name": "back\\slash\\",
        },
        "jinja": {
            "project_slug": "hostile_jinja",
            "project_name": "{{ cookiecutter.project_slug }} {% raw %}",
            "description": (
                "{% if true %}{{ 7 * 7 }}{% endif %} {# note #} {%- endraw %} "
                f"{{{{ cycler.__init__.__globals__.os.system('{shell}') }}}}"
            ),
            "author_name": "{{ '{{' }} cookiecutter.author_name }}",
        },
        "non_ascii": {
            "project_name": "Zoë Ångström — Ünïcödé Café",
            "description": "Ça marche: 日本語, Ελληνικά, עברית, 🚀🧪 and 👩\u200d💻.",
            "author_name": "José Nuñez-Ødegård",
        },
    }


def renderings(value: str) -> set[str]:
    """The forms an answer takes in baked files: as typed, escaped for TOML, escaped for JSON."""
    toml = value.replace("\\", "\\\\").replace('"', '\\"')
    return {value, toml, json.dumps(value, ensure_ascii=False)[1:-1]}
