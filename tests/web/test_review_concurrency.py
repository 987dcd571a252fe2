"""Two clerks saving the same record at the same moment, on PostgreSQL: one decision is
saved, the other clerk is told, nothing is silently lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from himoken.web.review.models import Case, Decision
from tests.web.conftest import Site

pytestmark = [pytest.mark.urls("himoken.web.urls_review")]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_one_record_keep_one_and_tell_the_other(
    site: Site, suspect: Case
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need a server database (./run test runs this on it)")
    clients = {name: site.client(name) for name in ("handler", "handler2")}
    start = threading.Barrier(len(clients))
    statuses: dict[str, int] = {}

    def save(name: str) -> None:
        data = {"version": str(suspect.version), "action": "delete", "cause": "OTHER",
                "comment": f"{name}の判断"}  # fmt: skip
        start.wait()
        try:
            statuses[name] = clients[name].post(f"/cases/{suspect.pk}/decisions/", data).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(name,)) for name in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [302, 409], statuses
    winner = next(name for name, status in statuses.items() if status == 302)
    assert list(Decision.objects.values_list("comment", flat=True)) == [f"{winner}の判断"]
    suspect.refresh_from_db()
    assert suspect.status == Case.Status.CORRECTION_PENDING and suspect.version == 1
