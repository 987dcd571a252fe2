"""Any change to the progress data bumps the data version, so cached overviews are recomputed
(dashboard.overview)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from himoken.web.progress import models

WATCHED = (
    models.Organisation, models.Business, models.StageProgress, models.Report, models.Snapshot,
    models.Consultation, models.StateRequest, models.Deadline,
)  # fmt: skip


@receiver([post_save, post_delete])
def data_changed(sender: Any, **kwargs: Any) -> None:
    if sender in WATCHED:
        models.DataVersion.bump()
