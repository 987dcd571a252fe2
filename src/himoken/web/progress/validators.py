"""The personal-data screen on every free-text field of the progress site (spec §8): text
holding a 12-digit number that passes the check digit is refused, and the message never
repeats it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from himoken.mynumber import looks_like_number

MY_NUMBER_REFUSED = _("個人番号と思われる12桁の数字が含まれている。個人情報は入力できない。")


def no_my_number(text: str) -> None:
    if text and looks_like_number(text):
        raise ValidationError(MY_NUMBER_REFUSED, code="my_number")
