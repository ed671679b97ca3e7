"""A seeded generator of realistic B2B matchmaking events, written as event folders.

Solver timings on uniform random data say little about real events, whose hard parts come from
their shape: a few stars wanted by dozens, companies sending colleagues who must not meet,
people who leave at lunch, booths that host one meeting per slot, personal caps and mutual
wishes. Every such trait is a parameter of `GeneratorSpec`, so a benchmark pins the exact
instance it measures; the same spec and seed always give byte-identical files.

Usage:
    python -m benchmarks.generator OUT_DIR --participants 1500 --wishes 20000 --seed 1 [--days 2]
    python -m benchmarks.generator sample_events/cluster-day --sample cluster-day
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import random
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# --- reference data ------------------------------------------------------------------------
# Kept small on purpose: enough variety for realistic agendas and for non-ASCII to reach every
# exporter, not a names database. Surnames written "male/female" take the form of the person's
# gender (Latvian, Lithuanian, Polish, Czech and Greek surnames do).


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    tld: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    stems: tuple[str, ...]  # local words used in organisation names
    suffixes: tuple[str, ...]  # legal forms of companies


def _country(
    code: str, name: str, tld: str, male: str, female: str, surnames: str, stems: str, suffixes: str
) -> Country:
    def split(text: str) -> tuple[str, ...]:
        return tuple(x.strip() for x in text.split(",") if x.strip())

    return Country(code, name, tld, split(male), split(female), split(surnames), split(stems), split(suffixes))


COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        _country(
            "DK",
            "Denmark",
            "dk",
            "Søren, Jens, Mikkel, Rasmus, Anders, Morten, Niels, Bjørn, Frederik, Kasper, Jesper, Lasse",
            "Mette, Freja, Sofie, Ida, Kirsten, Louise, Signe, Åse, Camilla, Line, Maja, Trine",
            "Nielsen, Jensen, Hansen, Pedersen, Andersen, Christensen, Larsen, Sørensen, Rasmussen, "
            "Jørgensen, Møller, Kjær, Østergaard, Thygesen, Lund, Bæk, Frandsen, Søndergaard",
            "Nordlys, Kattegat, Limfjord, Østjysk, Fyns, Vestkyst",
            "A/S, ApS",
        ),
        _country(
            "LV",
            "Latvia",
            "lv",
            "Jānis, Andris, Kristaps, Edgars, Mārtiņš, Roberts, Artūrs, Valdis, Gatis, Raimonds, Uldis, Aigars",
            "Līga, Ilze, Dace, Anete, Inese, Zane, Kristīne, Elīna, Baiba, Ieva, Laura, Sandra",
            "Bērziņš/Bērziņa, Kalniņš/Kalniņa, Ozoliņš/Ozoliņa, Liepiņš/Liepiņa, Krūmiņš/Krūmiņa, "
            "Vītols/Vītola, Jansons/Jansone, Pētersons/Pētersone, Zariņš/Zariņa, Eglītis/Eglīte, "
            "Kļaviņš/Kļaviņa, Grīnbergs/Grīnberga, Lapiņš/Lapiņa, Siliņš/Siliņa",
            "Daugava, Gauja, Kurzeme, Latgale, Baltijas, Zemgale",
            "SIA, AS",
        ),
        _country(
            "LT",
            "Lithuania",
            "lt",
            "Mantas, Tomas, Lukas, Darius, Giedrius, Vytautas, Žygimantas, Rokas",
            "Rūta, Eglė, Gintarė, Aušra, Ieva, Jurgita, Monika, Greta",
            "Kazlauskas/Kazlauskienė, Jankauskas/Jankauskienė, Petrauskas/Petrauskienė, "
            "Stankevičius/Stankevičienė, Vasiliauskas/Vasiliauskienė, Žukauskas/Žukauskienė, "
            "Butkus/Butkienė, Paulauskas/Paulauskienė",
            "Nemunas, Baltija, Neris, Aukštaitija, Žemaitija",
            "UAB, AB",
        ),
        _country(
            "EE",
            "Estonia",
            "ee",
            "Märt, Tõnu, Jüri, Andres, Rein, Priit, Kaarel, Toomas, Margus, Siim",
            "Kärt, Liis, Mari, Triin, Kadri, Tiiu, Ülle, Piret, Kersti, Merike",
            "Tamm, Saar, Sepp, Mägi, Kask, Kukk, Rebane, Ilves, Pärn, Kõiv, Lepik, Oja, Raudsepp",
            "Põhjala, Saare, Läänemere, Peipsi, Emajõe",
            "OÜ, AS",
        ),
        _country(
            "FI",
            "Finland",
            "fi",
            "Jukka, Mikko, Antti, Matti, Timo, Jussi, Väinö, Petteri",
            "Päivi, Sanna, Anu, Riikka, Johanna, Hanna, Sirpa, Elina",
            "Virtanen, Mäkinen, Nieminen, Hämäläinen, Korhonen, Heikkinen, Järvinen, Lehtonen, Koskinen",
            "Pohjola, Saimaa, Häme, Kymi, Lappi",
            "Oy, Oyj",
        ),
        _country(
            "SE",
            "Sweden",
            "se",
            "Björn, Åke, Johan, Erik, Henrik, Magnus, Olof, Göran",
            "Åsa, Ingrid, Karin, Maja, Linnéa, Elin, Sofia, Märta",
            "Andersson, Lindqvist, Bergström, Sjöberg, Nyström, Öberg, Åberg, Lundgren, Ekström",
            "Norrland, Mälar, Göta, Öresund, Småland",
            "AB",
        ),
        _country(
            "NO",
            "Norway",
            "no",
            "Håkon, Ole, Øystein, Per, Kjetil, Eirik, Tor, Sindre",
            "Ingrid, Kari, Solveig, Ragnhild, Silje, Marte, Hege, Tone",
            "Hansen, Johansen, Bakken, Haugen, Strøm, Solberg, Sæther, Berntsen, Aasen",
            "Fjell, Nordkyst, Trøndelag, Vestland, Oslofjord",
            "AS",
        ),
        _country(
            "DE",
            "Germany",
            "de",
            "Jürgen, Lukas, Matthias, Stefan, Tobias, Florian, Jörg, Maximilian",
            "Anna, Katrin, Julia, Sabine, Lea, Susanne, Annegret, Jana",
            "Müller, Schmidt, Schröder, Weiß, Köhler, Hoffmann, Krüger, Groß, Schäfer, Wagner",
            "Nordsee, Elbe, Schwarzwald, Rhein, Spree, Allgäu",
            "GmbH, AG, GmbH & Co. KG",
        ),
        _country(
            "PL",
            "Poland",
            "pl",
            "Piotr, Krzysztof, Tomasz, Paweł, Łukasz, Michał, Grzegorz, Wojciech",
            "Agnieszka, Małgorzata, Katarzyna, Joanna, Magdalena, Ewa, Zofia, Aleksandra",
            "Kowalski/Kowalska, Wiśniewski/Wiśniewska, Wójcik, Kamiński/Kamińska, "
            "Lewandowski/Lewandowska, Zieliński/Zielińska, Szymański/Szymańska, Woźniak, "
            "Dąbrowski/Dąbrowska, Nowak",
            "Wisła, Mazowsze, Bałtyk, Pomorze, Śląsk, Tatry",
            "sp. z o.o., S.A.",
        ),
        _country(
            "CZ",
            "Czechia",
            "cz",
            "Jiří, Petr, Tomáš, Jan, Martin, Lukáš, Ondřej, Vojtěch",
            "Jana, Tereza, Lucie, Kateřina, Petra, Markéta, Zuzana, Barbora",
            "Novák/Nováková, Svoboda/Svobodová, Dvořák/Dvořáková, Černý/Černá, Procházka/Procházková, "
            "Kučera/Kučerová, Veselý/Veselá, Horák/Horáková, Němec/Němcová, Růžička/Růžičková",
            "Vltava, Morava, Šumava, Krkonoše, Brno",
            "s.r.o., a.s.",
        ),
        _country(
            "TR",
            "Türkiye",
            "com.tr",
            "Mehmet, Emre, Burak, Oğuz, Çağan, Murat, Serkan, Barış",
            "Ayşe, Elif, Zeynep, Gülşen, Şule, Özlem, Derya, İpek",
            "Yılmaz, Kaya, Demir, Şahin, Çelik, Öztürk, Aydın, Yıldız, Arslan, Doğan",
            "Ege, Anadolu, Boğaziçi, Karadeniz, Çukurova",
            "A.Ş., Ltd. Şti.",
        ),
        _country(
            "GR",
            "Greece",
            "gr",
            "Giorgos, Dimitris, Nikos, Konstantinos, Yannis, Kostas, Panagiotis, Christos",
            "Maria, Eleni, Katerina, Sofia, Georgia, Despina, Vasiliki, Ioanna",
            "Papadopoulos/Papadopoulou, Georgiou, Nikolaidis/Nikolaidou, Konstantinou, Oikonomou, "
            "Karagiannis/Karagianni, Vlachos/Vlachou, Alexiou, Papageorgiou",
            "Aegean, Olympos, Attica, Hellas, Ionian",
            "S.A., IKE",
        ),
        _country(
            "ES",
            "Spain",
            "es",
            "Sergio, José, Javier, Álvaro, Íñigo, Andrés, Raúl, Joaquín",
            "María, Lucía, Begoña, Nuria, Inés, Marta, Ángela, Pilar",
            "García, Martínez, López, Fernández, Sánchez, Gómez, Núñez, Ibáñez, Muñoz, Domínguez",
            "Ibérica, Cantábrico, Levante, Galicia, Navarra",
            "S.L., S.A.",
        ),
        _country(
            "FR",
            "France",
            "fr",
            "François, Jérôme, Mathieu, Julien, Cédric, Loïc, Hervé, Benoît",
            "Élodie, Céline, Hélène, Chloé, Amélie, Sophie, Mélanie, Noémie",
            "Lefèvre, Dubois, Girard, Moreau, Rousseau, Lemaître, Fournier, Laurent, Gauthier",
            "Armor, Rhône, Loire, Provence, Alsace",
            "SAS, SARL",
        ),
        _country(
            "NL",
            "Netherlands",
            "nl",
            "Jeroen, Sander, Bram, Thijs, Joost, Maarten, Wouter, Ruud",
            "Anouk, Femke, Lotte, Marieke, Sanne, Eline, Ineke, Marloes",
            "de Vries, van Dijk, Jansen, Bakker, Visser, Smit, van den Berg, Mulder, de Jong",
            "Zeeland, Delta, Hollandse, Rijn, Veluwe",
            "B.V.",
        ),
        _country(
            "HU",
            "Hungary",
            "hu",
            "László, Gábor, Zoltán, Péter, Balázs, Attila, Dávid, Bence",
            "Zsófia, Katalin, Eszter, Réka, Anikó, Dóra, Ildikó, Orsolya",
            "Nagy, Kovács, Tóth, Szabó, Horváth, Varga, Kiss, Molnár, Németh, Fekete",
            "Duna, Tisza, Balaton, Mátra, Alföld",
            "Kft., Zrt.",
        ),
    )
}

# Words that make an organisation name sound like it belongs to its sector.
SECTORS: dict[str, tuple[str, ...]] = {
    "Food & Agritech": ("Foods", "Dairy", "Organics", "Agro", "Bakery", "Aquaculture", "Berries"),
    "Wood & Furniture": ("Timber", "Furniture", "Woodworks", "Interiors", "Sawmill", "Joinery"),
    "Cleantech": ("Solar", "Energy", "Recycling", "Hydrogen", "Wind", "Heat"),
    "Health": ("Medtech", "Pharma", "Care", "Diagnostics", "Health"),
    "ICT": ("Software", "Data", "Digital", "Systems", "Cloud"),
    "Manufacturing": ("Robotics", "Metal", "Composites", "Automation", "Packaging", "Plastics"),
    "Maritime & Logistics": ("Marine", "Shipping", "Logistics", "Freight", "Port Services"),
}
# Sectors a spec must name to get (left out of the default "all sectors", so that the files of
# every existing spec stay byte-identical).
OPT_IN_SECTORS: dict[str, tuple[str, ...]] = {
    "Tourism & Travel": ("Travel", "Tours", "Hotels", "Resorts", "Adventures", "Cruises", "Incoming"),
}
_SECTOR_WORDS = {**SECTORS, **OPT_IN_SECTORS}

DEFAULT_ROLES: tuple[tuple[str, float], ...] = (
    ("buyer", 0.33),
    ("seller", 0.37),
    ("investor", 0.06),
    ("startup", 0.12),
    ("researcher", 0.06),
    ("public body", 0.04),
    ("cluster", 0.02),
)
# How much more likely a requester of the first role picks a target of the second (default 1).
DEFAULT_AFFINITY: tuple[tuple[str, str, float], ...] = (
    ("buyer", "seller", 4.0),
    ("seller", "buyer", 5.0),
    ("buyer", "buyer", 0.3),
    ("seller", "seller", 0.5),
    ("startup", "investor", 5.0),
    ("startup", "buyer", 2.5),
    ("investor", "startup", 5.0),
    ("investor", "investor", 0.2),
    ("researcher", "startup", 2.0),
    ("researcher", "seller", 1.5),
    ("public body", "cluster", 2.0),
    ("cluster", "public body", 2.0),
)
EXHIBITOR_ROLES = ("seller", "startup", "company")
_INVESTOR_WORDS = ("Capital", "Ventures", "Partners", "Invest")
_GENERIC_WORDS = ("Trading", "Group", "Solutions", "Industries", "International", "Partners")


# --- the specification ---------------------------------------------------------------------


@dataclass(frozen=True)
class DayPlan:
    """Opening hours of one event day; several plans give days with different hours."""

    start: str = "09:00"
    end: str = "15:40"
    breaks: tuple[str, ...] = ("12:00-13:00",)


@dataclass(frozen=True)
class GeneratorSpec:
    """Every knob of a generated event; two equal specs always give byte-identical files."""

    participants: int
    wishes: int
    seed: int
    days: int = 1
    slots_per_day: int = 17  # 20-minute slots from 09:00 with lunch 12:00-13:00 (17 -> 15:40)
    name: str = ""  # empty: a descriptive name is made up
    objective: str = "maximise"
    timezone: str = "Europe/Copenhagen"
    start_date: str = "2027-03-10"  # the first day; further days follow on consecutive dates
    slot_minutes: int = 20
    day_plans: tuple[DayPlan, ...] = ()  # overrides days/slots_per_day when given
    tables: int | None = None  # shared tables; None: participants / people_per_table
    people_per_table: float = 4.0
    # who comes
    home_country: str = "DK"
    home_share: float = 0.35  # the rest come evenly from the other countries
    countries: tuple[str, ...] = ()  # restrict visitors to these codes; empty: all of COUNTRIES
    org_size_weights: tuple[float, ...] = (0.75, 0.18, 0.07)  # organisations sending 1, 2, 3 people
    roles: tuple[tuple[str, float], ...] = DEFAULT_ROLES  # role of an organisation, with weights
    role_affinity: tuple[tuple[str, str, float], ...] = DEFAULT_AFFINITY
    sectors: tuple[str, ...] = ()  # keys of SECTORS; empty: all of them
    featured: tuple[tuple[str, str], ...] = ()  # (full name, country code) that must take part
    # constraints on people
    partial_share: float = 0.30  # attend only part of the event
    one_day_share: float = 0.5  # of the partial attendees of a multi-day event: come one day only
    cap_share: float = 0.20  # have a personal max_meetings
    cap_range: tuple[int, int] = (5, 12)
    exhibitor_share: float = 0.10  # meet at their own booth (fixed table)
    exhibitor_roles: tuple[str, ...] = EXHIBITOR_ROLES
    cancelled_share: float = 0.0
    missing_email_share: float = 0.02
    sector_column: bool = True  # an extra column, as registration exports have
    # wishes
    popularity_sigma: float = 0.9  # lognormal spread of how wanted a person is: the heavy tail
    activity_sigma: float = 0.6  # lognormal spread of how many wishes a person sends
    passive_share: float = 0.08  # send no wishes at all (but are asked)
    max_outgoing: int = 25
    mutual_share: float = 1 / 3  # of wish rows whose reverse row is present too
    priority_shares: tuple[float, float, float] = (0.25, 0.55, 0.20)  # priority 1, 2, 3
    wish_window_share: float = 0.03

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.participants < 2:
            problems.append("participants must be at least 2")
        if self.wishes < 1:
            problems.append("wishes must be at least 1 (wishes.csv needs a data row)")
        if self.days < 1 and not self.day_plans:
            problems.append("days must be at least 1")
        if self.slots_per_day < 1 or self.slot_minutes < 1:
            problems.append("slots_per_day and slot_minutes must be positive")
        if self.objective not in ("maximise", "all"):
            problems.append("objective must be 'maximise' or 'all'")
        for key in (
            "home_share",
            "partial_share",
            "one_day_share",
            "cap_share",
            "exhibitor_share",
            "cancelled_share",
            "missing_email_share",
            "passive_share",
            "mutual_share",
            "wish_window_share",
        ):
            if not 0.0 <= getattr(self, key) <= 1.0:
                problems.append(f"{key} must lie between 0 and 1")
        if self.home_country not in COUNTRIES:
            problems.append(f"home_country {self.home_country!r} is not one of {sorted(COUNTRIES)}")
        unknown = [c for c in (*self.countries, *(cc for _, cc in self.featured)) if c not in COUNTRIES]
        if unknown:
            problems.append(f"unknown country codes {unknown}")
        unknown = [s for s in self.sectors if s not in _SECTOR_WORDS]
        if unknown:
            problems.append(f"unknown sectors {unknown}; choose from {sorted(_SECTOR_WORDS)}")
        if not 1 <= self.cap_range[0] <= self.cap_range[1]:
            problems.append("cap_range must be (low, high) with 1 <= low <= high")
        if self.max_outgoing < 1:
            problems.append("max_outgoing must be at least 1")
        if len(self.featured) > self.participants:
            problems.append("more featured people than participants")
        if problems:
            raise ValueError("invalid GeneratorSpec: " + "; ".join(problems))

    @property
    def plans(self) -> tuple[DayPlan, ...]:
        """The opening hours of each day."""
        if self.day_plans:
            return self.day_plans
        return (default_day_plan(self.slots_per_day, self.slot_minutes),) * self.days

    @property
    def dates(self) -> tuple[dt.date, ...]:
        first = dt.date.fromisoformat(self.start_date)
        return tuple(first + dt.timedelta(days=d) for d in range(len(self.plans)))

    @property
    def shared_tables(self) -> int:
        if self.tables is not None:
            return self.tables
        return max(1, round(self.participants / self.people_per_table))

    @property
    def event_name(self) -> str:
        if self.name:
            return self.name
        return (
            f"Synthetic B2B Matchmaking Day ({self.participants} participants, {self.wishes} wishes, seed {self.seed})"
        )


def default_day_plan(slots_per_day: int, slot_minutes: int = 20) -> DayPlan:
    """09:00 start with a 12:00-13:00 lunch once the morning is full: 17 x 20 min ends at 15:40."""
    start = 9 * 60
    morning = (12 * 60 - start) // slot_minutes
    if slots_per_day <= morning:
        return DayPlan("09:00", _hhmm(start + slots_per_day * slot_minutes), ())
    # The grid does not realign after a break: the afternoon starts at the first grid point after 13:00.
    afternoon = start + math.ceil((13 * 60 - start) / slot_minutes) * slot_minutes
    end = afternoon + (slots_per_day - morning) * slot_minutes
    if end > 24 * 60:
        raise ValueError(f"{slots_per_day} slots of {slot_minutes} minutes do not fit in one day")
    return DayPlan("09:00", _hhmm(end), ("12:00-13:00",))


# --- the time grid (mirrors formats.md; the loader tests check that both agree) -----------


def _minutes(text: str) -> int:
    hours, mins = text.strip().split(":")
    return int(hours) * 60 + int(mins)


def _hhmm(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def _range(text: str) -> tuple[int, int]:
    a, b = text.split("-")
    return _minutes(a), _minutes(b)


@dataclass(frozen=True)
class _Day:
    index: int
    date: dt.date
    start: int
    end: int
    blocks: tuple[tuple[int, int], ...]  # opening hours between breaks
    slots: tuple[tuple[int, int, int], ...]  # (global index, start, end)


def _grid(spec: GeneratorSpec) -> list[_Day]:
    days: list[_Day] = []
    n = 0
    for d, (plan, date) in enumerate(zip(spec.plans, spec.dates, strict=True)):
        start, end = _minutes(plan.start), _minutes(plan.end)
        breaks = sorted(_range(b) for b in plan.breaks)
        slots = []
        t = start
        while t + spec.slot_minutes <= end:
            s, e = t, t + spec.slot_minutes
            if not any(s < b1 and b0 < e for b0, b1 in breaks):
                slots.append((n, s, e))
                n += 1
            t += spec.slot_minutes
        blocks, cursor = [], start
        for b0, b1 in breaks:
            if b0 > cursor:
                blocks.append((cursor, b0))
            cursor = max(cursor, b1)
        if cursor < end:
            blocks.append((cursor, end))
        days.append(_Day(d, date, start, end, tuple(blocks), tuple(slots)))
    return days


@dataclass(frozen=True)
class _Window:
    day: int | None  # None: the same hours on every day
    start: int
    end: int

    def text(self, days: Sequence[_Day]) -> str:
        hours = f"{_hhmm(self.start)}-{_hhmm(self.end)}"
        return hours if self.day is None else f"{days[self.day].date.isoformat()} {hours}"

    def slots(self, days: Sequence[_Day]) -> set[int]:
        return {
            i for d in days if self.day in (None, d.index) for i, s, e in d.slots if self.start <= s and e <= self.end
        }


def _windows_text(windows: Sequence[_Window], days: Sequence[_Day]) -> str:
    return ";".join(w.text(days) for w in windows)


def _windows_slots(windows: Sequence[_Window], days: Sequence[_Day]) -> frozenset[int]:
    out: set[int] = set()
    for w in windows:
        out |= w.slots(days)
    return frozenset(out)


# --- the people ----------------------------------------------------------------------------


@dataclass
class _Org:
    name: str
    country: Country
    role: str
    sector: str
    domain: str
    size: int


@dataclass
class _Person:
    org: int
    name: str
    email: str
    country: Country
    role: str
    sector: str
    pid: str = ""
    windows: tuple[_Window, ...] = ()  # empty: the whole event
    slots: frozenset[int] = frozenset()
    cap: int | None = None
    status: str = "registered"
    table: str = ""


def _rng(spec: GeneratorSpec, aspect: str) -> random.Random:
    """One stream per aspect, so that changing one knob does not reshuffle everything else."""
    return random.Random(f"matchday-generator:{spec.seed}:{aspect}")


_FOLD = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss", "ł": "l", "Ł": "L", "ı": "i", "đ": "d", "œ": "oe"}
)
# Where a language has its own convention for writing its letters in ASCII, addresses follow it.
_LOCAL_FOLD = {
    "DE": str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}),
    "DK": str.maketrans({"å": "aa", "Å": "Aa", "ø": "oe", "Ø": "Oe"}),
    "NO": str.maketrans({"å": "aa", "Å": "Aa", "ø": "oe", "Ø": "Oe"}),
}


def _ascii(text: str, country: str = "") -> str:
    """Fold a name into the letters an e-mail address or domain can carry."""
    text = text.translate(_LOCAL_FOLD.get(country, {}))
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c.isascii())


def _slug(text: str, country: str = "") -> str:
    words = "".join(c if c.isalnum() else " " for c in _ascii(text, country).lower()).split()
    return "-".join(words)


def _org_name(rng: random.Random, country: Country, role: str, sector: str) -> tuple[str, str]:
    """An organisation's name and its brand (the name without the legal form, for its domain)."""
    stem = rng.choice(country.stems)
    word = rng.choice(_SECTOR_WORDS[sector] + _GENERIC_WORDS[:2])
    suffix = rng.choice(country.suffixes)
    if role == "investor":
        brand = f"{stem} {rng.choice(_INVESTOR_WORDS)}"
    elif role == "researcher":
        brand = rng.choice(
            (f"{stem} Research Institute", f"{stem} University of Applied Sciences", f"{stem} {word} Research Centre")
        )
        return brand, brand
    elif role == "public body":
        brand = rng.choice((f"{stem} Business Development Agency", f"{stem} Region Invest Office"))
        return brand, brand
    elif role == "cluster":
        brand = f"{stem} {sector} Cluster"
        return brand, brand
    else:
        surname = rng.choice(country.surnames).split("/")[0]
        founders = " & ".join(s.split("/")[0] for s in rng.sample(country.surnames, 2))
        brand = rng.choice((f"{stem} {word}", f"{surname} {word}", f"{stem} {rng.choice(_GENERIC_WORDS)}", founders))
        brand = brand[0].upper() + brand[1:]  # "De Vries Dairy", not "de Vries Dairy"
    return f"{brand} {suffix}", brand


def _person_name(rng: random.Random, country: Country) -> str:
    female = rng.random() < 0.45
    first = rng.choice(country.female if female else country.male)
    forms = rng.choice(country.surnames).split("/")
    return f"{first} {forms[-1] if female else forms[0]}"


def _email(rng: random.Random, name: str, domain: str, country: str) -> str:
    parts = [_slug(p, country).replace("-", "") for p in name.split()]
    first, last = parts[0], "".join(parts[1:])
    local = rng.choices((f"{first}.{last}", f"{first[0]}{last}", first), weights=(0.75, 0.2, 0.05))[0]
    return f"{local}@{domain}"


def _make_people(spec: GeneratorSpec) -> tuple[list[_Org], list[_Person]]:
    """Organisations with 1-3 delegates each, then the people in registration order."""
    rng = _rng(spec, "people")
    visitors = [c for c in (spec.countries or tuple(COUNTRIES)) if c != spec.home_country]
    sectors = spec.sectors or tuple(SECTORS)
    role_names = [r for r, _ in spec.roles]
    role_weights = [w for _, w in spec.roles]
    sizes = list(range(1, len(spec.org_size_weights) + 1))
    orgs: list[_Org] = []
    used_domains: set[str] = set()
    people: list[_Person] = []
    used_people: set[str] = set()
    remaining = spec.participants
    while remaining > 0:
        k = len(orgs)
        if k < len(spec.featured):
            country = COUNTRIES[spec.featured[k][1]]
        elif not visitors or rng.random() < spec.home_share:
            country = COUNTRIES[spec.home_country]
        else:
            country = COUNTRIES[rng.choice(visitors)]
        role = rng.choices(role_names, weights=role_weights)[0]
        sector = rng.choice(sectors)
        size = min(remaining, rng.choices(sizes, weights=spec.org_size_weights)[0])
        if role in ("investor", "cluster", "public body"):
            size = min(size, 2)
        for attempt in range(30):  # distinct brands, so that distinct companies never share a domain
            name, brand = _org_name(rng, country, role, sector)
            if attempt >= 20:  # a big event used up the combinations: number the brand
                numbered = f"{brand} {attempt - 18}"
                name, brand = name.replace(brand, numbered, 1), numbered
            domain = f"{_slug(brand, country.code)}.{country.tld}"
            if domain not in used_domains:
                break
        used_domains.add(domain)
        orgs.append(_Org(name, country, role, sector, domain, size))
        for member in range(size):
            if k < len(spec.featured) and member == 0:
                pname = spec.featured[k][0]
            else:
                pname = _person_name(rng, country)
                for _ in range(5):
                    if pname not in used_people:
                        break
                    pname = _person_name(rng, country)
            used_people.add(pname)
            email = "" if rng.random() < spec.missing_email_share else _email(rng, pname, orgs[-1].domain, country.code)
            people.append(_Person(k, pname, email, country, role, sector))
        remaining -= size
    rng.shuffle(people)  # registration order: colleagues rarely register back to back
    width = max(4, len(str(len(people))))
    for n, person in enumerate(people, start=1):
        person.pid = f"P{n:0{width}d}"
    return orgs, people


def _assign_booths(spec: GeneratorSpec, orgs: list[_Org], people: list[_Person]) -> None:
    """Exhibiting organisations get one booth, lettered per delegate so colleagues can meet in parallel."""
    rng = _rng(spec, "booths")
    target = round(spec.exhibitor_share * len(people))
    candidates = [k for k, o in enumerate(orgs) if o.role in spec.exhibitor_roles]
    rng.shuffle(candidates)
    chosen, count = [], 0
    for k in candidates:
        if count >= target:
            break
        if count + orgs[k].size > target + 1:
            continue
        chosen.append(k)
        count += orgs[k].size
    numbers = sorted(rng.sample(range(1, 2 * len(chosen) + 10), len(chosen)))
    booth = dict(zip(sorted(chosen), numbers, strict=True))
    letter: Counter[int] = Counter()
    for p in people:
        if p.org in booth:
            label = f"Booth {booth[p.org]}"
            if orgs[p.org].size > 1:
                label += chr(ord("a") + letter[p.org])
                letter[p.org] += 1
            p.table = label


def _partial_windows(rng: random.Random, day: _Day, dated: bool, slot: int) -> list[_Window]:
    """A typical part-time presence on one day: mornings, afternoons, late, early, or with a gap."""
    d = day.index if dated else None
    n = len(day.slots)
    if n < 4:  # too short a day to come for part of it
        return [_Window(d, day.start, day.end)]
    if len(day.blocks) > 1:
        first, last = day.blocks[0], day.blocks[-1]
    else:  # no break: the middle slot splits the day into a morning and an afternoon
        mid = day.slots[n // 2][1]
        first, last = (day.start, mid), (mid, day.end)
    late = day.start + slot * rng.randint(2, max(2, n // 3))
    early = day.end - slot * rng.randint(2, max(2, n // 3))
    cut = first[0] + slot * rng.randint(1, max(1, (first[1] - first[0]) // slot - 2))
    options = [
        [_Window(d, first[0], first[1])],  # morning only
        [_Window(d, last[0], last[1])],  # afternoon only
        [_Window(d, late, day.end)],  # arrives late
        [_Window(d, day.start, early)],  # leaves early
        [_Window(d, first[0], cut), _Window(d, last[0], last[1])],  # away for a while
    ]
    return rng.choices(options, weights=(0.25, 0.25, 0.2, 0.2, 0.1))[0]


def _assign_constraints(spec: GeneratorSpec, days: list[_Day], people: list[_Person]) -> None:
    """Partial attendance, personal caps and cancellations; booth staff stay all event."""
    rng = _rng(spec, "constraints")
    all_slots = frozenset(i for d in days for i, _, _ in d.slots)
    same_hours = len({(d.start, d.end, d.blocks) for d in days}) == 1
    staff = [p for p in people if not p.table]
    for p in rng.sample(staff, min(len(staff), round(spec.partial_share * len(people)))):
        if len(days) > 1 and rng.random() < spec.one_day_share:
            day = rng.choice(days)
            p.windows = (_Window(day.index, day.start, day.end),)
        elif len(days) > 1 and not same_hours:
            busy = rng.choice(days)
            windows = []
            for day in days:
                if day is busy:
                    windows.extend(_partial_windows(rng, day, True, spec.slot_minutes))
                else:
                    windows.append(_Window(day.index, day.start, day.end))
            p.windows = tuple(windows)
        else:
            p.windows = tuple(_partial_windows(rng, days[0], False, spec.slot_minutes))
    for p in people:
        p.slots = _windows_slots(p.windows, days) if p.windows else all_slots
    lo, hi = spec.cap_range
    for p in rng.sample(people, round(spec.cap_share * len(people))):
        p.cap = rng.randint(lo, hi)
    featured = {name for name, _ in spec.featured}
    others = [p for p in people if p.name not in featured]
    for p in rng.sample(others, min(len(others), round(spec.cancelled_share * len(people)))):
        p.status = "cancelled"


# --- the wishes ----------------------------------------------------------------------------


@dataclass
class _WishRow:
    requester: int
    target: int
    time: float  # when it arrived, 0..1 over the registration period
    order: float  # position within one sitting
    priority: int = 2
    window: tuple[_Window, ...] = ()


def _quotas(weights: list[float], caps: list[int], total: int) -> list[int]:
    """Split `total` in proportion to `weights` without exceeding `caps` (water filling)."""
    n = len(weights)
    free = [i for i in range(n) if weights[i] > 0 and caps[i] > 0]
    if sum(caps[i] for i in free) < total:
        raise ValueError(
            f"cannot place {total} wishes: at most {sum(caps[i] for i in free)} fit "
            "under max_outgoing with these participants; lower wishes or raise max_outgoing"
        )
    share = [0.0] * n
    remaining = float(total)
    while free:
        scale = remaining / sum(weights[i] for i in free)
        full = {i for i in free if scale * weights[i] >= caps[i]}
        if not full:
            for i in free:
                share[i] = scale * weights[i]
            break
        for i in full:
            share[i] = float(caps[i])
            remaining -= caps[i]
        free = [i for i in free if i not in full]
    out = [min(caps[i], math.floor(share[i])) for i in range(n)]
    by_fraction = sorted(range(n), key=lambda i: share[i] - math.floor(share[i]), reverse=True)
    short = total - sum(out)
    for i in by_fraction * 2:
        if short <= 0:
            break
        if out[i] < caps[i] and weights[i] > 0:
            out[i] += 1
            short -= 1
    return out


def _make_wishes(spec: GeneratorSpec, days: list[_Day], orgs: list[_Org], people: list[_Person]) -> list[_WishRow]:
    """Who asks whom: activity-weighted requesters, popularity x role-affinity weighted targets."""
    rng = _rng(spec, "wishes")
    n = len(people)
    total_slots = sum(len(d.slots) for d in days)
    presence = [len(p.slots) / total_slots for p in people]
    popularity = [
        rng.lognormvariate(0.0, spec.popularity_sigma) * (0.4 + 0.6 * presence[i]) * (1.3 if people[i].table else 1.0)
        for i in range(n)
    ]
    activity = [
        0.0
        if rng.random() < spec.passive_share
        else rng.lognormvariate(0.0, spec.activity_sigma) * math.sqrt(presence[i]) * (0.6 if people[i].table else 1.0)
        for i in range(n)
    ]

    # How many people each person could ask at all (not a colleague, some common slot).
    by_pattern: Counter[frozenset[int]] = Counter(p.slots for p in people)
    by_org_pattern: Counter[tuple[int, frozenset[int]]] = Counter((p.org, p.slots) for p in people)
    reachable = []
    for p in people:
        others = sum(c for s, c in by_pattern.items() if not s.isdisjoint(p.slots))
        own = sum(c for (o, s), c in by_org_pattern.items() if o == p.org and not s.isdisjoint(p.slots))
        reachable.append(others - own)
    caps = [min(spec.max_outgoing, r) for r in reachable]
    quota = _quotas(activity, caps, spec.wishes)

    affinity = {(a, b): w for a, b, w in spec.role_affinity}
    cumulative: dict[str, list[float]] = {}
    for role in sorted({p.role for p in people}):
        acc, cw = 0.0, []
        for j in range(n):
            acc += popularity[j] * affinity.get((role, people[j].role), 1.0)
            cw.append(acc)
        cumulative[role] = cw
    everyone = range(n)
    pairs: set[tuple[int, int]] = set()
    remaining = list(quota)

    def draw(i: int, needs_quota: bool, tries: int) -> int | None:
        p = people[i]
        for _ in range(tries):
            for j in rng.choices(everyone, cum_weights=cumulative[p.role], k=8):
                if (
                    j != i
                    and people[j].org != p.org
                    and (i, j) not in pairs
                    and (j, i) not in pairs
                    and (not needs_quota or remaining[j] > 0)
                    and not p.slots.isdisjoint(people[j].slots)
                ):
                    return j
        return None

    sittings = [sorted(rng.random() for _ in range(1 + (rng.random() < 0.4) + (rng.random() < 0.15))) for _ in range(n)]
    rows: list[_WishRow] = []

    def add(i: int, j: int, t: float) -> None:
        pairs.add((i, j))
        remaining[i] -= 1
        rows.append(_WishRow(i, j, t, rng.random()))

    tickets = [i for i in range(n) for _ in range(quota[i])]
    rng.shuffle(tickets)
    mutual_needed = round(spec.wishes * spec.mutual_share / 2)
    for i in tickets:
        if remaining[i] <= 0:
            continue  # this ticket was spent answering someone's wish
        t = rng.choice(sittings[i])
        if mutual_needed > 0:
            target = draw(i, needs_quota=True, tries=6)
            if target is not None:
                add(i, target, t)
                add(target, i, min(0.999, t + rng.expovariate(12.0)))  # the answer comes later
                mutual_needed -= 1
                continue
        target = draw(i, needs_quota=False, tries=20)
        if target is not None:
            add(i, target, t)
    # Wishes that found no target (small, dense events): give them to active people with room,
    # answering an earlier wish when no fresh pair is left.
    sent = Counter(r.requester for r in rows)
    askers = [i for i in range(n) if activity[i] > 0]
    progress = True
    while len(rows) < spec.wishes and progress:
        progress = False
        rng.shuffle(askers)
        for i in askers:
            if len(rows) >= spec.wishes:
                break
            if sent[i] >= caps[i]:
                continue
            target = draw(i, needs_quota=False, tries=3)
            if target is None:
                asker = people[i]
                options = [
                    j
                    for j in range(n)
                    if j != i
                    and people[j].org != asker.org
                    and (i, j) not in pairs
                    and not asker.slots.isdisjoint(people[j].slots)
                ]
                target = rng.choice(options) if options else None
            if target is not None:
                add(i, target, rng.choice(sittings[i]))
                sent[i] += 1
                progress = True
    return rows


def _decorate_wishes(spec: GeneratorSpec, days: list[_Day], people: list[_Person], rows: list[_WishRow]) -> None:
    """Priorities, and a few per-wish windows that still leave the pair a common slot."""
    rng = _rng(spec, "priorities")
    for row in rows:
        row.priority = rng.choices((1, 2, 3), weights=spec.priority_shares)[0]
    same_hours = len({(d.start, d.end, d.blocks) for d in days}) == 1
    candidates: list[_Window] = []  # mornings or afternoons (every day when hours agree), whole days
    for day in days[:1] if same_hours else days:
        dated = None if same_hours else day.index
        candidates += [_Window(dated, b0, b1) for b0, b1 in day.blocks]
        if len(day.blocks) == 1:  # no break: split the day at its middle slot
            mid = day.slots[len(day.slots) // 2][1]
            candidates += [_Window(dated, day.start, mid), _Window(dated, mid, day.end)]
    if len(days) > 1:
        candidates += [_Window(day.index, day.start, day.end) for day in days]
    slots_of = [c.slots(days) for c in candidates]
    index = {(r.requester, r.target): r for r in rows}
    rng = _rng(spec, "windows")
    wanted = round(spec.wish_window_share * len(rows))
    for row in rng.sample(rows, len(rows)):
        if wanted <= 0:
            break
        common = people[row.requester].slots & people[row.target].slots
        other = index.get((row.target, row.requester))
        if other is not None and other.window:
            common &= _windows_slots(other.window, days)
        fitting = [
            c for c, s in zip(candidates, slots_of, strict=True) if len(s & common) >= 2 and not common <= s
        ]  # a real restriction, not a no-op
        if fitting:
            row.window = (rng.choice(fitting),)
            wanted -= 1


# --- files ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedEvent:
    """The three files of an event, as bytes, plus the facts a benchmark report wants."""

    event_toml: bytes
    participants_csv: bytes
    wishes_csv: bytes
    stats: dict[str, float] = field(default_factory=dict)


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _render_event(spec: GeneratorSpec) -> str:
    lines = [
        f"# Generated by benchmarks.generator: participants={spec.participants} wishes={spec.wishes} seed={spec.seed}",
        f"name = {_toml_string(spec.event_name)}",
        f"timezone = {_toml_string(spec.timezone)}",
        f"slot_minutes = {spec.slot_minutes}",
        f"tables = {spec.shared_tables}",
        "same_organisation_meetings = false",
        f"objective = {_toml_string(spec.objective)}",
    ]
    for plan, date in zip(spec.plans, spec.dates, strict=True):
        lines += ["", "[[days]]", f'date = "{date.isoformat()}"', f'start = "{plan.start}"', f'end = "{plan.end}"']
        if plan.breaks:
            lines.append("breaks = [" + ", ".join(_toml_string(b) for b in plan.breaks) + "]")
    return "\n".join(lines) + "\n"


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def build_event(spec: GeneratorSpec) -> GeneratedEvent:
    """Generate the event in memory; pure and deterministic in `spec`."""
    days = _grid(spec)
    if not any(d.slots for d in days):
        raise ValueError("the day plans leave no slot")
    orgs, people = _make_people(spec)
    _assign_booths(spec, orgs, people)
    _assign_constraints(spec, days, people)
    rows = _make_wishes(spec, days, orgs, people)
    _decorate_wishes(spec, days, people, rows)
    rows.sort(key=lambda r: (r.time, r.requester, r.order))

    header = [
        "id",
        "name",
        "organisation",
        "email",
        "role",
        "country",
        "available",
        "max_meetings",
        "status",
        "table",
    ] + (["sector"] if spec.sector_column else [])
    participant_rows = []
    for p in people:
        row: list[object] = [
            p.pid,
            p.name,
            orgs[p.org].name,
            p.email,
            p.role,
            p.country.name,
            _windows_text(p.windows, days),
            "" if p.cap is None else p.cap,
            p.status,
            p.table,
        ]
        participant_rows.append(row + ([p.sector] if spec.sector_column else []))
    wish_rows = [
        [people[r.requester].pid, people[r.target].pid, r.priority, _windows_text(r.window, days)] for r in rows
    ]
    keys = {(r.requester, r.target) for r in rows}
    incoming = Counter(r.target for r in rows)
    stats = {
        "participants": len(people),
        "wishes": len(rows),
        "mutual_share": sum((r.target, r.requester) in keys for r in rows) / max(1, len(rows)),
        "max_incoming": max(incoming.values(), default=0),
        "max_outgoing": max(Counter(r.requester for r in rows).values(), default=0),
        "partial_share": sum(bool(p.windows) for p in people) / len(people),
        "cap_share": sum(p.cap is not None for p in people) / len(people),
        "booth_share": sum(bool(p.table) for p in people) / len(people),
    }
    return GeneratedEvent(
        event_toml=_render_event(spec).encode("utf-8"),
        participants_csv=_csv(header, participant_rows),
        wishes_csv=_csv(["requester", "target", "priority", "window"], wish_rows),
        stats=stats,
    )


def write_event(out_dir: Path | str, spec: GeneratorSpec) -> Path:
    """Write event.toml, participants.csv and wishes.csv into `out_dir` (created if needed)."""
    return _write(Path(out_dir), build_event(spec))


def _write(folder: Path, generated: GeneratedEvent) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "event.toml").write_bytes(generated.event_toml)
    (folder / "participants.csv").write_bytes(generated.participants_csv)
    (folder / "wishes.csv").write_bytes(generated.wishes_csv)
    return folder


def generate_event(
    out_dir: Path | str,
    *,
    participants: int,
    wishes: int,
    seed: int,
    days: int = 1,
    slots_per_day: int = 17,
    name: str = "",
    objective: str = "maximise",
    **options: Any,
) -> Path:
    """Generate a realistic event folder; `options` are any further `GeneratorSpec` fields."""
    spec = GeneratorSpec(
        participants=participants,
        wishes=wishes,
        seed=seed,
        days=days,
        slots_per_day=slots_per_day,
        name=name,
        objective=objective,
        **options,
    )
    return write_event(out_dir, spec)


# --- the sample events in sample_events/ ---------------------------------------------------

SAMPLE_SPECS: dict[str, GeneratorSpec] = {
    "cluster-day": GeneratorSpec(
        participants=40,
        wishes=300,
        seed=2027,
        name="Latvian Wood & Furniture Cluster Day",
        timezone="Europe/Riga",
        start_date="2027-02-17",
        home_country="LV",
        home_share=0.8,
        countries=("LT", "EE", "FI", "SE", "DE", "PL"),
        roles=(("company", 0.7), ("researcher", 0.12), ("public body", 0.08), ("investor", 0.05), ("cluster", 0.05)),
        role_affinity=(("company", "company", 1.0), ("researcher", "company", 2.0), ("company", "investor", 2.5)),
        sectors=("Wood & Furniture",),
        featured=(("Jānis Bērziņš", "LV"),),
        tables=10,
        exhibitor_share=0.05,
        cap_share=0.15,
        partial_share=0.25,
    ),
    "buyer-seller-day": GeneratorSpec(
        participants=300,
        wishes=3500,
        seed=4511,
        name="Copenhagen Food & Agritech Buyer–Seller Day",
        timezone="Europe/Copenhagen",
        start_date="2027-03-10",
        home_country="DK",
        home_share=0.35,
        roles=(("buyer", 0.42), ("seller", 0.48), ("investor", 0.04), ("startup", 0.06)),
        sectors=("Food & Agritech", "Maritime & Logistics"),
        featured=(("Søren Dybdahl", "DK"),),
        cancelled_share=0.005,
    ),
    "open-networking": GeneratorSpec(
        participants=120,
        wishes=1400,
        seed=88,
        name="Baltic Sea Open Innovation Days",
        timezone="Europe/Tallinn",
        start_date="2027-05-19",
        home_country="EE",
        home_share=0.3,
        day_plans=(
            DayPlan("10:00", "17:00", ("12:20-13:20", "15:00-15:20")),
            DayPlan("09:00", "14:00", ("10:40-11:00", "12:20-13:00")),
        ),
        featured=(("Jānis Bērziņš", "LV"), ("Søren Dybdahl", "DK")),
        tables=28,
        exhibitor_share=0.08,
        one_day_share=0.55,
    ),
}

# --- benchmark shapes: events larger or stranger than the sample events --------------------

TRADE_EXCHANGE = "trade-exchange"


def trade_exchange_spec(seed: int = 2300) -> GeneratorSpec:
    """A tourism trade exchange (issue 13): 2,300 people, 26 % of them buyers, every seller at their
    own booth, 3 days x 28 appointments of 15 minutes, ~35 wishes a person (80,500 rows), with the
    heavy-tailed popularity of such events (a few buyers asked for by hundreds of sellers).

    Buyers come for the whole exchange but a few (partial_share); sellers staff their booth all
    three days. Wishes go buyer <-> seller: two buyers or two sellers rarely ask for each other,
    so the shared tables (for buyer-buyer meetings) are few."""
    return GeneratorSpec(
        participants=2300,
        wishes=80_500,
        seed=seed,
        days=3,
        slots_per_day=28,
        slot_minutes=15,
        name="Nordic Tourism Trade Exchange",
        timezone="Europe/Oslo",
        start_date="2027-04-20",
        tables=30,
        home_country="NO",
        home_share=0.3,
        roles=(("buyer", 0.275), ("seller", 0.725)),
        role_affinity=(
            ("buyer", "seller", 6.0),
            ("seller", "buyer", 8.0),
            ("buyer", "buyer", 0.05),
            ("seller", "seller", 0.05),
        ),
        sectors=("Tourism & Travel",),
        partial_share=0.04,
        cap_share=0.10,
        cap_range=(20, 60),
        exhibitor_share=1.0,  # every seller organisation has a booth, one label per delegate
        exhibitor_roles=("seller",),
        popularity_sigma=1.1,
        max_outgoing=120,
    )


SHAPE_SPECS: dict[str, GeneratorSpec] = {TRADE_EXCHANGE: trade_exchange_spec()}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write one generated or sample event folder and say what it holds."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generator", description="Write a generated B2B event folder."
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--sample", choices=sorted(SAMPLE_SPECS), help="write one of the pinned sample events instead")
    parser.add_argument("--shape", choices=sorted(SHAPE_SPECS), help="write one of the pinned benchmark shapes instead")
    parser.add_argument("--participants", type=int)
    parser.add_argument("--wishes", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--slots-per-day", type=int, default=17)
    parser.add_argument("--name", default="")
    parser.add_argument("--objective", choices=("maximise", "all"), default="maximise")
    args = parser.parse_args(argv)
    if args.sample:
        spec = SAMPLE_SPECS[args.sample]
    elif args.shape:
        spec = SHAPE_SPECS[args.shape]
    else:
        if args.participants is None or args.wishes is None:
            parser.error("--participants and --wishes are required (or use --sample)")
        try:
            spec = GeneratorSpec(
                participants=args.participants,
                wishes=args.wishes,
                seed=args.seed,
                days=args.days,
                slots_per_day=args.slots_per_day,
                name=args.name,
                objective=args.objective,
            )
        except ValueError as exc:
            parser.error(str(exc))
    started = time.perf_counter()
    try:
        generated = build_event(spec)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    folder = _write(args.out_dir, generated)
    took = time.perf_counter() - started
    s = generated.stats
    print(
        f"wrote {folder}: {s['participants']:.0f} participants, {s['wishes']:.0f} wishes "
        f"({s['mutual_share']:.0%} mutual, max {s['max_incoming']:.0f} asking for one person), "
        f"{s['partial_share']:.0%} partial, {s['cap_share']:.0%} capped, {s['booth_share']:.0%} at booths "
        f"in {took:.2f} s"
    )
    return 0


__all__ = [
    "COUNTRIES",
    "SAMPLE_SPECS",
    "SHAPE_SPECS",
    "TRADE_EXCHANGE",
    "DayPlan",
    "GeneratedEvent",
    "GeneratorSpec",
    "build_event",
    "default_day_plan",
    "generate_event",
    "main",
    "trade_exchange_spec",
    "write_event",
]

if __name__ == "__main__":
    sys.exit(main())
