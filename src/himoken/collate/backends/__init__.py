"""SQL engines a collation run can use, behind one protocol."""

from himoken.collate.backends.base import ENTRY_COLUMNS, Backend
from himoken.collate.backends.duckdb import DuckDBBackend

__all__ = ["ENTRY_COLUMNS", "Backend", "DuckDBBackend"]
