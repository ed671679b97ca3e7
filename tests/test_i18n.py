"""Agenda languages: how a language is named in the files, which one a person gets, dates and
times in each locale's conventions, and the Jinja2 hook (scheduler/i18n)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from jinja2 import DictLoader, Environment

from scheduler.domain import Event
from scheduler.i18n import LANGUAGES, dates, parse_language, rendering, translations, using
from scheduler.i18n.phrases import table_name
from scheduler.io.loading import load_event_bytes
from scheduler.problems import EventError

TOML = """\
name = "Pôle day"
slot_minutes = 20
tables = 2
{extra}
[[days]]
date = "2027-02-17"
start = "09:00"
end = "12:00"
"""
PEOPLE = "id,name,language\na,Anna,fr\nb,Bert,{b}\nc,Cleo,\n"
WISHES = "requester,target\na,b\n"
DAY = dt.date(2027, 2, 17)  # a Wednesday


Warned = list[tuple[str, int | None, str | None]]  # (code, row, column)


def load(people: str = PEOPLE.format(b="DE"), extra: str = "") -> tuple[Event, Warned]:
    loaded = load_event_bytes(TOML.format(extra=extra).encode(), people.encode(), WISHES.encode())
    return loaded.event, [(w.code, w.row, w.column) for w in loaded.warnings]


@pytest.mark.parametrize(
    ("text", "code"),
    [("fr", "fr"), ("FR", "fr"), ("fr-FR", "fr"), ("fr_fr", "fr"), (" lv ", "lv"), ("pl-PL", "pl"), ("en-GB", "en")],
)
def test_a_language_is_an_iso_code_in_any_case_with_an_optional_region(text: str, code: str) -> None:
    assert parse_language(text) == code


@pytest.mark.parametrize("text", ["", "French", "xx", "ru", "f", "fr-", "fr FR", "français"])
def test_anything_else_names_no_language(text: str) -> None:
    assert parse_language(text) is None


def test_a_person_gets_their_own_language_else_the_events() -> None:
    event, warnings = load(extra='language = "lv-LV"')
    assert warnings == []
    assert event.language == "lv"
    people = event.participants
    assert [people[p].language for p in "abc"] == ["fr", "de", None]
    assert [event.language_of(p) for p in "abc"] == ["fr", "de", "lv"]


def test_english_is_the_default_without_a_setting() -> None:
    event, _ = load()
    assert event.language == "en" and event.language_of("c") == "en"


def test_an_unknown_language_is_a_warning_naming_file_row_and_column_and_falls_back() -> None:
    event, warnings = load(PEOPLE.format(b="Klingon"), extra='language = "sv"')
    assert warnings == [("unknown_language", 3, "language")]
    assert event.participants["b"].language is None and event.language_of("b") == "sv"


def test_the_column_has_aliases_and_is_matched_like_other_headers() -> None:
    event, _ = load("id,name,Lang\na,Anna,fi\nb,Bert,\nc,Cleo,\n")
    assert event.language_of("a") == "fi"


@pytest.mark.parametrize("value", ['"French"', '"xx"', "3", '""'])
def test_the_events_language_must_be_supported(value: str) -> None:
    with pytest.raises(EventError) as info:
        load(extra=f"language = {value}")
    (problem,) = info.value.errors
    assert (problem.file, problem.row, problem.column) == ("event.toml", 4, "language")
    assert "ISO 639-1" in problem.message and "fr" in problem.message


@pytest.mark.parametrize(
    ("language", "day"),
    [
        ("fr", "mercredi 17 février 2027"),
        ("de", "Mittwoch, 17. Februar 2027"),
        ("lv", "trešdiena, 2027. gada 17. februāris"),
        ("pl", "środa, 17 lutego 2027"),
        ("en", "Wednesday 17 February 2027"),
    ],
)
def test_dates_follow_the_locale(language: str, day: str) -> None:
    assert dates.long_date(DAY, language) == day


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_times_are_24_hour_in_every_language(language: str) -> None:
    text = dates.time_range(dt.time(9, 0), dt.time(14, 20), language)
    assert "14" in text and "2:20" not in text and "PM" not in text.upper()
    assert text.endswith(("14:20", "14.20"))


def test_finnish_and_danish_write_times_with_a_dot() -> None:
    assert dates.time_of_day(dt.time(9, 5), "fi") == "9.05"
    assert dates.time_of_day(dt.time(9, 5), "da") == "09.05"


def test_catalogues_translate_and_english_is_the_source() -> None:
    assert translations("fr").gettext("Language") == "Langue"
    assert translations("en").gettext("Language") == "Language"
    assert table_name("7", "de") == "Tisch 7" and table_name("Booth 7a", "de") == "Booth 7a"
    with pytest.raises(ValueError):
        translations("xx")


def _env(templates: dict[str, str]) -> Environment:
    env = Environment(loader=DictLoader(templates), autoescape=True)
    rendering.install(env)
    return env


def test_templates_render_in_the_language_of_the_block_including_imported_macros() -> None:
    env = _env(
        {
            "page.html": '{% import "m.html" as m %}{% trans %}Language{% endtrans %}|{{ m.lang() }}|{{ day | date }}'
            "|{{ t | hm }}|{{ _('Table %(label)s', label=label) }}",
            "m.html": "{% macro lang() %}{{ _('Language') }}{% endmacro %}",
        }
    )
    page = env.get_template("page.html")
    context = {"day": DAY, "t": dt.time(13, 40), "label": "<b>"}
    with using("fr"):
        assert page.render(context) == "Langue|Langue|mercredi 17 février 2027|13:40|Table &lt;b&gt;"
    with using("fi"):
        assert page.render(context) == "Kieli|Kieli|keskiviikko 17. helmikuuta 2027|13.40|Pöytä &lt;b&gt;"
    assert page.render(context).startswith("Language|Language|Wednesday 17 February 2027|13:40")


def test_concurrent_renders_keep_their_own_language() -> None:
    env = _env({"p.html": "{% for i in range(200) %}{{ _('Language') }} {% endfor %}"})
    results: dict[str, set[str]] = {}

    def render(language: str) -> None:
        with using(language):
            results[language] = set(env.get_template("p.html").render().split())

    threads = [threading.Thread(target=render, args=(code,)) for code in ("de", "pl", "sv", "et")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"de": {"Sprache"}, "pl": {"Język"}, "sv": {"Språk"}, "et": {"Keel"}}


def test_the_language_switch_links_every_other_language_and_marks_the_current_one() -> None:
    from scheduler.export.html import TEMPLATES_DIR

    env = _env({"_languages.html": (TEMPLATES_DIR / "_languages.html").read_text(encoding="utf-8")})
    links = {code: f"?lang={code}" for code in LANGUAGES}
    with using("lv"):
        html = env.get_template("_languages.html").render(language_links=links)
    assert 'aria-label="Valoda"' in html
    assert '<span lang="lv" aria-current="true">Latviešu</span>' in html
    assert html.count("<a ") == len(LANGUAGES) - 1 and 'href="?lang=fr" hreflang="fr"' in html
