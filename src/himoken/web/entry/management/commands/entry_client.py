"""manage.py entry_client ORGANISATION_CODE NAME: register a business system for the API and
print its token (shown this once; only its digest is kept)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from himoken.web.entry.models import ApiClient
from himoken.web.review.models import Organisation


class Command(BaseCommand):
    help = "Register a business system for the entry-check API and print its token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="団体コード")
        parser.add_argument("name", help="業務システムの名前")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(code=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"団体コード {options['organisation']} の団体がない")
        _, token = ApiClient.issue(organisation, options["name"])
        self.stdout.write(token)
