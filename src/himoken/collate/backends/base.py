"""What a collation run needs from a SQL engine (DuckDB now; Spark is issue 8).

The pipeline (`himoken.collate.run`) stages the two inputs as tables, reads the records back
joined with the register entry of their number, and asks a few set-wise questions about the
records it flagged (neighbours in a batch or on a terminal, records sharing a number, register
entries by number, namesakes). An engine implements this protocol, as Splink keeps its
linker apart from its database APIs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from himoken.collate.stage import REGISTER_COLUMNS

# Register columns read back beside each record (prefixed e_ in linked batches).
ENTRY_COLUMNS = REGISTER_COLUMNS


class Backend(Protocol):
    """What the pipeline needs from a SQL engine."""

    def stage(self, table: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int: ...

    def stage_register_csv(self, path: Path, header: Sequence[str], delimiter: str) -> int: ...

    def count(self, table: str) -> int: ...

    def note_present(self, table: str, columns: Iterable[str]) -> None: ...

    def has_column(self, table: str, column: str) -> bool: ...

    def prepare(self) -> dict[str, int]: ...

    def linked(self, batch_rows: int) -> Iterator[pa.RecordBatch]: ...

    def reader(self, query: str, batch_rows: int) -> pa.RecordBatchReader: ...

    def neighbours(self, ordinals: Sequence[int]) -> dict[int, dict[str, int | None]]: ...

    def records_at(self, ordinals: Iterable[int]) -> dict[int, dict[str, str]]: ...

    def records_sharing(self, numbers: Iterable[str]) -> dict[str, list[dict[str, str]]]: ...

    def entries(self, numbers: Iterable[str]) -> dict[str, dict[str, str]]: ...

    def namesakes(self, ordinals: Iterable[int]) -> dict[int, list[dict[str, str]]]: ...

    def form_households(self, ordinals: Iterable[int]) -> dict[int, set[str]]: ...

    def close(self) -> None: ...
