"""Free text on the progress site never takes a My Number (property-tested with Hypothesis)."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from himoken.mynumber import is_valid, with_check_digit
from himoken.web.progress.models import Consultation, Organisation
from himoken.web.progress.validators import no_my_number

bodies = st.integers(min_value=0, max_value=10**11 - 1).map(lambda n: f"{n:011d}")
text = st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=30)
WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


@given(prefix=text, body=bodies, suffix=text, style=st.sampled_from(["plain", "grouped", "wide"]))
def test_any_valid_number_in_free_text_is_refused(
    prefix: str, body: str, suffix: str, style: str
) -> None:
    number = with_check_digit(body)
    shown = {
        "plain": number,
        "grouped": f"{number[:4]}-{number[4:8]}-{number[8:]}",
        "wide": number.translate(WIDE),
    }[style]
    with pytest.raises(ValidationError) as refused:
        no_my_number(f"{prefix}{shown}{suffix}")
    assert number not in str(refused.value) and shown not in str(refused.value)


@given(st.text(max_size=60))
def test_text_without_a_valid_number_passes(value: str) -> None:
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) >= 12:
        return  # may hold a valid number; the first property covers those
    no_my_number(value)


def test_a_twelve_digit_number_failing_the_check_digit_passes() -> None:
    number = with_check_digit(f"{random.Random(5).randrange(10**11):011d}")
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not is_valid(wrong)
    no_my_number(f"問い合わせ番号 {wrong}")


@pytest.mark.django_db
def test_a_consultation_holding_a_number_does_not_validate() -> None:
    organisation = Organisation.objects.create(code="271004", name="大阪市", kind="municipality")
    consultation = Consultation(
        organisation=organisation,
        category="照合",
        question=f"この人 {with_check_digit('12345678901')} の扱いは?",
    )
    with pytest.raises(ValidationError) as refused:
        consultation.full_clean()
    assert "question" in refused.value.message_dict
