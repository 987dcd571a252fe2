"""Residents and households of the synthetic prefecture, with their register history.

Household types and the age pyramid follow the 2020 census in broad strokes: 38% of households
are single, 20% couples, 25% couples with children, 9% single parents, 8% three generations.
About 2.5% of households are foreign residents. A quarter to a third of households moved in
the last decade (前住所, 住所異動日); wives married since 2014 carry their 旧氏名.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from himoken.synth import sources
from himoken.synth.draws import below, between
from himoken.synth.notation import Address, BirthDate, PersonName, random_address, variant_surname

SNAPSHOT = dt.date(2026, 11, 1)  # the register's "as of" day
HISTORY_FROM = dt.date(2014, 1, 1)  # earliest move or name change the register history shows

# Share of the population by 5-year age band (0-4 ... 95-99, 100+), 2020 census, rounded.
AGE_BANDS = (
    3.6,
    4.0,
    4.2,
    4.4,
    4.8,
    4.9,
    5.2,
    5.8,
    6.5,
    7.5,
    6.9,
    6.2,
    6.0,
    7.2,
    7.5,
    5.8,
    4.8,
    3.3,
    1.7,
    0.5,
    0.07,
)
_AGE_BAND_CUMULATIVE = list(itertools.accumulate(AGE_BANDS))
HOUSEHOLD_TYPES = ("single", "couple", "couple_children", "single_parent", "three_generations")
_HOUSEHOLD_CUMULATIVE = list(itertools.accumulate((38, 20, 25, 9, 8)))
_CHILDREN_CUMULATIVE = list(itertools.accumulate((55, 35, 10)))


# Ordinal of the latest birth date giving each age on SNAPSHOT (1 Nov: never 29 Feb).
_LATEST_BIRTH = [SNAPSHOT.replace(year=SNAPSHOT.year - age).toordinal() for age in range(121)]


@dataclass(slots=True)
class Person:
    index: int  # global resident index; the number derives from it
    household: str
    relation: str
    name: PersonName
    sex: int
    birth: BirthDate
    address: Address
    number: str = ""
    previous_addresses: tuple[Address, ...] = ()
    address_date: dt.date | None = None
    former_names: tuple[PersonName, ...] = ()
    name_date: dt.date | None = None
    former_surname_shown: str = ""  # 旧氏 shown at the person's request
    alias: str = ""  # 通称 of a foreign resident
    removal: str = ""  # 転出, 死亡 ...
    foreign: bool = False
    namesake: bool = False  # another resident shares name, birth date and sex
    members: list[Person] = field(default_factory=list, repr=False)  # the household, self incl.
    _age: int | None = field(default=None, repr=False)

    def address_on(self, day: dt.date) -> Address:
        """The address the person had on `day` (history is most recent first)."""
        if self.address_date is None or day >= self.address_date:
            return self.address
        return self.previous_addresses[0] if self.previous_addresses else self.address

    def name_on(self, day: dt.date) -> PersonName:
        if self.name_date is None or day >= self.name_date or not self.former_names:
            return self.name
        return self.former_names[0]

    def become_namesake_of(self, model: Person) -> None:
        """Take the name, birth date and sex of `model`: a 同姓同名 stranger with the same
        birth date, as a 住基ネット query without the address can confuse."""
        self.name, self.birth, self.sex = model.name, model.birth, model.sex
        self._age = None
        self.namesake = model.namesake = True
        if self.address_date and self.address_date <= self.birth.as_date():
            # Born after the household's move: no earlier address of one's own.
            self.previous_addresses, self.address_date = (), None

    @property
    def age(self) -> int:
        """Age on SNAPSHOT (cached: client weights ask for it many times)."""
        if self._age is None:
            self._age = (
                SNAPSHOT.year
                - self.birth.year
                - ((SNAPSHOT.month, SNAPSHOT.day) < (self.birth.month or 1, self.birth.day or 1))
            )
        return self._age


# add(relation, sex, age) -> the new household member
AddMember = Callable[[str, int, int], "Person"]


class PeopleFactory:
    """Draws households for one chunk from its own random stream."""

    def __init__(self, rng: random.Random, prefecture: str, chunk: int) -> None:
        self.rng = rng
        self.towns = sources.towns(prefecture)
        self.surnames = sources.surnames()
        self.given = sources.given_names()
        self.chunk = chunk
        self._household_counter = 0

    # -- draws

    def _age(self, low: int, high: int) -> int:
        """An age in [low, high] following the pyramid."""
        rng = self.rng
        for _ in range(50):
            band = bisect.bisect_right(
                _AGE_BAND_CUMULATIVE, rng.random() * _AGE_BAND_CUMULATIVE[-1]
            )
            age = min(band, 20) * 5 + below(rng, 5)
            if low <= age <= high:
                return age
        return between(rng, low, high + 1)

    def _birth(self, age: int) -> BirthDate:
        """A birth date giving exactly `age` on SNAPSHOT."""
        day = dt.date.fromordinal(_LATEST_BIRTH[age] - below(self.rng, 365))
        return BirthDate(day.year, day.month, day.day)

    def _surname(self) -> tuple[str, str]:
        i = self.surnames.draw(self.rng)
        return variant_surname(self.surnames.kanji[i], self.rng), self.surnames.kana[i]

    def _given(self, sex: int) -> tuple[str, str]:
        pool = self.given[sex]
        i = pool.draw(self.rng)
        return pool.kanji[i], pool.kana[i]

    def _japanese_name(self, surname: tuple[str, str], sex: int) -> PersonName:
        given, given_kana = self._given(sex)
        return PersonName(surname[0], given, surname[1], given_kana)

    def _town(self) -> sources.Town:
        return self.towns[below(self.rng, len(self.towns))]

    # -- households

    def household(self, first_index: int) -> list[Person]:
        rng = self.rng
        self._household_counter += 1
        household_id = f"{self.chunk:05d}{self._household_counter:05d}"
        address = random_address(self._town(), rng)
        if rng.random() < 0.025:
            members = self._foreign_household(household_id, address, first_index)
        else:
            kind = HOUSEHOLD_TYPES[
                bisect.bisect_right(_HOUSEHOLD_CUMULATIVE, rng.random() * _HOUSEHOLD_CUMULATIVE[-1])
            ]
            members = self._japanese_household(kind, household_id, address, first_index)
        self._history(members)
        for person in members:
            person.members = members
            self._removal(person)
        return members

    def _person(
        self,
        index: int,
        household: str,
        relation: str,
        name: PersonName,
        sex: int,
        age: int,
        address: Address,
    ) -> Person:
        return Person(index, household, relation, name, sex, self._birth(age), address)

    def _japanese_household(
        self, kind: str, household: str, address: Address, first: int
    ) -> list[Person]:
        rng = self.rng
        surname = self._surname()
        members: list[Person] = []

        def add(relation: str, sex: int, age: int) -> Person:
            person = self._person(
                first + len(members),
                household,
                relation,
                self._japanese_name(surname, sex),
                sex,
                age,
                address,
            )
            members.append(person)
            return person

        if kind == "single":
            sex = between(rng, 1, 3)
            add("世帯主", sex, self._age(18, 100))
            return members
        if kind == "three_generations":
            head_age = between(rng, 38, 64)
            add("世帯主", 1, head_age)
            self._wife(add, head_age, relation="妻")
            self._children(add, head_age, self._child_count())
            grand_age = min(head_age + between(rng, 24, 36), 100)
            add("母", 2, grand_age)
            if rng.random() < 0.5:
                add("父", 1, min(grand_age + between(rng, 0, 5), 100))
            return members
        if kind == "single_parent":
            sex = 2 if rng.random() < 0.85 else 1
            parent_age = between(rng, 25, 58)
            add("世帯主", sex, parent_age)
            self._children(add, parent_age, self._child_count())
            return members
        # couples
        if kind == "couple":  # mostly couples whose children have left
            head_age = self._age(62, 95) if rng.random() < 0.8 else self._age(24, 61)
        else:
            head_age = between(rng, 32, 66)
        add("世帯主", 1, head_age)
        self._wife(add, head_age, relation="妻")
        if kind == "couple_children":
            self._children(add, head_age, self._child_count())
        return members

    def _wife(self, add: AddMember, husband_age: int, relation: str) -> Person:
        rng = self.rng
        age = min(max(husband_age + between(rng, -6, 3), 18), 100)
        wife = add(relation, 2, age)
        maiden = self._surname()
        marriage_age = min(max(round(rng.gauss(29, 4)), 18), age)
        married = dt.date(wife.birth.year + marriage_age, wife.birth.month, min(wife.birth.day, 28))
        married += dt.timedelta(days=between(rng, 0, 365))
        married = min(married, SNAPSHOT - dt.timedelta(days=1))
        if married >= HISTORY_FROM and maiden[0] != wife.name.surname:
            wife.former_names = [
                PersonName(maiden[0], wife.name.given, maiden[1], wife.name.given_kana)
            ]
            wife.name_date = married
        if rng.random() < 0.03:
            wife.former_surname_shown = maiden[0]
        return wife

    def _children(self, add: AddMember, parent_age: int, count: int) -> None:
        rng = self.rng
        for _ in range(count):
            age = parent_age - between(rng, 24, 41)  # parent's age at the birth
            if 0 <= age <= 35:  # older children have mostly left home
                add("子", between(rng, 1, 3), age)

    def _child_count(self) -> int:
        return 1 + bisect.bisect_right(_CHILDREN_CUMULATIVE, self.rng.random() * 100)

    def _foreign_household(self, household: str, address: Address, first: int) -> list[Person]:
        rng = self.rng
        weights = [o.weight for o in sources.FOREIGN_ORIGINS]
        origin = rng.choices(sources.FOREIGN_ORIGINS, weights=weights)[0]
        family = origin.family[below(rng, len(origin.family))]
        roll = rng.random()
        layout = [("世帯主", between(rng, 1, 3))]
        if roll > 0.6:
            layout = [("世帯主", 1), ("妻", 2)] + (
                [("子", between(rng, 1, 3))] if roll > 0.9 else []
            )
        members: list[Person] = []
        head_age = between(rng, 20, 60)
        for relation, sex in layout:
            own_family = family
            if relation == "妻" and origin.script == "kanji":  # CN/KR wives keep their surname
                own_family = origin.family[below(rng, len(origin.family))]
            pool = origin.given_male if sex == 1 else origin.given_female
            given = pool[below(rng, len(pool))]
            middle = ("", "")
            if origin.middle and rng.random() < 0.6:
                middle = origin.middle[below(rng, len(origin.middle))]
            name = PersonName(
                own_family[0],
                given[0],
                own_family[1],
                given[1],
                latin=origin.script == "latin",
                middle=middle[0],
                middle_kana=middle[1],
            )
            age = {"世帯主": head_age, "妻": max(18, head_age - between(rng, 0, 6))}.get(
                relation, between(rng, 0, max(1, head_age - 20))
            )
            person = self._person(
                first + len(members), household, relation, name, sex, age, address
            )
            person.foreign = True
            if rng.random() < 0.03:  # partially unknown birth date
                person.birth = (
                    BirthDate(person.birth.year, 0, 0)
                    if rng.random() < 0.7
                    else BirthDate(person.birth.year, person.birth.month, 0)
                )
            if origin.alias_rate and rng.random() < origin.alias_rate:
                alias_surname = self._surname()[0]
                person.alias = f"{alias_surname}\u3000{self._given(sex)[0]}"
            members.append(person)
        return members

    def _history(self, members: list[Person]) -> None:
        rng = self.rng
        if rng.random() >= 0.33:
            return
        span = (SNAPSHOT - HISTORY_FROM).days
        moved = HISTORY_FROM + dt.timedelta(days=between(rng, 0, span - 30))
        previous: tuple[Address, ...] = (random_address(self._town(), rng),)
        if rng.random() < 0.3:
            previous += (random_address(self._town(), rng),)
        for person in members:
            if person.birth.as_date() < moved:
                person.previous_addresses = previous
                person.address_date = moved

    def _removal(self, person: Person) -> None:
        roll = self.rng.random()
        death_rate = 0.03 if person.age >= 75 else 0.003
        if roll < death_rate:
            person.removal = "死亡"
        elif roll < death_rate + 0.015 and person.age >= 18:
            person.removal = "転出"
