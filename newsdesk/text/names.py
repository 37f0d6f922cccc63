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


# Places: what a where- or which-place answer can be. General world knowledge, lowercase.
_OTHER_COUNTRIES = """andorra, antigua and barbuda, bahamas, barbados, belize, benin, bhutan, botswana, brunei,
burkina faso, burundi, cape verde, central african republic, chad, comoros, congo, costa rica, djibouti, dominica,
dominican republic, democratic republic of congo, democratic republic of the congo, east timor, timor-leste, ecuador,
el salvador, equatorial guinea, eritrea, eswatini, fiji, gabon, gambia, grenada, guatemala, guinea, guinea-bissau,
guyana, haiti, honduras, ivory coast, jamaica, kiribati, kosovo, lesotho, liberia, liechtenstein, luxembourg,
madagascar, malawi, maldives, malta, mauritania, mauritius, micronesia, monaco, montenegro, mozambique, namibia,
nauru, nicaragua, niger, north macedonia, macedonia, palau, palestine, panama, papua new guinea, paraguay, rwanda,
samoa, san marino, senegal, seychelles, sierra leone, singapore, solomon islands, south sudan, suriname, togo, tonga,
trinidad and tobago, tuvalu, vanuatu, vatican, zambia, england, scotland, wales, northern ireland, great britain,
united arab emirates, uae, us, u.s., usa, u.s.a., uk, u.k., america, holland, czech republic, bosnia and herzegovina"""
COUNTRIES = frozenset(CAPITALS) | frozenset(n.strip() for n in " ".join(_OTHER_COUNTRIES.split()).split(","))
_US_STATES = """alabama, alaska, arizona, arkansas, california, colorado, connecticut, delaware, florida, georgia, hawaii,
idaho, illinois, indiana, iowa, kansas, kentucky, louisiana, maine, maryland, massachusetts, michigan, minnesota,
mississippi, missouri, montana, nebraska, nevada, new hampshire, new jersey, new mexico, new york, north carolina,
north dakota, ohio, oklahoma, oregon, pennsylvania, rhode island, south carolina, south dakota, tennessee, texas, utah,
vermont, virginia, washington, west virginia, wisconsin, wyoming"""
US_STATES = frozenset(n.strip() for n in " ".join(_US_STATES.split()).split(","))
CONTINENTS = frozenset(
    n.strip()
    for n in """africa, asia, europe, north america, south america, latin america, central america, antarctica, oceania,
    middle east, central asia, southeast asia, south asia, east asia, eastern europe, western europe, the balkans,
    balkans, caucasus, scandinavia, the arctic, arctic, the pacific, the atlantic""".split(",")
)
# Head nouns that make a capitalised phrase a territory ("Belgorod Region", "Hebei Province", "Republic of Congo")
# or a facility ("Tiananmen Square", "Diaoyutai State Guest House", "Arthur Ashe Stadium").
TERRITORY_HEADS = frozenset(
    """region regions province provinces oblast krai okrug county district districts prefecture governorate
    territory territories peninsula island islands valley coast basin strait sea ocean river lake mountains desert
    republic kingdom emirate federation canton municipality borough""".split()
)
FACILITY_HEADS = frozenset(
    """square stadium arena hall house palace building tower centre center airport station port harbour harbor base
    park gardens garden museum hotel cathedral church mosque temple embassy bridge street avenue road plaza theatre
    theater court field dome gate monument memorial campus headquarters pavilion complex venue auditorium""".split()
)
SETTLEMENT_HEADS = frozenset("city town village".split())
# A country's name written as its state ("Republic of Congo", "Kingdom of Saudi Arabia").
_STATE_OF = re.compile(
    r"(?:(?:democratic|people's|islamic|federal|united|arab)\s+)*"
    r"(?:republic|kingdom|federation|emirate|sultanate|principality|commonwealth|grand duchy)\s+of\s+\S.*"
)
# Nationality and regional adjectives: "Chinese", "South Korean", "Western European" describe; they name no place.
DEMONYMS = frozenset(
    """afghan albanian algerian american angolan argentine argentinian armenian australian austrian azerbaijani
    bahraini bangladeshi belarusian belgian bolivian bosnian brazilian british bulgarian burmese cambodian cameroonian
    canadian chilean chinese colombian congolese croatian cuban cypriot czech danish dutch egyptian emirati english
    eritrean estonian ethiopian filipino finnish french georgian german ghanaian greek hungarian icelandic indian
    indonesian iranian iraqi irish israeli italian ivorian jamaican japanese jordanian kazakh kenyan korean kosovar
    kuwaiti kyrgyz lao latvian lebanese libyan lithuanian malaysian malian maltese mexican moldovan mongolian moroccan
    nepali nepalese nigerian norwegian omani pakistani palestinian peruvian polish portuguese qatari romanian russian
    rwandan saudi scottish senegalese serbian singaporean slovak slovenian somali spanish sudanese swedish swiss
    syrian taiwanese tajik tanzanian thai tunisian turkish turkmen ugandan ukrainian uruguayan uzbek venezuelan
    vietnamese welsh yemeni zambian zimbabwean african asian european arab arabic latin soviet nordic baltic balkan
    scandinavian caucasian persian kurdish sino anglo""".split()
)
_COMPASS = frozenset(
    """north south east west northern southern eastern western central north-eastern north-western south-eastern
    south-western northeastern northwestern southeastern southwestern far middle""".split()
)


def demonym(phrase: str) -> bool:
    """ "Chinese", "South Korean", "Western European", "Russian-held", "Western": an adjective of nationality,
    region or direction."""
    found = [w.strip(".,") for w in phrase.lower().replace("’", "'").split()]
    if not found:
        return False
    found[-1] = re.sub(r"-(?:held|led|backed|controlled|occupied|born|made|based|speaking|american)$", "", found[-1])
    return all(w in DEMONYMS or w in _COMPASS for w in found)


def place_kind(phrase: str) -> str | None:
    """country | city | region | continent | facility for a phrase that names a known place or ends in a place
    head noun ("Kharkiv region", "Tiananmen Square"); None for any other phrase."""
    low = " ".join(phrase.lower().replace("’", "'").split())
    low = re.sub(r"^the\s+", "", low)
    if not low:
        return None
    last = low.split()[-1]
    if low in COUNTRIES or _STATE_OF.fullmatch(low):
        return "country"
    if low in CONTINENTS:
        return "continent"
    if low in COUNTRY_OF_CAPITAL or last in SETTLEMENT_HEADS:
        return "city"
    if low in US_STATES or (last in TERRITORY_HEADS and " " in low):
        return "region"
    if last in FACILITY_HEADS and " " in low:
        return "facility"
    return None
