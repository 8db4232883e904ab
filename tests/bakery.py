"""Many bakes at once: one process per core, each compiling every template file once.

Each bake is still a whole ``cookiecutter`` run, hooks included. What the bakes share is
Jinja's compiled code: a template's source compiles to the same code whatever the answers, so
a process that bakes many combinations compiles each file (and each file name) once, not once
per bake. That compilation is most of a bake's time.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import jinja2

from .baking import bake

Job = tuple[Path, dict[str, str]]


def bake_many(jobs: Iterable[Job], workers: int | None = None) -> list[Path]:
    """Bake each ``(output_dir, answers)``; return the project folders in the same order."""
    jobs = list(jobs)
    workers = workers or min(os.cpu_count() or 1, 4)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=compile_once) as pool:
        return list(pool.map(bake_one, jobs, chunksize=max(1, len(jobs) // (workers * 4))))


def bake_one(job: Job) -> Path:
    output_dir, answers = job
    return bake(output_dir, **answers)


def compile_once() -> None:
    """Make this process's Jinja environments share compiled code, keyed by the source."""
    original = jinja2.Environment.compile
    if getattr(original, "shared", False):
        return

    cache: dict[tuple[Any, ...], Any] = {}

    def compile(
        self: jinja2.Environment,
        source: Any,
        name: Any = None,
        filename: Any = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if raw or defer_init or not isinstance(source, str):
            return original(self, source, name, filename, raw, defer_init)
        key = (*settings(self), source, name, filename)
        if key not in cache:
            cache[key] = original(self, source, name, filename)
        return cache[key]

    compile.shared = True  # type: ignore[attr-defined]
    jinja2.Environment.compile = compile  # type: ignore[method-assign]


def settings(environment: jinja2.Environment) -> tuple[Any, ...]:
    """What, beside the source, decides the code a template compiles to."""
    return (
        type(environment),
        tuple(environment.extensions),
        environment.block_start_string,
        environment.variable_start_string,
        environment.comment_start_string,
        environment.line_statement_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.keep_trailing_newline,
        environment.newline_sequence,
        environment.optimized,
        environment.autoescape,
    )
