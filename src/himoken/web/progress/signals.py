"""Any change to the progress data bumps the data version, so cached overviews are recomputed,
and the changed organisation's version, so only its part is (dashboard.overview)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from himoken.web.progress import models

WATCHED = (
    models.Organisation, models.Business, models.StageProgress, models.Report, models.Snapshot,
    models.Consultation, models.StateRequest, models.Deadline,
)  # fmt: skip


def _organisation_of(instance: Any) -> int | None:
    """The organisation whose dashboard figures the changed row feeds (None: every one)."""
    if isinstance(instance, models.Organisation):
        return instance.pk
    if isinstance(instance, models.Business):
        return instance.organisation_id
    if isinstance(instance, models.StageProgress | models.Report | models.Snapshot):
        return (
            models.Business.objects.filter(pk=instance.business_id)
            .values_list("organisation_id", flat=True)
            .first()
        )
    return None


@receiver([post_save, post_delete])
def data_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if sender not in WATCHED:
        return
    models.DataVersion.bump()
    if sender is models.Deadline:  # deadlines decide every 事務's forecast
        models.Organisation.objects.update(data_version=models.new_token())
        return
    organisation = _organisation_of(instance)
    if organisation is not None:
        # update(): no signal, and a deleted organisation matches nothing.
        models.Organisation.objects.filter(pk=organisation).update(data_version=models.new_token())
