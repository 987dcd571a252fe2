"""Classifying records read back with their register entries, batch by batch.

Each batch is independent of the others, so large inputs are classified in worker processes
(one per core) while the main process reads the next batches and stores the results: the
comparators are Python and the machine's other cores would otherwise be idle. Results come
back in input order whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

import pyarrow as pa

from himoken.collate import classify, stage
from himoken.collate.backends import ENTRY_COLUMNS
from himoken.collate.classify import Assessment, EntryState, Options
from himoken.collate.patterns import Pending
from himoken.collate.records import NumberStatus
from himoken.collate.risk import risk
from himoken.collate.verdicts import Reason, Verdict

RESULTS_SCHEMA = pa.schema(
    [("ordinal", pa.int64()), ("レコード番号", pa.string()), ("判定", pa.string()),
     ("要確認", pa.int8()), ("理由", pa.string()), ("リスク", pa.int16()),
     ("候補個人番号", pa.string()), ("説明", pa.string())]
)  # fmt: skip
# Below this many records a pool costs more (worker start-up, warm caches) than it saves.
POOL_THRESHOLD = 200_000
# results columns after ordinal and record id for a plain MATCH
_MATCH = ("MATCH", 0, "", 0, "", "照合した項目はすべて一致。")

Finished = tuple[int, str, Assessment | None]  # (ordinal, record id, None for a plain MATCH)


def _invalid(columns: dict[str, list], i: int) -> Assessment:
    """A record whose number cannot be checked against the register."""
    status = columns["number_status"][i]
    searchable = bool(columns["氏名"][i] and columns["生年月日"][i])
    if status == NumberStatus.MALFORMED:
        problems = [p for p in (columns["problems"][i] or "").split("\n") if p]
        return classify.invalid(Reason.MALFORMED, problems, searchable)
    if status == NumberStatus.CHECK_DIGIT:
        return classify.invalid(
            Reason.CHECK_DIGIT, ["個人番号のチェックデジットが合わない"], searchable
        )
    return classify.invalid(Reason.NOT_IN_REGISTER, ["住民記録にこの番号がない"], searchable)


def _state(columns: dict[str, list], i: int) -> EntryState:
    if columns["entries"][i] > 1:
        return EntryState.REPEATED
    return EntryState.FOUND if columns["e_number_valid"][i] else EntryState.INVALID_NUMBER


def classify_batch(
    columns: dict[str, list], options: Options
) -> tuple[list[Finished], list[Pending]]:
    """Verdicts of one batch of records read back with their entries (backend.linked): the
    finished rows, and the records left open for the set-wise checks."""
    count = len(columns["ordinal"])
    assessments: list[Assessment | None] = [None] * count
    states: list[EntryState | None] = [None] * count
    for i in range(count):
        if columns["number_status"][i] == NumberStatus.OK and columns["entries"][i]:
            states[i] = _state(columns, i)
        else:
            assessments[i] = _invalid(columns, i)
    entry_columns = {c: columns[f"e_{c}"] for c in ENTRY_COLUMNS}
    found = classify.assess_linked(columns, entry_columns, states, options)
    has_entry = [state is not None for state in states]
    for i, assessment in enumerate(found):
        if has_entry[i]:
            assessments[i] = assessment
    finished: list[Finished] = []
    pending: list[Pending] = []
    for i in range(count):
        assessment = assessments[i]
        ordinal, sharing, notes = columns["ordinal"][i], columns["sharing"][i], columns["notes"][i]
        homonym = has_entry[i] and columns["twins"][i] and not (columns["住所"][i] or "").strip()
        if assessment is None and (notes or homonym or sharing > 1):
            assessment = Assessment(name_and_birth_agree=True, searchable=True)
        if assessment is not None:
            for note in (notes or "").split("\n"):
                assessment.note(note)
            if homonym and assessment.name_and_birth_agree:
                assessment.add(Reason.HOMONYM, "住所がなく、氏名・生年月日が同じ住民が他にもいる")
                assessment.soft.add(Reason.HOMONYM)
            if sharing > 1 and not needs_owner(assessment):
                # Whether the other rows are another person matters only for a record that
                # disagrees with its entry (DUPLICATE_NUMBER, settled with the open records).
                assessment.note(f"この番号は事務データの他の行にも紐付いている(計{sharing}行)")
            if needs_owner(assessment):
                entry = classify.row_of(entry_columns, i, ENTRY_COLUMNS) if has_entry[i] else None
                record = classify.row_of(columns, i, stage.RECORD_COLUMNS)
                pending.append(Pending(ordinal, assessment, record, entry, columns["number"][i]))
                continue
        finished.append((ordinal, columns["record_id"][i], assessment))
    return finished, pending


def needs_owner(assessment: Assessment) -> bool:
    """Whose true owner is searched: flagged records with a name and birth date to search
    by, and records whose move is known only by date (it stands only if no one fits better)."""
    return (assessment.verdict.flagged and assessment.searchable) or assessment.weak_move


def explain(assessment: Assessment, verdict: Verdict) -> str:
    """説明: the notes as one Japanese text a clerk can act on."""
    notes = [n for n in assessment.notes if n]
    if not notes:
        return _MATCH[-1] if verdict is Verdict.MATCH else ""
    return "。".join(notes) + "。"


def result_rows(finished: list[Finished]) -> pa.RecordBatch:
    """results rows (RESULTS_SCHEMA) of finished records."""
    columns: dict[str, list] = {name: [] for name in RESULTS_SCHEMA.names}
    for ordinal, record_id, assessment in finished:
        if assessment is None:  # a plain MATCH: nothing to compute
            for name, value in zip(
                RESULTS_SCHEMA.names, (ordinal, record_id, *_MATCH), strict=True
            ):
                columns[name].append(value)
            continue
        verdict = assessment.verdict
        reasons = assessment.ordered_reasons()
        columns["ordinal"].append(ordinal)
        columns["レコード番号"].append(record_id)
        columns["判定"].append(verdict.code)
        columns["要確認"].append(int(verdict.flagged))
        columns["理由"].append(";".join(reasons))
        columns["リスク"].append(risk(verdict, reasons, assessment.candidate_fits_better))
        columns["候補個人番号"].append(assessment.candidate if verdict.flagged else "")
        columns["説明"].append(explain(assessment, verdict))
    return pa.RecordBatch.from_pydict(columns, schema=RESULTS_SCHEMA)


def workers_for(records: int) -> int:
    """Worker processes for a run of `records` (0: classify in this process)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = min(cores or 1, 8)
    return cores if records >= POOL_THRESHOLD and cores > 1 else 0


def _work(batch: pa.RecordBatch, options: Options) -> tuple[pa.RecordBatch, list[Pending], int]:
    finished, pending = classify_batch(batch.to_pydict(), options)
    return result_rows(finished), pending, batch.num_rows


def classify_all(
    batches: Iterable[pa.RecordBatch], options: Options, workers: int
) -> Iterator[tuple[pa.RecordBatch, list[Pending], int]]:
    """(results rows, open records, batch size) per batch, in input order."""
    if workers == 0:
        for batch in batches:
            yield _work(batch, options)
        return
    # spawn: the parent holds a threaded SQL engine, which fork would copy mid-flight.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        in_flight: deque[Future] = deque()
        for batch in batches:
            in_flight.append(pool.submit(_work, batch, options))
            if len(in_flight) > 2 * workers:  # bounded: memory stays flat
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
