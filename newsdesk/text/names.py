"""Capitalised names in English text, the titles that introduce them, and what is plausibly a person."""

from __future__ import annotations

import re

# A run of capitalised words (or acronyms), allowing lower-case particles inside: "Republic of Congo", "bin Salman".
# Letters of any Latin alphabet ("Pogačar", "Đoković"); a name starts with a capital.
_CAPITAL = r"[A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ]"
_NAME_WORD = _CAPITAL + r"(?:[^\W\d_]|['’\-])+|[A-Z]{2,}"
# An initial ("J. F. Lawton", "John C. Bogle") belongs to the name it precedes; "U.S." holds no initial.
_INITIAL = r"(?<![\w.])[A-Z]\.(?=\s+" + _CAPITAL + ")"
NAME = re.compile(
    rf"(?:(?:{_INITIAL}\s+)*{_NAME_WORD})(?:\s+(?:{_NAME_WORD}|{_INITIAL}|of|de|al|bin|von|van))*(?<!\s(?:of|de|al))"
)
# Capitalised words of at least three letters not at the start of the text: names mentioned in a claim.
MENTIONED_NAME = re.compile(r"(?<!^)\b[A-Z][a-z]{2,}\b")

TITLES = (
    "President", "Minister", "leader", "spokesperson", "spokesman", "spokeswoman", "aide", "Chancellor", "Premier",
    "Secretary", "counterpart", "ombudswoman", "ombudsman", "chief", "agency", "broadcaster", "media", "Prime Minister",
    "CEO", "chairman", "chairwoman", "governor", "mayor", "ambassador", "envoy", "general", "commander", "director",
    "head", "official", "prosecutor", "judge", "King", "Queen", "Prince", "Senator", "Representative", "coach",
)  # fmt: skip
TITLED_NAME = re.compile(r"\b(?:" + "|".join(TITLES) + r")\s+((?:(?:[A-Z][a-zA-Z'’\-]+|[A-Z]\.(?=\s+[A-Z]))\s?){1,4})")
TITLE_BEFORE = re.compile(r"\b(?:" + "|".join(TITLES) + r")\s+$")

# Capitalised words that make a phrase a title, team, event or place rather than a person's name.
NOT_A_PERSON = frozenset(
    """the while after before team open united states big tech player year watch award cup championship league club
group inc co company corp platform platforms news media house state government ministry university party world
international national republic war day week month""".split()
)


def plausible_person(value: str) -> bool:
    """A person (or organisation) answer is a short name, not a title, team, event or place."""
    found = value.lower().replace("’", "'").split()
    return 1 <= len(found) <= 4 and not any(w.strip(".,'") in NOT_A_PERSON for w in found)


def trim_leading_non_name(value: str) -> str:
    """'While Meta' -> 'Meta': a sentence-initial capitalised word is not part of the name."""
    found = value.split()
    while len(found) > 1 and found[0].lower() in NOT_A_PERSON:
        found = found[1:]
    return " ".join(found)


# Countries and their capitals: news names a government by its capital ("Beijing said", "ties between Moscow
# and Pyongyang"), so either name may stand for the other. General world knowledge, lowercase.
_CAPITAL_PAIRS = """afghanistan:kabul, albania:tirana, algeria:algiers, angola:luanda, argentina:buenos aires,
armenia:yerevan, australia:canberra, austria:vienna, azerbaijan:baku, bahrain:manama, bangladesh:dhaka,
belarus:minsk, belgium:brussels, bolivia:la paz, bosnia:sarajevo, brazil:brasilia, bulgaria:sofia,
cambodia:phnom penh, cameroon:yaounde, canada:ottawa, chile:santiago, china:beijing, colombia:bogota,
croatia:zagreb, cuba:havana, cyprus:nicosia, czechia:prague, denmark:copenhagen, egypt:cairo, estonia:tallinn,
ethiopia:addis ababa, finland:helsinki, france:paris, georgia:tbilisi, germany:berlin, ghana:accra, greece:athens,
hungary:budapest, iceland:reykjavik, india:new delhi, indonesia:jakarta, iran:tehran, iraq:baghdad, ireland:dublin,
israel:jerusalem, italy:rome, japan:tokyo, jordan:amman, kazakhstan:astana, kenya:nairobi, north korea:pyongyang,
south korea:seoul, kuwait:kuwait city, kyrgyzstan:bishkek, laos:vientiane, latvia:riga, lebanon:beirut,
libya:tripoli, lithuania:vilnius, malaysia:kuala lumpur, mali:bamako, mexico:mexico city, moldova:chisinau,
mongolia:ulaanbaatar, morocco:rabat, myanmar:naypyidaw, nepal:kathmandu, netherlands:amsterdam,
new zealand:wellington, nigeria:abuja, norway:oslo, oman:muscat, pakistan:islamabad, peru:lima, philippines:manila,
poland:warsaw, portugal:lisbon, qatar:doha, romania:bucharest, russia:moscow, saudi arabia:riyadh, serbia:belgrade,
slovakia:bratislava, slovenia:ljubljana, somalia:mogadishu, south africa:pretoria, spain:madrid, sri lanka:colombo,
sudan:khartoum, sweden:stockholm, switzerland:bern, syria:damascus, taiwan:taipei, tajikistan:dushanbe,
tanzania:dodoma, thailand:bangkok, tunisia:tunis, turkey:ankara, turkmenistan:ashgabat, uganda:kampala,
ukraine:kyiv, united kingdom:london, britain:london, united states:washington, uruguay:montevideo,
uzbekistan:tashkent, venezuela:caracas, vietnam:hanoi, yemen:sanaa, zimbabwe:harare, republic of congo:brazzaville"""
CAPITALS: dict[str, str] = dict(
    (country.strip(), capital.strip())
    for country, capital in (pair.split(":") for pair in " ".join(_CAPITAL_PAIRS.split()).split(", "))
)
COUNTRY_OF_CAPITAL: dict[str, str] = {}
for _country, _capital in CAPITALS.items():
    COUNTRY_OF_CAPITAL.setdefault(_capital, _country)


def capital_of_each_other(a: str, b: str) -> bool:
    """One lowercase name is the other's capital ("china" / "beijing"): either may stand for the other."""
    return CAPITALS.get(a) == b or CAPITALS.get(b) == a


def stood_for_by(name: str) -> str | None:
    """The capital of a country, or the country of a capital (lowercase); None for any other name."""
    return CAPITALS.get(name) or COUNTRY_OF_CAPITAL.get(name)
