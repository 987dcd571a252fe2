"""Review-site builders: a small synthetic world collated once per session, an organisation
with one user per role (and a second organisation), and the world's run imported."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import translation

from himoken.collate.profiles import Labels, load_profile
from himoken.collate.run import collate
from himoken.synth import ERROR_TYPES, SynthOptions, generate
from himoken.web.progress import dashboard
from himoken.web.review.imports import import_out_dir
from himoken.web.review.models import Business, Case, Organisation, Role, Run

PASSWORD = "synthetic-only"


@pytest.fixture(scope="session", autouse=True)
def _no_lingering_connections(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Threads of the app (the live server's, a UI collation's) may still hold a connection
    to the test database when the session ends; PostgreSQL would then refuse to drop it."""
    yield
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connection.close()


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    """A request activates its language for the thread: each test leaves it as it found it."""
    language = translation.get_language()
    yield
    if language is None:
        translation.deactivate_all()
    else:
        translation.activate(language)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with empty caches: the progress overviews are kept per process."""
    cache.clear()
    dashboard.forget()


@pytest.fixture
def _replication_role_reset(django_db_blocker: Any) -> Iterator[list[bool]]:
    """Set up before the database helper, so torn down after its flush (see below)."""
    flushed: list[bool] = []
    yield flushed
    if flushed:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def _django_db_helper(
    _replication_role_reset: list[bool], _django_db_helper: None, request: Any
) -> Iterator[None]:
    """A transactional test ends with a flush (TRUNCATE of every table), which PostgreSQL's
    append-only guard on the audit log refuses: for that flush only, the guard's triggers are
    off (replica role), and back on before the next test."""
    yield
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in (request.fixturenames)
        or getattr(request.node.get_closest_marker("django_db"), "kwargs", {}).get("transaction")
    )
    if transactional and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        _replication_role_reset.append(True)


@pytest.fixture(scope="session")
def collated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 900-resident world with every wrong linkage at 2%, its 公金受取口座 extract collated
    with the register kept (world/out)."""
    world = tmp_path_factory.mktemp("review_world")
    rates = {**dict.fromkeys(ERROR_TYPES, 0.02), "MALFORMED_ROW": 0.0}
    generate(SynthOptions(residents=900, seed=11, workers=1, error_rates=rates), world)
    labels = Labels("271004", "大阪市", "公金受取口座", "口座登録システム")
    collate(world / "register.csv", world / "kokin-koza" / "records.csv", world / "out", labels,
            profile=load_profile("kokin-koza"), keep_register=True)  # fmt: skip
    return world


@dataclass
class Site:
    organisation: Organisation
    business: Business
    other_business: Business  # same organisation, not handled by `handler`
    users: dict[str, Any]  # handler, handler2, supervisor, supervisor2, auditor, outsider

    def client(self, name: str, **options: Any) -> Client:
        client = Client(**options)
        client.force_login(self.users[name])
        return client


@pytest.fixture
def site(django_user_model: type, settings: Any, tmp_path: Path) -> Site:
    settings.DATA_DIR = tmp_path / "data"
    organisation = Organisation.objects.create(code="271004", name="大阪市")
    business = Business.objects.create(
        organisation=organisation, name="公金受取口座", system="口座登録システム"
    )
    other = Business.objects.create(organisation=organisation, name="児童手当", system="手当")
    elsewhere = Organisation.objects.create(code="272000", name="堺市")
    elsewhere_business = Business.objects.create(organisation=elsewhere, name="公金受取口座")
    kinds = {
        "handler": ("handler", organisation, [business]),
        "handler2": ("handler", organisation, [business]),
        "supervisor": ("supervisor", organisation, [business, other]),
        "supervisor2": ("supervisor", organisation, [business]),
        "auditor": ("auditor", organisation, []),
        "outsider": ("supervisor", elsewhere, [elsewhere_business]),
    }
    users = {}
    for name, (kind, where, handled) in kinds.items():
        user = django_user_model.objects.create_user(name, password=PASSWORD)
        role = Role.objects.create(user=user, kind=kind, organisation=where)
        role.businesses.set(handled)
        users[name] = user
    return Site(organisation, business, other, users)


@pytest.fixture
def run(site: Site, collated: Path, tmp_path: Path) -> Run:
    """The world's collation imported into the site, from a copy the test may purge."""
    folder = tmp_path / "imports" / "kokin-koza"
    shutil.copytree(collated / "out", folder)
    imported, new = import_out_dir(folder, site.business, site.users["supervisor"])
    assert new
    return imported


@pytest.fixture
def suspect(run: Run) -> Case:
    """The riskiest SUSPECT with a candidate true owner."""
    return (
        run.cases.filter(verdict="SUSPECT")
        .exclude(candidate_number="")
        .order_by("-risk", "ordinal")
        .first()
    )
