"""Insert many rows at once, as fast as each database takes them.

On PostgreSQL (psycopg) the rows go in with ``COPY``, which the server loads without planning
or executing a statement per row: several times faster than any ``INSERT`` of the same rows.
Elsewhere they go in as one ``INSERT``, compiled once, that the driver executes for every row
(SQLite runs it in-process).
Either way the table's constraints apply as they would to an ``INSERT``, and a violation raises
the same SQLAlchemy error (``IntegrityError``, say).

The values reach the driver as they are, without the column types' conversions: use this for
columns of plain types (text, numbers, dates), the values already checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Insert, Table, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Add ``rows`` (each with the same keys) to ``table`` in ``session``'s transaction."""
    if not rows:
        return
    statement = insert(table)
    connection = session.connection(bind_arguments={"clause": statement})
    columns = list(rows[0])
    if connection.dialect.driver != "psycopg":
        _execute_many(connection, statement, columns, rows)
        return
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


def _execute_many(
    connection: Connection,
    statement: Insert,
    columns: list[str],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """One INSERT, compiled once, executed by the driver for every row: SQLAlchemy's own
    executemany would build and convert each row's parameters on the way."""
    compiled = statement.compile(dialect=connection.dialect, column_keys=columns)
    if compiled.positiontup is None:  # named parameters, as the SQL spells each name
        names = [(compiled.escaped_bind_names.get(key, key), key) for key in columns]
        connection.exec_driver_sql(
            compiled.string, [{name: row[key] for name, key in names} for row in rows]
        )
        return
    order = compiled.positiontup
    connection.exec_driver_sql(compiled.string, [tuple(row[key] for key in order) for row in rows])
