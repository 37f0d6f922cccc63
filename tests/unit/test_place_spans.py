"""Short answers to where- and which-place questions: a place name, whole, of the asked kind; never a demonym."""

from __future__ import annotations

import pytest

from newsdesk.text.names import demonym, place_kind
from rag.focus import profile_question
from rag.spans import asked_place_kind, find_short_answer, typed_spans


def _short(question: str, sentence: str) -> str | None:
    span = find_short_answer(profile_question(question, lambda w: 1.0), sentence)
    return sentence[span[0] : span[1]] if span else None


@pytest.mark.parametrize(
    "question, sentence, short",
    [
        # A nationality adjective names no place; the territory with its noun is the answer.
        (
            "Where were troops advancing when the president landed?",
            "He landed in the Chinese capital as his troops defend against advances in the north-eastern Kharkiv "
            "region.",
            "Kharkiv region",
        ),
        ("Where did the delegation travel?", "The South Korean delegation travelled to Busan.", "Busan"),
        # A country written as its state is one place, wherever it stands in the sentence.
        (
            "Which African country did the ministry call a key priority?",
            "The ministry said the partnership with the Republic of Congo remains a key priority.",
            "Republic of Congo",
        ),
        # A known country or capital is a place without a preposition before it.
        ("Which country backed the plan?", "North Korea has backed the plan with its own soldiers.", "North Korea"),
        ("Which country does the champion come from?", "Romania's Simona Halep won the title.", "Romania"),
        # A facility name is kept whole, even when the question says its head noun.
        (
            "Which stadium hosted the final?",
            "The final was played at Raymond James Stadium in Tampa.",
            "Raymond James Stadium",
        ),
        (
            "Where did the two leaders meet?",
            "The meeting took place at the Diaoyutai State Guest House, shortly after a reception.",
            "Diaoyutai State Guest House",
        ),
        (
            "At which venue is the tournament played?",
            "It runs through Sunday at the USTA Billie Jean King National Tennis Center.",
            "USTA Billie Jean King National Tennis Center",
        ),
        # A US town is named with its state.
        ("Which town is the rider from?", "Durango, Colorado, native Sepp Kuss won the stage.", "Durango, Colorado"),
        # A name after a compass adjective is a place.
        ("Which town's centre was targeted?", "Drones were launched against central Kupyansk.", "Kupyansk"),
    ],
)
def test_a_place_answer_is_a_whole_place_name_never_a_demonym(question, sentence, short):
    assert _short(question, sentence) == short


@pytest.mark.parametrize(
    "question, sentence, short",
    [
        # "Which country": a country over a city; "which capital": a capital over a country.
        (
            "Which country did the leader visit after the summit?",
            "After the summit in Tianjin he flew on to Vietnam.",
            "Vietnam",
        ),
        (
            "Apart from Beijing, which capital's ties with Moscow did the trip show deepening?",
            "The trip underscored deepening ties with Beijing and Pyongyang amid fighting in Ukraine.",
            "Pyongyang",
        ),
        # "Which venue": a facility over the city it stands in.
        (
            "Which venue hosted the ceremony?",
            "The ceremony was held in Paris at the Stade de France Stadium.",
            "Stade de France Stadium",
        ),
        # "Which city hosted ...?" asks for the doer, not the city something happened in.
        (
            "Which city hosted the games in 2008?",
            "Beijing was elected as the host city for the 2008 games during the IOC session in Moscow.",
            "Beijing",
        ),
    ],
)
def test_a_which_place_answer_is_of_the_asked_kind(question, sentence, short):
    assert _short(question, sentence) == short


def test_a_place_of_another_kind_than_the_asked_one_is_no_answer():
    profile = profile_question("Which city hosted the final?", lambda w: 1.0)
    assert typed_spans(profile, "The final was played in Florida.") == []
    # A capital may stand for its country's government ("Beijing's stance").
    country = profile_question("Which country says its position is impartial?", lambda w: 1.0)
    assert [s.text for s in typed_spans(country, "Officials reiterated Beijing's stance.")] == ["Beijing"]


@pytest.mark.parametrize(
    "sentence",
    [
        "The Russian leader attended the parade.",
        "Leaders from major Western European nations were absent.",
        "He spoke to President Vladimir Putin about it.",
        "Talks were held in May, according to Reuters.",
        "In addition to Putin, the leaders attended.",
        "Talks opened in Summer 2022.",
        # An organisation's acronym, a name describing the noun after it, the owner of a place.
        "More stories came from DW.",
        "Leaders took part in the Victory Day parade.",
        "The deal was hashed out in Mark Zuckerberg's house.",
    ],
)
def test_demonyms_people_months_and_organisations_are_no_places(sentence):
    assert typed_spans(profile_question("Where were the talks held?", lambda w: 1.0), sentence) == []


def test_place_words():
    assert demonym("Chinese") and demonym("South Korean") and demonym("Western European") and demonym("Russian-held")
    assert not demonym("Kharkiv") and not demonym("Munich") and not demonym("Georgia")
    assert place_kind("Republic of Congo") == "country" and place_kind("the Kharkiv region") == "region"
    assert place_kind("Pyongyang") == "city" and place_kind("Tiananmen Square") == "facility"
    assert place_kind("Asia") == "continent" and place_kind("Vladimir Putin") is None
    assert asked_place_kind("In which city was the summit?") == "city"
    assert asked_place_kind("Which two countries sent envoys?") == "country"
    assert asked_place_kind("Where was the summit?") is None


def test_a_place_answer_sits_by_what_the_question_says_of_it_not_by_the_names_it_holds():
    question = "Which country did the Kremlin call a key priority?"
    sentence = "The Kremlin said that Russia’s partnership with the Republic of Congo remains a key priority, alongside ties with India."
    assert _short(question, sentence) == "Republic of Congo"


def test_a_town_is_joined_to_its_state_but_a_person_is_not():
    profile = profile_question("Where were the talks held?", lambda w: 1.0)
    assert [s.text for s in typed_spans(profile, "Player of the Year: Baker Mayfield, Oklahoma.")] == ["Oklahoma"]
    assert [s.text for s in typed_spans(profile, "Wayne, Pennsylvania, is its home.")] == ["Wayne, Pennsylvania"]
