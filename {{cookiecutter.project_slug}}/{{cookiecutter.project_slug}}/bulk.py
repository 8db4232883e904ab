"""Insert many rows at once, as fast as each database takes them.

On PostgreSQL (psycopg) the rows go in with ``COPY``, which the server loads without planning
or executing a statement per row: several times faster than any ``INSERT`` of the same rows.
Elsewhere they go in as one ``INSERT`` executed for many rows (SQLite runs it in-process).
Either way the table's constraints apply as they would to an ``INSERT``, and a violation raises
the same SQLAlchemy error (``IntegrityError``, say).

The values reach the driver as they are, without the column types' conversions: use this for
columns of plain types (text, numbers, dates), the values already checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Add ``rows`` (each with the same keys) to ``table`` in ``session``'s transaction."""
    if not rows:
        return
    statement = insert(table)
    connection = session.connection(bind_arguments={"clause": statement})
    if connection.dialect.driver != "psycopg":
        connection.execute(statement, list(rows))
        return
    columns = list(rows[0])
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(column) for column in columns)
    copy_sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"
    psycopg_connection: Any = connection.connection.driver_connection
    driver_error = connection.dialect.loaded_dbapi.Error
    try:
        with psycopg_connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])
    except driver_error as error:  # raised as SQLAlchemy raises it for an INSERT
        dialect = connection.dialect
        raise DBAPIError.instance(copy_sql, None, error, driver_error, dialect=dialect) from error
