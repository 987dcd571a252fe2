"""The audit log: appended in order, hash-chained, tampering detected, append-only on
PostgreSQL, never a copy of a My Number."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from himoken.mynumber import with_check_digit
from himoken.web.audit.log import record, verify
from himoken.web.audit.models import Entry
from himoken.web.progress.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(django_user_model: type) -> list[Entry]:
    user = django_user_model.objects.create_user("clerk", password="synthetic-only")
    organisation = Organisation.objects.create(code="271004", name="大阪市", kind="municipality")
    return [
        record(user, "login"),
        record(user, "report.upload", organisation, business="障害者手帳"),
        record(user, "report.view", organisation),
    ]


def test_entries_chain_in_order_and_verify(entries: list[Entry]) -> None:
    assert [e.sequence for e in entries] == [1, 2, 3]
    assert entries[1].previous_hash == entries[0].hash
    assert entries[1].object_type == "progress.Organisation"
    assert verify() == []
    call_command("audit_verify")


def _tamper(sql: str, *params: object) -> None:
    if connection.vendor == "postgresql":  # the database refuses; go round it as an attacker
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # triggers off
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = origin")
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_a_changed_entry_is_detected(entries: list[Entry]) -> None:
    _tamper("UPDATE audit_entry SET action = %s WHERE sequence = 2", "report.delete")
    problems = verify()
    assert problems and "連番2" in problems[0]
    with pytest.raises(CommandError):
        call_command("audit_verify")


def test_a_removed_entry_is_detected(entries: list[Entry]) -> None:
    _tamper("DELETE FROM audit_entry WHERE sequence = 2")
    assert any("削除" in p for p in verify())


def test_details_holding_a_my_number_are_refused(entries: list[Entry]) -> None:
    with pytest.raises(ValueError):
        record(None, "note", comment=f"番号 {with_check_digit('12345678901')}")
    assert Entry.objects.count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database guard is PostgreSQL's")
def test_postgresql_refuses_update_and_delete(entries: list[Entry]) -> None:
    for statement in (
        "UPDATE audit_entry SET action = 'x' WHERE sequence = 1",
        "DELETE FROM audit_entry WHERE sequence = 1",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


def test_a_change_in_the_admin_is_in_the_audit_log(django_user_model: type) -> None:
    from django.test import Client

    admin = django_user_model.objects.create_superuser("root", password="synthetic-only")
    client = Client()
    client.force_login(admin)
    fields = {"code": "271004", "name": "大阪市", "kind": "municipality"}
    response = client.post("/admin/progress/organisation/add/", fields)
    assert response.status_code == 302
    entry = Entry.objects.filter(action="admin.add").get()
    assert entry.username == "root" and entry.detail["model"] == "organisation"
    assert verify() == []


@pytest.mark.django_db(transaction=True)
def test_simultaneous_appends_keep_one_chain(django_user_model: type) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need a server database (./run test runs this on it)")
    import threading

    user = django_user_model.objects.create_user("clerk", password="synthetic-only")
    start, failures = threading.Barrier(8), []

    def append(worker: int) -> None:
        start.wait()
        try:
            for n in range(10):
                record(user, "case.view", None, worker=worker, n=n)
        except Exception as error:
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert list(Entry.objects.values_list("sequence", flat=True)) == list(range(1, 81))
    assert verify() == []
