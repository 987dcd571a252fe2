"""A purge of a run (review.retention) also blanks its sampled rows' 説明, which may quote
parts of the record (表記ゆれ, dates). The purge announces itself by its audit-log entry, written
in the purge's own transaction, so the blanking commits or rolls back with it. What the clerks
found (正/誤, by whom, when), the record numbers and the manifest stay: the estimate is counts."""

from __future__ import annotations

from typing import Any

from himoken.web.audit.models import Entry
from himoken.web.residual.models import SampleRow

PURGE_ACTION = "run.purge"


def forget_explanations(run_id: int) -> int:
    return (
        SampleRow.objects.filter(sample__run_id=run_id)
        .exclude(explanation="")
        .update(explanation="")
    )


def on_audit_entry(sender: type[Entry], instance: Entry, created: bool, **kwargs: Any) -> None:
    if created and instance.action == PURGE_ACTION and instance.object_type == "review.Run":
        forget_explanations(int(instance.object_id))
