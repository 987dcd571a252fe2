"""Run one collation started from the review site (the "subprocess" runner of tasks.py)."""

from django.core.management.base import BaseCommand

from himoken.web.review import tasks


class Command(BaseCommand):
    help = "Collate the uploaded files of one review run and import its flagged records."

    def add_arguments(self, parser) -> None:
        parser.add_argument("run", type=int)

    def handle(self, *args, run: int, **options) -> None:
        tasks.execute(run)
