"""What a collation run needs from a SQL engine (DuckDB embedded, Spark for scale-out).

The pipeline (`himoken.collate.run`) stages the two inputs as tables, has the records
classified against the register entry of their number (in this process or on an engine's
executors), and asks a few set-wise questions about the records left open (neighbours in a
batch or on a terminal, records sharing a number, register entries by number, namesakes, the
true owner). An engine implements this protocol, as Splink keeps its linker apart from its
database APIs; the queries both engines share are in `backends.sql`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyarrow as pa

from himoken.collate.stage import PERSON_COLUMNS, REGISTER_COLUMNS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from himoken.collate.classify import Options
    from himoken.collate.ingest import Table
    from himoken.collate.owner import OwnerMatch
    from himoken.collate.patterns import Pending
    from himoken.collate.profiles import FileLayout

# Register columns read back beside each record (prefixed e_ in linked batches).
ENTRY_COLUMNS = REGISTER_COLUMNS

# Rows of worklist.xlsx and flagged.parquet: a result, the record's 個人番号 as given
# (`linked`), then the person's columns of the record (r_), of the linked entry (e_) and of the
# candidate's entry (c_), then when the record was linked, when the entry moved and why it was
# removed. Every staged table holds these columns (null where the input file lacked one).
ANNOTATED_CONTEXT = (("r", "紐付け日"), ("e", "住所異動日"), ("e", "消除事由"))
ANNOTATED_COLUMNS = (
    "ordinal", "レコード番号", "判定", "理由", "リスク", "説明", "候補個人番号", "linked",
    *(f"{side}_{column}" for side in ("r", "e", "c") for column in PERSON_COLUMNS),
    *(f"{side}_{column}" for side, column in ANNOTATED_CONTEXT),
)  # fmt: skip
# flagged.parquet's schema, the same whatever the rows (every column nullable).
ANNOTATED_SCHEMA = pa.schema(
    (name, {"ordinal": pa.int64(), "リスク": pa.int16()}.get(name, pa.string()))
    for name in ANNOTATED_COLUMNS
)


class Backend(Protocol):
    """What the pipeline needs from a SQL engine."""

    # lines for run.log on what the engine did (sizes, timings; never personal data)
    notes: list[str]

    def stage(self, table: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int: ...

    def reads_register(self, source: Table, layout: FileLayout) -> bool:
        """Whether the engine reads this register file itself (stage_register), faster than
        the engine's reader and to the same staged rows."""
        ...

    def stage_register(self, source: Table) -> int:
        """Stage the register from its file; returns the rows the engine could not parse (the
        pipeline then stages it through the engine's reader instead)."""
        ...

    def count(self, table: str) -> int: ...

    def note_present(self, table: str, columns: Iterable[str]) -> None: ...

    def has_column(self, table: str, column: str) -> bool: ...

    def prepare(self) -> dict[str, int]: ...

    def classify(self, options: Options, workers: int) -> Iterator[tuple[list[Pending], int]]:
        """Classify every record (`linked.classify_all`) and keep the finished rows as
        results; yields the records left open and how many records that step covered."""
        ...

    def search_owners(
        self, searched: pa.Table, gaiji_table: Mapping[str, str]
    ) -> list[OwnerMatch]: ...

    def neighbours(self, ordinals: Sequence[int]) -> dict[int, dict[str, int | None]]: ...

    def records_at(self, ordinals: Iterable[int]) -> dict[int, dict[str, str]]: ...

    def records_sharing(self, numbers: Iterable[str]) -> dict[str, list[dict[str, str]]]: ...

    def entries(self, numbers: Iterable[str]) -> dict[str, dict[str, str]]: ...

    def namesakes(self, ordinals: Iterable[int]) -> dict[int, list[dict[str, str]]]: ...

    def form_households(self, ordinals: Iterable[int]) -> dict[int, set[str]]: ...

    def store_results(self, batch: pa.RecordBatch) -> None: ...

    def record_ids(self, ordinals: Iterable[int]) -> dict[int, str]: ...

    def application_mates(self) -> dict[str, tuple[str, ...]]: ...

    def ordered_results(self, columns: Sequence[str], batch_rows: int) -> pa.RecordBatchReader: ...

    def write_results_parquet(self, path: Path) -> None: ...

    def verdict_counts(self) -> dict[str, int]: ...

    def reason_counts(self) -> dict[str, int]: ...

    def worklist_rows(self, unflagged: int, batch_rows: int) -> pa.RecordBatchReader: ...

    def flagged_rows(self, batch_rows: int) -> pa.RecordBatchReader: ...

    def write_register_parquet(self, path: Path) -> int: ...

    def failure(self, error: BaseException) -> str | None: ...

    def close(self) -> None: ...
