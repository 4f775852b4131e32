"""Street addresses in the formats of many countries, judged by shape, vocabulary and context.

A street address is found around a *street type* (``Street``, ``rue``, ``Calle``, ``Straße``,
``-straat``, ``Cad.``...), a *postcode* or a *context word*, and covers the whole address so that
masking leaves nothing of it readable:

- the house number before the street (``123 Main St``, ``12 rue de la Paix``, ``12, avenue des
  Champs-Élysées``) or after it (``Hauptstraße 12a``, ``Calle Mayor 5``, ``ul. Marszałkowska
  84/92``, ``Av. Paulista, 1578``, ``Atatürk Cad. No: 12``, ``Carrera 7 # 32-16``);
- a secondary unit before (``Flat 2, 10 Downing Street``) or after it (``Apt 4``, ``Suite 200``,
  ``3º B``, ``D: 3``, ``m. 5``, ``2. th.``);
- the postal line (``75002 Paris``, ``D-10115 Berlin``, ``Springfield, IL 62704``, ``London SW1A
  2AA``, ``Toronto ON M5V 3L9``, ``00-950 Warszawa``, ``São Paulo - SP, 01310-100``), then up to
  three ``, Place`` parts and up to four lines that read as lines of an address (locality, city,
  region, postcode, country), and "City, " parts written before the street at the start of a line;
- post-office boxes (``PO Box 1234``, ``Postfach 12 34``, ``Apartado de Correos 45``, ``BP 123``),
  rural routes and US military addresses (``RR 2 Box 152``, ``PSC 1234, Box 5678``, ``APO AE 09001``);
- a street without a type word (``Vodičkova 681/14``, ``1234 Alder``) only before a postal line
  or right after a context word.

The vocabularies come from published address formats: the USPS street suffixes (Publication 28,
appendix C1), secondary unit designators (C2) and rural and military formats, Canada Post's and
Royal Mail's thoroughfare types, and the street types and postcodes of the UPU's address formats
for Europe, Latin America, Turkey, Australia and India.

Scores (the default threshold is 0.5):

- house number + name + a street type that almost only names streets (``Street``, ``Avenue``,
  ``rue``, ``Calle``, ``-straße``, ``-gatan``...): 0.6;
- the same with a USPS type that is also an ordinary noun (``Mountain``, ``Park``, ``Station``,
  ``Center``...): 0.5, but 0.35 when the number counts things (``the 5 Great Lakes``) or a name
  word is an ordinary noun of business text (``311 Contact Center``, ``2019 Summer Camp``); a weak
  type before the name (``Plaza Hotel 3``, ``via Amazon 2``, ``Am Markt 3``): 0.35;
- a street without house number, or a number and a name without type: 0.25; a postal line alone
  (``10115 Berlin``) 0.3; a unit alone (``Apt. 4B``): 0.35; a house number alone or a street type
  alone: nothing at all;
- raised by a postcode line after the street (+0.3; a ``City, ST`` line without code +0.15), a
  secondary unit (+0.15) and a context word in the 48 characters before it (+0.3: ``address``,
  ``lives at``, ``moved to``, ``ship to``, ``mailing``, ``residence``, ``Anschrift``,
  ``dirección``, ``indirizzo``, ``endereço``, ``adres``...).

A US city + state + ZIP or a Canadian postal code on its own stays with the ``US_ZIP`` and
``CA_POSTAL_CODE`` recognizers. Bounded: one linear pass over the words, the digit runs and the
context words of a text; at most ``MAX_CANDIDATES`` street types, ``MAX_CANDIDATES`` postcodes
and ``MAX_CANDIDATES`` context words looked at, each within a window of a few hundred characters.

    >>> text = "Please ship to 12 rue de la Paix, 75002 Paris by Friday."
    >>> [text[s:e] for s, e, score in find_addresses(text) if score >= 0.5]
    ['12 rue de la Paix, 75002 Paris']
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from auditor.data.address_blocks import find_address_blocks
from auditor.data.names import STOP
from auditor.data.span_recognizer import span_recognizer

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer

ENTITY = "STREET_ADDRESS"
MAX_CANDIDATES = 64  # street types, and postcodes, looked at per text: a hostile cell costs no more
MIN_SCORE = 0.3  # below this a candidate is not reported at all (it could never reach a threshold)
CONFIDENT = 0.5  # the default STREET_ADDRESS threshold: such candidates win overlaps with weaker ones

STRONG, WEAK, WEAK_NUMBERED, UNNUMBERED, UNTYPED, POSTAL_ONLY, PO_STRONG = 0.6, 0.35, 0.5, 0.25, 0.35, 0.3, 0.7
POSTCODE_BOOST, REGION_BOOST, UNIT_BOOST, CONTEXT_BOOST, MAX_SCORE = 0.3, 0.15, 0.15, 0.3, 0.95


def _words(*groups: str) -> frozenset[str]:
    return frozenset(w for g in groups for w in g.split())


# --- street types ---------------------------------------------------------------------------
# After the name, house number before it (USPS C1, Canada Post, Royal Mail). Strong: words that
# after "<number> <Name>" almost always name a street.
_S_STRONG = _words(
    "street st avenue ave av boulevard blvd boul road rd drive dr drv lane ln court ct crescent cres cresc",
    "terrace ter terr parkway pkwy pky circle cir crcl highway hwy expressway expy expwy freeway fwy turnpike",
    "tpke motorway mtwy causeway cswy bypass byp trail trl place pl plaza plz square sq alley aly mews close",
    "grove grv gardens gdns heights hts crossing xing crossroad crossroads xrd xrds way wy esplanade promenade",
    "prom parade pde embankment wynd skyway stravenue stra throughway trwy trafficway trfy sideroad broadway",
    "circus rue")
# Also ordinary nouns of business text ("311 Contact Center", "3 Union Station"): a weak match.
_S_WEAK = _words(
    "annex arcade bayou beach bend bluff bluffs bottom branch bridge brook brooks burg burgs camp canyon cape",
    "center centers circles cliff cliffs club common commons corner corners course courts cove coves creek crest",
    "curve dale dam divide drives estate estates extension extensions fall falls ferry field fields flat flats",
    "ford fords forest forge forges fork forks fort garden gateway glen glens green greens groves harbor harbors",
    "harbour haven hill hills hollow inlet island islands isle junction junctions key keys knoll knolls lake",
    "lakes land landing light lights loaf lock locks lodge loop mall manor manors meadow meadows mill mills",
    "mission mount mountain mountains neck orchard oval overpass park parks parkways pass passage path pike",
    "pine pines plain plains point points port ports prairie radial ramp ranch rapid rapids rest ridge ridges",
    "river roads route row run shoal shoals shore shores spring springs spur spurs squares station stream",
    "streets summit trace track tunnel underpass union unions valley valleys viaduct view views village",
    "villages ville vista walk walks wall ways well wells wharf quay rise vale chase gate line approach drove",
    "strand yard garth mead glade heath dell downs grounds link lookout pathway range towers townline",
    "ctr cyn cv crk est ests fls fld flds frst frk ft gdn gln grn hbr hvn hl hls holw jct knl lk lks lndg",
    "ldg mnr mdw mdws mls mt mtn orch opas pt pts prt radl rnch rpd rdg riv rte shr spg sta strm smt trce",
    "trak tunl vly vw vlg vis cmn cor cors crse crst ext frd frg fry iss lgt lck msn nck pne pln")
# After the name, house number after it: German, Dutch, Nordic, Turkish, Czech, Hungarian.
_A_STRONG = _words(
    "straße strasse str weg gasse platz allee damm ufer chaussee steig pfad zeile promenade",
    "straat laan gracht plein kade singel dijk steeg dreef",
    "gata gatan vej vei veien vegen väg vägen allé plass torv gade stræde gränd torget katu kuja",
    "caddesi cad cd sokak sokağı sokagi sok sk bulvarı bulvari blv bulvar yolu",
    "náměstí nám třída tř nábřeží utca út tér körút krt boulevard")
_A_WEAK = _words("ring markt graben brücke kai gate torg tie mahallesi mah mh avenue")
# Before the name, house number before (French) or after it (Spanish, Italian, Portuguese,
# Polish, Romanian, Belgian, Latin American).
_P_STRONG = _words(
    "rue avenue avenida avda avd av boulevard bd boul chemin impasse imp allée allee quai cours chaussée",
    "chaussee faubourg fbg montée sentier ruelle rang carré croissant esplanade promenade parvis passage voie",
    "traverse calle carrer avinguda passeig paseo pº plaça rambla ronda travesía travesia callejón pasaje",
    "glorieta camino carretera ctra calzada bulevar diagonal transversal carrera cra kra jirón prolongación",
    "privada cerrada via viale piazza piazzale corso largo vicolo strada lungomare lungotevere salita contrada",
    "borgo traversa rua travessa praça praca pça alameda estrada rodovia calçada beco ladeira praceta caminho",
    "ulica ul aleja aleje plac osiedle rynek skwer bulwar wybrzeże rondo bulevardul calea piața aleea șoseaua",
    "splaiul intrarea náměstí nám třída nábřeží laan")
# "Plaza Hotel 3", "Place Holder 5", "via Amazon 2", "Am Markt 3": also common words as a prefix.
_P_WEAK = _words("plaza place square pl os al cl c str")
# German streets named with a preposition ("Am Markt 3", "An der Alster 5"): only capitalised.
_P_PREPOSITIONS = _words("am an auf im zum zur unter hinter beim")
# Endings of one-word street names, house number after ("Hauptstraße 12", "Kalverstraat 92").
# "-ring", "-gate", "-pad", "-berg", "-park" are left out: "Engineering 101", "Delegate 5", "iPad 2".
_COMPOUND_STRONG = _words(
    "straße strasse str. gasse allee platz damm ufer chaussee steig stieg zeile promenade weg",
    "straat gracht laan plein kade singel steeg dijk dreef",
    "vej vei veien vegen gata gatan vägen väg gränd torget stræde katu kuja polku")
_COMPOUND_WEAK = _words("gade tie markt graben torg brücke kai")
_COMPOUND_LENGTHS = sorted({len(s) for s in _COMPOUND_STRONG | _COMPOUND_WEAK}, reverse=True)
_TYPE_WORDS = _S_STRONG | _S_WEAK | _A_STRONG | _A_WEAK | _P_STRONG | _P_WEAK | _P_PREPOSITIONS
# Abbreviations whose full stop belongs to the address ("Main St.", "Atatürk Cad."); any other
# word's final full stop ends a sentence.
_ABBREVIATIONS = _words(
    "st ave av blvd boul rd dr drv ln ct cres cresc ter terr pkwy pky cir crcl hwy expy expwy fwy tpke mtwy cswy",
    "byp trl pl plz sq aly gdns grv hts xing xrd xrds wy prom pde stra trwy trfy ctr cyn cv crk est ests fls fld",
    "flds frst frk ft gdn gln grn hbr hvn hl hls holw jct knl lk lks lndg ldg mnr mdw mdws mls mt mtn orch opas",
    "pt pts prt radl rnch rpd rdg riv rte shr spg sta strm smt trce trak tunl vly vw vlg vis cmn cor cors crse",
    "crst ext frd frg fry iss lgt lck msn nck pne pln str cad cd sok sk blv nám tř krt mah mh nábř avda avd bd",
    "imp fbg ctra cra kra ul al os cl c pç pº apt appt app ste fl rm bldg ofc dept esq dto izq izda dcha dch int",
    "pta esc whg stg og eg bte lok m d k no nr th tv mf tr vån bât bat et ed sc of apto depto dpto lgh")

_DIRECTIONS = _words("n s e w ne nw se sw north south east west northeast northwest southeast southwest",
                     "nord sud est ouest o")
# Secondary units (USPS C2 and the European and Latin American equivalents), before a value.
_UNIT_WORDS = _words(
    "apartment apt apto appt app appartement suite ste unit flat floor fl level lvl room rm office ofc building",
    "bldg lot space spc trailer trlr hangar hngr pier slip dept department penthouse ph piso planta puerta pta",
    "escalera esc bloque blq portal oficina local interior int interno scala sc piano edificio ed andar sala",
    "loja bloco bl apartamento conjunto cj lote lt mz manzana depto dpto departamento wohnung whg stiege stg top",
    "tür haus stock etage étage et bâtiment bât bat escalier porte bte boîte boite bus m mieszkanie lok lokal kl",
    "klatka byt patro daire d kat k blok lgh lägenhet vån våning")
# Words after a floor number ("5th Floor", "3º izq.", "2. th.", "3 tr", "1. OG").
_FLOOR_WORDS = _words("floor fl étage etage piso planta andar piano stock og eg tr trappor vån våning kat sal")
_SIDES = _words("izq izda izquierda dcha dcho dch der derecha dra centro ctro esq esqº esquerdo dto dtº direito",
                "fte frente th tv mf hs huis bis ter boven bg a b c d e f g h")
# Lower-case words inside street and city names ("rue de la Paix", "Frankfurt am Main").
_PARTICLES = _words(
    "de del della delle dei degli di da das do dos du des la le les l d lo los las van von der den het ten ter",
    "zu zum zur am an im y e i et of the and on upon sur sous aux au à en in bei op al el dem na nad pod u w ve",
    "'t s")
# Capitalised words that start sentences: never the first word of a street or city name.
_STOP = _words(
    "the a an in on at to from near my our his her their your we i he she they it this that and or but if when",
    "then also please call visit see send ship mail lives live moved located address is was are were has",
    "have had will can could would should not did does do be been by for with via into onto over under after",
    "before since until die das ein eine einer im auf bei von nach und oder ich wir er sie es un une je nous",
    "il elle yo io eu um uma een ik wij jag vi och mr mrs ms dr herr frau mme sr sra")
_SEPARATORS = frozenset({",", "-", "–", "—"})
# Between a context word and the address: "address is 12 Main", "lives at: 12 Main".
_CUE_FILLERS = _words("is was at to on in of ist est es è é")
# Secondary units that are homes, found alone ("Apt. 4B") to be raised by a context word.
_RESIDENTIAL = _words("apartment apt apto appt appartement apartamento flat suite ste unit wohnung whg daire lgh",
                      "lägenhet mieszkanie")
# Before a number that counts things rather than numbering a house ("the 5 Great Lakes").
_COUNT_WORDS = _words("the these those our their its his her my your all top over about around only first last",
                      "of with has have had and than nearly almost approximately some every each per")
# Ordinary nouns of business text, never the name of a street with a weak type ("311 Contact Center").
_COMMON_NOUNS = _words(
    "contact service services customer call help information info visitor business shopping community medical",
    "health data research conference convention fitness training learning career student students welcome",
    "operations control command distribution sales support technology science sports recreation event events",
    "trade news media art arts music youth senior family child children day care summer winter spring fall",
    "autumn annual national international regional global public private city county state federal union",
    "main central head office corporate service design development engineering management finance admin",
    "administration security safety emergency fire police water energy power transit bus train rail airport",
    "hotel resort golf country tennis ski beach lake river mountain park garden great grand royal star",
    "gold silver diamond first second third new old big little best top")
_NUMBER_SIGNS = _words("no nr nº n° n #")  # before a house number: "No: 12", "Nr. 5", "nº 12"
_YEAR_WORDS = _words("in since until till by before after during from of circa ca year im seit desde dal nel em od")

_STATES = _words(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND",
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP AA AE AP",
    "AB BC MB NB NL NS NT NU ON PE QC SK YT NSW VIC QLD SA WA TAS ACT")
_REGION_NAMES = frozenset({
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware", "florida",
    "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky", "louisiana", "maine",
    "maryland", "massachusetts", "michigan", "minnesota", "mississippi", "missouri", "montana", "nebraska",
    "nevada", "new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota", "ohio",
    "oklahoma", "oregon", "pennsylvania", "rhode island", "south carolina", "south dakota", "tennessee", "texas",
    "utah", "vermont", "virginia", "washington", "west virginia", "wisconsin", "wyoming", "district of columbia",
    "alberta", "british columbia", "manitoba", "new brunswick", "newfoundland and labrador", "nova scotia",
    "ontario", "prince edward island", "quebec", "québec", "saskatchewan", "yukon", "nunavut",
    "northwest territories"})

# --- patterns ---------------------------------------------------------------------------------
# Tokens: a number with its letters and "/" or "-" parts ("12a", "84/92", "3º", "5th", "00-950"),
# a word with inner apostrophes, hyphens or full stops and an optional final full stop ("P.O.",
# "Champs-Élysées", "Str."), or one punctuation sign. Each part starts with a character the part
# before it cannot hold, so a text splits into tokens one way only: linear whatever it holds.
_TOKEN = re.compile(r"(?P<n>\d+[^\W\d_]*(?:[/\-]\d+[^\W\d_]*)*)|(?P<w>[^\W\d_]+(?:['’.\-][^\W\d_]+)*\.?)"
                    r"|(?P<p>[^\w\s])")
_WORD = re.compile(r"[^\W\d_]+(?:['’.\-][^\W\d_]+)*\.?")
_HOUSE = re.compile(r"\d{1,5}(?:[^\W\d_]|bis|ter|quater)?(?:[/\-]\d{1,5}[^\W\d_]?)?")
_ORDINAL = re.compile(r"\d{1,3}(?:st|nd|rd|th)", re.IGNORECASE)
_FLOOR = re.compile(r"\d{1,3}(?:º|ª|°|o|a|er|re|e|ème|eme|st|nd|rd|th)", re.IGNORECASE)
# Postcodes, tried at one position only (never searched): US military, Canadian, British, then
# the shaped continental and Latin American ones, then 4 or 5 digits (with a ZIP+4).
_CODE = re.compile(
    r"(?:(?P<military>[AFD]PO\s(?:AA|AE|AP)\s\d{5}(?:-\d{4})?)"
    r"|(?P<ca>[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d)"
    r"|(?P<uk>[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})"
    r"|(?P<ie>(?:[AC-FHKNPRTV-Y]\d{2}|D6W)\s?[0-9AC-FHKNPRTV-Y]{4})"
    r"|(?:[A-Z]{1,2}-)?(?P<shaped>\d{5}-\d{3}|\d{4}-\d{3}|\d{2}-\d{3}|\d{3}\s\d{2}|\d{4}\s?[A-Z]{2}"
    r"|\d{3}-\d{4}|[A-HJ-NP-Z]\d{4}[A-Z]{3})"
    r"|(?:[A-Z]{1,2}-)?(?P<digits>\d{4,6}(?:-\d{4})?))(?![\w-])")
# Where postcodes may start, for the pass that finds streets without a type word.
_CODE_START = re.compile(r"(?<![\w-])(?:[AFD]PO\s(?:AA|AE|AP)\s\d|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}(?![\w-])"
                         r"|(?:[A-Z]{1,2}-)?\d{2,5}(?:[\s-]\d{2,3}|\s?[A-Z]{2})?(?![\w-]))")
_PO_BOX = re.compile(
    r"(?:(?P<strong>P\.?\s?O\.?\s?Box|Post\s+Office\s+Box|Postfach|Postbus|Postboks|Postbox|Bo[iî]te\s+postale"
    r"|Case\s+postale|Casella\s+postale|Apartado\s+(?:de\s+correos|postal)|Caixa\s+postal|Casilla\s+de\s+correos?"
    r"|Skrytka\s+pocztowa|Posta\s+kutusu|(?:PSC|CMR|Unit)\s\d{1,5},?\s+Box"
    r"|(?:RR|R\.R\.|Rural\s+Route|HC|Highway\s+Contract(?:\s+Route)?|Star\s+Route)\s?\d{1,4},?\s+Box)"
    r"|(?P<weak>B\.\s?P\.|BP|Apartado|Apdo\.?|Box|Casilla|P\.\s?K\.|PK))"
    r"\s*(?:No\.?\s*|Nr\.?\s*|n[º°]\s*|#\s*)?\d{1,6}(?:\s\d{2}){0,2}(?![\w])", re.IGNORECASE)
_PO_FIRST = _words("p p.o po p.o. post postfach postbus postboks postbox boîte boite case casella apartado",
                   "caixa casilla skrytka posta psc cmr unit b.p b.p. bp apdo box p.k p.k. pk rr r.r r.r. rural hc",
                   "highway star")
_SHIP = re.compile(r"(?:USS|USNS|USNV|USCGC)\s[^\W\d_]+(?:[ -][^\W\d_]+)?\s*$")
_CONTEXT = re.compile(
    r"(?<![^\W\d_])(?:address(?:es)?|addr|(?:lives?|living|lived|resides?|resided|residing|located|based|stays?"
    r"|staying)\s+(?:at|on|in)|(?:moved|moving|relocated|relocating)\s+(?:to|into)|(?:visit|find)\s+(?:us|me)\s+at"
    r"|(?:ship(?:ped|ping)?|sen[dt]|deliver(?:ed|y)?|mail(?:ed)?)\s+(?:it\s+)?to"
    r"|mailing|residence|domicile|adresse|anschrift|wohnhaft|wohnt|direcci[oó]n|domicilio|indirizzo|endere[cç]o"
    r"|morada|adres|adresa|bydli[sš]t[eě])(?![^\W\d_])", re.IGNORECASE)
# Every _CONTEXT alternative contains one of these: a cheap test before the regex.
_CONTEXT_STEMS = ("addr", "adres", "live", "living", "resid", "locat", "based", "stay", "mov", "reloc", "visit",
                  "find", "ship", "sen", "deliver", "mail", "domicil", "anschrift", "wohn", "direcci", "indirizzo",
                  "endere", "morada", "bydli")
# Whether any stem occurs in the (lower-cased) text, in one search rather than one per stem.
_ANY_STEM = re.compile("|".join(re.escape(s) for s in _CONTEXT_STEMS))
_DIGITS = re.compile(r"\d+")
_BEFORE, _WINDOW_BEFORE, _WINDOW_AFTER, _NEAR = 48, 120, 220, 80


class _Tok(NamedTuple):
    start: int
    end: int
    text: str
    kind: str  # "n" number, "w" word, "p" punctuation
    nl: bool  # a line break between the previous token and this one


class _Span(NamedTuple):
    start: int  # token indexes, end exclusive
    end: int
    score: float


def _key(t: _Tok) -> str:
    return t.text.lower().rstrip(".") if t.kind == "w" else t.text


def _tokenize(text: str) -> tuple[list[_Tok], list[int]]:
    if "\n" not in text:  # one line (most cells): no token follows a line break
        out = [_Tok(m.start(), m.end(), m.group(), m.lastgroup or "p", False) for m in _TOKEN.finditer(text)]
        return out, [t.start for t in out]
    out = []
    prev = 0
    for m in _TOKEN.finditer(text):
        out.append(_Tok(m.start(), m.end(), m.group(), m.lastgroup or "p", "\n" in text[prev:m.start()]))
        prev = m.end()
    return out, [t.start for t in out]


# The last text tokenised, with its tokens: every candidate of one text looks at a window of the
# same tokens, so the text is tokenised once, not once per candidate. One tuple, swapped whole.
_LAST: list[tuple[str, list[_Tok], list[int]]] = [("", [], [])]


def _tokens(text: str, lo: int, hi: int) -> list[_Tok]:
    """The tokens of ``text[lo:hi]``, less a word cut at either edge of the window."""
    last = _LAST[0]
    if last[0] is not text:
        last = (text, *_tokenize(text))
        _LAST[0] = last
    _, toks, starts = last
    out = [t for t in toks[bisect_left(starts, lo):bisect_left(starts, hi)] if t.end <= hi]
    if out and out[0].nl and "\n" not in text[lo:out[0].start]:
        out[0] = out[0]._replace(nl=False)  # a line break before the window is not in it
    if out and lo > 0 and out[0].start == lo and text[lo - 1].isalnum():
        out.pop(0)
    if out and hi < len(text) and out[-1].end == hi and text[hi].isalnum():
        out.pop()
    return out


def _is_name(t: _Tok) -> bool:
    """A word that can be part of a street or city name: capitalised, or an ordinal ("5th")."""
    if t.kind == "n":
        return bool(_ORDINAL.fullmatch(t.text))
    return t.kind == "w" and t.text[0].isupper()


def _is_particle(t: _Tok) -> bool:
    return t.kind == "w" and t.text.lower().rstrip(".") in _PARTICLES and not t.text[0].isupper()


def _is_house(t: _Tok) -> bool:
    return t.kind == "n" and bool(_HOUSE.fullmatch(t.text))


def _names_left(toks: list[_Tok], i: int, most: int) -> int:
    """Index of the first word of the name that ends just before token ``i`` (``i`` if none)."""
    first, names, k = i, 0, i - 1
    while k >= 0 and i - k <= most + 3 and not (k + 1 < i and toks[k + 1].nl):
        if _is_name(toks[k]) and _key(toks[k]) not in _UNIT_WORDS:
            first, names = k, names + 1
            if names == most:
                break
        elif not (_is_particle(toks[k]) and names):
            break
        k -= 1
    return first


def _names_right(toks: list[_Tok], i: int, most: int) -> int:
    """Index after the name that starts at token ``i`` (``i`` if none); it ends on a name word."""
    end, names, k = i, 0, i
    while k < len(toks) and k - i < most + 3 and (k == i or not toks[k].nl):
        if _is_name(toks[k]) and not (names and _key(toks[k]) in _UNIT_WORDS):
            end, names = k + 1, names + 1
            if names == most:
                break
        elif not _is_particle(toks[k]):
            break
        k += 1
    return end


def _drop_stop_words(toks: list[_Tok], first: int, end: int) -> int:
    while first < end and _key(toks[first]) in _STOP:
        first += 1
    return first


def _number_after(text: str, toks: list[_Tok], k: int) -> int:
    """Index after a house number at ``k`` ("5", ", 1578", "No: 12", "Nr. 5", "# 32-16", "s/n"), or -1."""
    if k < len(toks) and toks[k].text == ",":
        k += 1
    if k < len(toks) and _key(toks[k]) in _NUMBER_SIGNS:
        k += 1
        if k < len(toks) and toks[k].text in (":", ".", "º", "°"):
            k += 1
    if k < len(toks) and _is_house(toks[k]) and not toks[k].nl:
        code = _code_at(text, toks, k) if len(toks[k].text) >= 4 else None
        if code and code[0] < len(toks) and not toks[code[0]].nl and _city(toks, code[0]) > code[0]:
            return -1  # a postcode and its city ("Kalverstraat, 1012 PH Amsterdam"), not a house number
        return k + 1
    if k + 2 < len(toks) and _key(toks[k]) == "s" and toks[k + 1].text == "/" and _key(toks[k + 2]) == "n":
        return k + 3  # "s/n": sin número
    return -1


def _letter(t: _Tok) -> bool:
    return t.kind == "w" and len(t.text.rstrip(".")) <= 3 and t.text.rstrip(".").isupper()


def _unit_at(toks: list[_Tok], j: int) -> int:
    """Index after one secondary unit at ``j`` ("Apt 4", "# 12", "3º B", "2. th.", "3 tr", "izq."), or ``j``."""
    t, key = toks[j], _key(toks[j])
    if key in _UNIT_WORDS or t.text == "#":
        return _unit_number(toks, j)
    if t.kind == "n" and _FLOOR.fullmatch(t.text):
        return _ordinal_floor(toks, j)
    if t.kind == "n" and t.text.isdigit() and len(t.text) <= 2:
        return _numbered_floor(toks, j)
    if t.kind == "w" and key in _SIDES and len(key) > 1:
        return j + 1
    return j


def _unit_number(toks: list[_Tok], j: int) -> int:
    """Index after the number or letter of the unit word at ``j`` ("Apt 4", "# 12", "Suite: B"), or ``j``."""
    n = len(toks)
    e = j + 1
    while e < n and e - j <= 2 and toks[e].text in (".", ":", "#", "º", "°"):
        e += 1
    if e < n and not toks[e].nl and ((toks[e].kind == "n" and len(toks[e].text) <= 8) or _letter(toks[e])):
        return e + 1
    return j


def _ordinal_floor(toks: list[_Tok], j: int) -> int:
    """Index after an ordinal floor at ``j`` and its floor or side word ("3º izq.", "2nd floor", "1er")."""
    e = j + 1
    if e < len(toks) and not toks[e].nl and (_key(toks[e]) in _FLOOR_WORDS or _key(toks[e]) in _SIDES):
        e += 1
    return e


def _numbered_floor(toks: list[_Tok], j: int) -> int:
    """Index after a floor number at ``j`` that a floor word follows ("2. th.", "3 tr", "4 piso"), or ``j``."""
    n = len(toks)
    e = j + 1
    if e < n and toks[e].text == ".":
        e += 1
    if e < n and not toks[e].nl and (_key(toks[e]) in _FLOOR_WORDS or _key(toks[e]) in ("th", "tv", "mf")):
        return e + 1
    return j


def _units_after(toks: list[_Tok], k: int) -> tuple[int, bool]:
    """Index after up to three secondary units from ``k``, and whether there was one."""
    found = False
    for _ in range(3):
        j = k + 1 if k < len(toks) and toks[k].text in (",", "-", "/") else k
        if j >= len(toks) or toks[j].nl:
            break
        e = _unit_at(toks, j)
        if e == j:
            break
        k, found = e, True
    return k, found


def _letter_after_number(toks: list[_Tok], k: int) -> int:
    """A building entrance after a house number ("Storgatan 12 B", "Mannerheimintie 5 A 12")."""
    if k < len(toks) and not toks[k].nl and toks[k].kind == "w" and len(toks[k].text) == 1 and \
            toks[k].text in "ABCDEFGH" and not (k + 1 < len(toks) and toks[k + 1].text in (":", ".")):
        k += 1
        if k < len(toks) and toks[k].kind == "n" and toks[k].text.isdigit() and len(toks[k].text) <= 3:
            k += 1
    return k


def _unit_before(toks: list[_Tok], first: int) -> int:
    """Start of a secondary unit written before the street ("Flat 2, 10 Downing Street"), or ``first``."""
    k = first - 1
    if k >= 0 and _key(toks[k]) in _UNIT_WORDS and _key(toks[first]) in _NUMBER_SIGNS:
        return k  # "Flat No. 12, MG Road"
    if k >= 0 and toks[k].text in (",", "-"):
        k -= 1
    if k >= 1 and (toks[k].kind == "n" or _letter(toks[k])):
        unit = k - 2 if k >= 2 and _key(toks[k - 1]) in _NUMBER_SIGNS else k - 1  # "Flat No. 12, MG Road"
        if _key(toks[unit]) in _UNIT_WORDS:
            return unit
    return first


def _house_before(toks: list[_Tok], first: int) -> int:
    """Index of a house number just before ``first`` ("12 rue", "12, avenue", "No. 10 Downing"), or -1."""
    k = first - 1
    if k >= 0 and toks[k].text == ",":
        k -= 1
    if k < 0 or not _is_house(toks[k]) or toks[first].nl:
        return -1
    if k >= 1 and toks[k].text[:4].isdigit() and 1900 <= int(toks[k].text[:4]) <= 2099 and \
            _key(toks[k - 1]) in _YEAR_WORDS:
        return -1  # "In 2019 Main Street was closed": a year
    if k >= 1 and _key(toks[k - 1]) in ("no", "nr", "#"):
        return k - 1
    return k


def _city(toks: list[_Tok], k: int) -> int:
    """Index after a city name of up to three words from ``k`` (``k`` if none)."""
    end, names, j = k, 0, k
    while j < len(toks) and j - k < 6 and (j == k or not toks[j].nl):
        t = toks[j]
        glued = j + 1 < len(toks) and toks[j + 1].start == t.end and toks[j + 1].kind == "n"  # "C1043AAZ"
        if t.kind == "w" and t.text[0].isupper() and not (t.text.isupper() and len(t.text) == 2) and \
                not (names == 0 and _key(t) in _STOP) and not glued:
            end, names = j + 1, names + 1
            if names == 3:
                break
        elif not (names and (_is_particle(t) or t.text == "/")):
            break
        j += 1
    return end


def _code_at(text: str, toks: list[_Tok], k: int) -> tuple[int, str] | None:
    """(index after, kind) of a postcode starting at token ``k``."""
    if k >= len(toks):
        return None
    m = _CODE.match(text, toks[k].start)
    if not m:
        return None
    j = k
    while j < len(toks) and toks[j].end <= m.end():
        j += 1
    if j == k or toks[j - 1].end != m.end():
        return None
    return j, str(m.lastgroup)


_REGION_FIRST_WORDS = frozenset(name.split()[0] for name in _REGION_NAMES)


def _region(toks: list[_Tok], k: int) -> tuple[int, bool]:
    """(index after, a known state or province) of a region code or name at ``k``, bare ("IL", "NSW",
    "Ontario") or in brackets ("(Québec)", "(RM)"); (``k``, False) if none."""
    if k >= len(toks):
        return k, False
    if toks[k].text == "(":
        if k + 1 < len(toks) and toks[k + 1].text == "(":
            return k, False
        r, known = _region(toks, k + 1)
        return (r + 1, known) if k + 1 < r < len(toks) and toks[r].text == ")" else (k, False)
    t = toks[k]
    if t.kind == "w" and t.text.isupper() and 2 <= len(t.text.rstrip(".")) <= 3:
        return k + 1, t.text.rstrip(".") in _STATES
    if t.text.lower() not in _REGION_FIRST_WORDS:
        return k, False
    for n in (3, 2, 1):
        if k + n <= len(toks) and " ".join(x.text.lower() for x in toks[k:k + n]) in _REGION_NAMES:
            return k + n, True
    return k, False


def _district(toks: list[_Tok], e: int) -> int:
    """A district or CEDEX after a city ("Praha 1", "Paris Cedex 08", "Roma (RM)")."""
    if e < len(toks) and not toks[e].nl:
        if toks[e].kind == "n" and toks[e].text.isdigit() and len(toks[e].text) <= 2:
            return e + 1
        if _key(toks[e]) == "cedex":
            return e + 2 if e + 1 < len(toks) and toks[e + 1].kind == "n" and len(toks[e + 1].text) <= 2 else e + 1
        if toks[e].text == "(":
            r, _ = _region(toks, e)
            return r
        if toks[e].kind == "w" and toks[e].text.isupper() and len(toks[e].text) == 2 and \
                (e + 1 == len(toks) or toks[e + 1].nl or toks[e + 1].kind == "p"):
            return e + 1  # an Italian province after the city: "20121 Milano MI"
    return e


def _postal_after(text: str, toks: list[_Tok], k: int) -> tuple[int, float]:
    """(index after, boost) of the postal line that follows a street at ``k``; (``k``, 0) if none."""
    start = k
    if k < len(toks) and toks[k].text in _SEPARATORS:
        k += 1
    code = _code_at(text, toks, k)
    if code:
        return _code_first(toks, code, start)
    return _city_first(text, toks, k, start)


def _code_first(toks: list[_Tok], code: tuple[int, str], start: int) -> tuple[int, float]:
    """A postal line that starts with its postcode ``code``: "75002 Paris", "D-10115 Berlin",
    "SW1A 2AA London", "00-950 Warszawa". A short number alone is no postcode: (``start``, 0)."""
    e, kind = code
    c = _city(toks, e)
    if c > e:
        return _district(toks, c), POSTCODE_BOOST
    return (e, POSTCODE_BOOST) if kind != "digits" or len(toks[e - 1].text) >= 5 else (start, 0.0)


def _city_first(text: str, toks: list[_Tok], k: int, start: int) -> tuple[int, float]:
    """A postal line that starts with its city: "Springfield, IL 62704", "Westminster, London
    SW1A 2AA", "São Paulo - SP, 01310-100", "Col. Juárez, 06600 Ciudad de México"; up to three
    places, then a postcode or a known region."""
    e = k
    for _ in range(3):
        c = _city(toks, e)
        if c == e:
            break
        sep = c < len(toks) and toks[c].text in _SEPARATORS
        e = c + 1 if sep else c
        r, known = _region(toks, e) if not _code_at(text, toks, e) else (e, False)  # "London SW1A 2AA"
        after = r + 1 if e < r < len(toks) and toks[r].text == "," else r
        code = _code_at(text, toks, after)
        if code:
            return (_city_after_code(toks, code[0]) if r == e else code[0]), POSTCODE_BOOST
        if r > e and known and sep:
            return r, REGION_BOOST
        if not sep:
            break
    return start, 0.0


def _city_after_code(toks: list[_Tok], end: int) -> int:
    """Index after the city (and district) on the line of a postcode that ends at ``end``
    ("06600 Ciudad de México"), or ``end``."""
    c = _city(toks, end)
    return _district(toks, c) if c > end and not toks[end].nl else end


@lru_cache(maxsize=65_536)  # words repeat; callers only read the dict
def _street_type(word: str) -> dict[str, float]:
    """The roles of a word as a street type, each with its strength (STRONG or WEAK): "S" after the
    name with the number before, "A" after the name with the number after, "P" before the name,
    "C" a one-word street name ending with a type. Empty if the word names no street."""
    key = word.lower()
    bare = key.rstrip(".")
    if bare in _P_PREPOSITIONS:
        return {"P": WEAK} if word[0].isupper() else {}
    roles = {role: STRONG if bare in strong else WEAK
             for role, strong, weak in (("S", _S_STRONG, _S_WEAK), ("A", _A_STRONG, _A_WEAK), ("P", _P_STRONG, _P_WEAK))
             if bare in strong or bare in weak}
    if not roles and word[:1].isupper() and len(key) > 4:
        for form in {key, bare}:  # "Hauptstr." keeps its full stop, "Kalverstraat." loses a sentence's
            for n in _COMPOUND_LENGTHS:
                ending, stem = form[-n:], len(form) - n
                if (ending in _COMPOUND_STRONG and stem >= 2) or (ending in _COMPOUND_WEAK and stem >= 4):
                    return {"C": STRONG if ending in _COMPOUND_STRONG else WEAK}
    return roles


def _streets_at(text: str, toks: list[_Tok], i: int) -> list[_Span]:
    """Street candidates around the street type at token ``i``, before units and postal lines."""
    roles = _street_type(toks[i].text)
    out: list[_Span] = []
    if "S" in roles:  # "123 Main St", "1600 Pennsylvania Avenue NW"
        out += _type_after_name(toks, i, roles["S"])
    if "A" in roles or "S" in roles:  # "Berliner Straße 5", "Atatürk Cad. No: 12", "Váci utca 5"
        out += _number_after_type(text, toks, i, roles)
    if "P" in roles and not (i and _key(toks[i - 1]) == "et"):  # "et al. 2019" is a citation
        out += _prefixed(text, toks, i, roles["P"])
    if "C" in roles:  # "Hauptstraße 12a", "Kalverstraat 92", and in the English order "12 Hauptstraße"
        out += _compound_street(text, toks, i, roles["C"])
    return out


def _type_after_name(toks: list[_Tok], i: int, strength: float) -> list[_Span]:
    """The English order, house number first: "123 Main St", "1600 Pennsylvania Avenue NW"; a
    strong type also makes a street without a number ("on Main Street")."""
    first = _names_left(toks, i, 4)
    house = _house_before(toks, first) if first < i else -1
    end = i + 1
    if end < len(toks) and _key(toks[end]) in _DIRECTIONS and toks[end].text[0].isupper() and not toks[end].nl:
        end += 1
    if house >= 0:
        plain = strength == WEAK and _plain_street(toks, house, first, i)
        return [_Span(house, end, WEAK_NUMBERED if plain else strength)]
    if first < i and strength == STRONG:
        return [_Span(_drop_stop_words(toks, first, i), end, UNNUMBERED)]
    return []


def _number_after_type(text: str, toks: list[_Tok], i: int, roles: dict[str, float]) -> list[_Span]:
    """A name, its street type and the house number after it ("Berliner Straße 5", "Atatürk Cad.
    No: 12"); a type written after the number in its language also reads in the English order
    ("12 Berliner Straße") or alone when strong."""
    strength = roles.get("A", WEAK)  # an English type with the number after ("Baker Street 221"): weak
    first = _drop_stop_words(toks, _names_left(toks, i, 3), i)
    if first >= i:
        return []
    after = _number_after(text, toks, i + 1)
    house = _house_before(toks, first) if "A" in roles and after < 0 else -1
    if after > 0:
        return [_Span(first, after, strength)]
    if house >= 0:  # the English order in a template or a form: "12 Berliner Straße"
        return [_Span(house, i + 1, strength)]
    if "A" in roles and strength == STRONG:
        return [_Span(first, i + 1, UNNUMBERED)]
    return []


def _compound_street(text: str, toks: list[_Tok], i: int, strength: float) -> list[_Span]:
    """A one-word street name ending with its type, the number after ("Hauptstraße 12a") or, in
    the English order, before it ("12 Hauptstraße"); a strong one also without a number."""
    after = _number_after(text, toks, i + 1)
    house = _house_before(toks, i) if after < 0 else -1
    if after > 0:
        return [_Span(i, after, strength)]
    if house >= 0:
        return [_Span(house, i + 1, strength)]
    return [_Span(i, i + 1, UNNUMBERED)] if strength == STRONG else []


def _plain_street(toks: list[_Tok], house: int, first: int, i: int) -> bool:
    """A weak street type after "<house number> <Name>" reads as a street unless the number counts
    things ("the 5 Great Lakes", "our 3 Union Stations") or a name word is an ordinary noun of
    business text ("311 Contact Center", "2019 Summer Camp")."""
    if house and _key(toks[house - 1]) in _COUNT_WORDS:
        return False
    return not any(_key(t) in _COMMON_NOUNS for t in toks[first:i])


def _prefixed(text: str, toks: list[_Tok], i: int, strength: float) -> list[_Span]:
    """"12 rue de la Paix", "Calle Mayor 5", "Av. Paulista, 1578", "Carrera 7 # 32-16", "c/ Mayor 5"."""
    t = toks[i]
    if t.text.islower() and _key(t) == "via":
        strength = WEAK  # "sent via Amazon 2 days ago"
    j = i + 2 if _key(t) == "c" and i + 1 < len(toks) and toks[i + 1].text == "/" else i + 1
    if _key(t) == "c" and j == i + 1 and not t.text.endswith("."):
        return []
    # Colombian and Central American grid addresses: "Calle 100 # 8A-55", "Carrera 7 No. 32-16".
    if j + 2 < len(toks) and _is_house(toks[j]) and _key(toks[j + 1]) in _NUMBER_SIGNS:
        after = _number_after(text, toks, j + 1)
        if after > 0:
            return [_Span(i, after, STRONG)]
    end = _names_right(toks, j, 5)
    if end == j:
        return []
    if end < len(toks) and _key(toks[end]) in _DIRECTIONS and not toks[end].nl:
        end += 1  # "Rue Sherbrooke Ouest"
    house = _house_before(toks, i)  # the French order first: in "12 rue X, 75002 Paris" 75002 is no house
    if house >= 0:
        return [_Span(house, end, strength)]
    after = _number_after(text, toks, end)
    if after > 0:
        return [_Span(i, after, strength)]
    return [_Span(i, end, UNNUMBERED)] if strength == STRONG else []


def _complete(text: str, toks: list[_Tok], span: _Span, numbered_after: bool) -> _Span:
    """The street with its units and postal line, and the score they add."""
    start, end, score = span
    if numbered_after:
        end = _letter_after_number(toks, end)
    end, unit = _units_after(toks, end)
    first = _unit_before(toks, start)
    unit = unit or first < start
    end2, boost = _postal_after(text, toks, end)
    end3 = _lines_after(text, toks, _places_after(text, toks, end2))
    return _Span(_places_before(toks, first), end3, score + boost + (UNIT_BOOST if unit else 0.0))


def _place_line(text: str, toks: list[_Tok], k: int) -> int:
    """Index after the line starting at ``k`` when it reads as a line of an address (locality, city,
    region, postcode, country: capitalised words, postcodes, district numbers); ``k`` otherwise."""
    j = k
    while j < len(toks) and (j == k or not toks[j].nl):
        if j - k > 10:
            return k
        code = _code_at(text, toks, j)
        if code:
            j = code[0]
            continue
        unit = _unit_at(toks, j) if toks[j].kind == "w" else j
        if unit > j:  # a line of its own for the unit: "Apt. 4", "Suite 200"
            j = unit
            continue
        t = toks[j]
        if not ((t.kind == "w" and (t.text[0].isupper() or _is_particle(t))) or t.text in ",-/().'"
                or (t.kind == "n" and len(t.text) <= 3 and t.text.isdigit())):
            return k
        j += 1
    return j if any(toks[n].kind == "w" or toks[n].kind == "n" for n in range(k, j)) else k


def _lines_after(text: str, toks: list[_Tok], k: int) -> int:
    """The lines that follow an address when each reads as a line of it (up to four): formats that
    put the city, the region, the postcode and the country on lines of their own."""
    for _ in range(4):
        if k >= len(toks) or not toks[k].nl:
            break
        e = _place_line(text, toks, k)
        if e == k:
            break
        k = e
    return k


def _places_before(toks: list[_Tok], first: int) -> int:
    """Up to two "Place, " parts before the street when they start a line ("Moskva, ul. Tverskaya 7",
    "Budapest, Váci utca 5"): the big-endian formats that name the city first."""
    start, k = first, first
    for _ in range(2):
        if k < 2 or toks[k - 1].text != "," or toks[k].nl:
            break
        j = k - 2
        while j >= 0 and k - 2 - j < 3 and (_is_name(toks[j]) or _is_particle(toks[j])) and not toks[j + 1].nl:
            j -= 1
        j += 1
        while j < k - 1 and not _is_name(toks[j]):
            j += 1
        if j == k - 1 or _key(toks[j]) in _STOP:
            break
        if j == 0 or toks[j].nl or toks[j - 1].text in (":", ";", "("):
            start = j  # the part starts a line: not a clause of a sentence
        k = j
    return start


def _places_after(text: str, toks: list[_Tok], k: int) -> int:
    """Up to two ", Place" parts after an address (a locality, a city, a region, a country: "12 Main
    St, Springfield, United States"): they add nothing to the score but must be masked with it."""
    for _ in range(3):
        if k + 1 >= len(toks) or toks[k].text != "," or toks[k + 1].nl:
            break
        code = _code_at(text, toks, k + 1)  # "12 Main Street, Dublin 2, D02 X285"
        c = code[0] if code else _city(toks, k + 1)
        if c == k + 1:
            break
        k = _district(toks, c)
    return k


def _cued(text: str, start: int) -> bool:
    return bool(_CONTEXT.search(text, max(0, start - _BEFORE), start))


def _char_span(text: str, toks: list[_Tok], span: _Span) -> tuple[int, int]:
    """Character offsets; a final full stop is kept only on an abbreviation ("Main St.")."""
    last = toks[span.end - 1]
    end = last.end
    if last.kind == "w" and last.text.endswith(".") and last.text.lower().rstrip(".") not in _ABBREVIATIONS:
        end -= 1
    return toks[span.start].start, end


def _finish(text: str, toks: list[_Tok], span: _Span) -> tuple[int, int, float]:
    s, e = _char_span(text, toks, span)
    score = span.score + (CONTEXT_BOOST if _cued(text, s) else 0.0)
    return s, e, round(min(score, MAX_SCORE), 2)


@lru_cache(maxsize=65_536)
def _anchor(word: str) -> tuple[bool, bool, bool]:
    """(post-office box word, unit word, anchors a street candidate at all) for one word."""
    key = word.lower()
    bare = key.rstrip(".")
    po = key in _PO_FIRST or bare in _PO_FIRST
    unit = bare in _RESIDENTIAL
    return po, unit, po or unit or bare in _TYPE_WORDS or (len(key) > 4 and bool(_street_type(word)))


def _street_candidates(text: str) -> list[tuple[int, int, float]]:
    """Candidates anchored on street types and post-office boxes."""
    out: list[tuple[int, int, float]] = []
    seen = 0
    runs = _DIGITS.finditer(text)
    after = next(runs, None)  # the first digit run not yet passed; `before`: where the last one ended
    before = -_NEAR - 1
    for m in _WORD.finditer(text):
        word = m.group()
        po, unit, anchor = _anchor(word)
        if not anchor:
            continue
        while after is not None and after.start() < m.start():  # one pass over the digit runs, beside the words
            before, after = after.end(), next(runs, None)
        near = m.start() - before <= _NEAR or (after is not None and after.start() - m.end() <= _NEAR)
        if not (near or word[0].isupper()):
            continue  # "way", "park", "an" in prose: no house number or postcode in reach, no capital
        seen += 1
        if seen > MAX_CANDIDATES:
            break
        lo, hi = max(0, m.start() - _WINDOW_BEFORE), min(len(text), m.end() + _WINDOW_AFTER)
        toks = _tokens(text, lo, hi)
        i = next((n for n, t in enumerate(toks) if t.start == m.start()), -1)
        if i < 0:
            continue
        if po:
            box = _po_box(text, toks, i)
            if box:
                out.append(box)
                continue
        spans = _streets_at(text, toks, i)
        if unit and _unit_at(toks, i) > i:  # "Apt. 4B" alone: an address only with a context word
            spans.append(_Span(i, _unit_at(toks, i), WEAK))
        for span in spans:
            numbered_after = span.end > i + 1 and toks[span.end - 1].kind == "n"
            full = _complete(text, toks, span, numbered_after)
            found = _finish(text, toks, full)
            if found[2] >= MIN_SCORE:
                out.append(found)
    return out


def _po_box(text: str, toks: list[_Tok], i: int) -> tuple[int, int, float] | None:
    m = _PO_BOX.match(text, toks[i].start)
    if not m:
        return None
    j = i
    while j < len(toks) and toks[j].end <= m.end():
        j += 1
    if j == i or toks[j - 1].end != m.end():
        return None
    # Canada Post's station or retail outlet after the box ("PO Box 123 Stn Main").
    if j + 1 < len(toks) and _key(toks[j]) in ("stn", "station", "succ", "succursale", "rpo") and \
            _is_name(toks[j + 1]):
        j += 2
    end, boost = _postal_after(text, toks, j)
    score = (PO_STRONG if m.group("strong") else WEAK) + boost
    return _finish(text, toks, _Span(i, _lines_after(text, toks, _places_after(text, toks, end)), score))


def _postcode_candidates(text: str, taken: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Candidates anchored on postcodes: a street without a type word before a postal line
    ("Vodičkova 681/14, 110 00 Praha 1", "Unter den Linden 77, 10117 Berlin", "1234 Alder\n
    Springfield, IL 62704"), a US military address, or a postal line alone ("10115 Berlin"), which
    needs a context word (a US or Canadian one alone is left to US_ZIP and CA_POSTAL_CODE)."""
    out: list[tuple[int, int, float]] = []
    seen = 0
    for m in _CODE_START.finditer(text):
        if any(s <= m.start() < e for s, e, _ in taken):
            continue
        seen += 1
        if seen > MAX_CANDIDATES:
            break
        found = _postcode_candidate(text, m)
        if found is not None:
            out.append(found)
    return out


def _postcode_candidate(text: str, m: re.Match[str]) -> tuple[int, int, float] | None:
    """The candidate anchored on the postcode that may start at ``m``, or None."""
    lo, hi = max(0, m.start() - _WINDOW_BEFORE), min(len(text), m.end() + _WINDOW_AFTER)
    toks = _tokens(text, lo, hi)
    k = next((n for n, t in enumerate(toks) if t.start == m.start()), -1)
    code = _code_at(text, toks, k) if k >= 0 else None
    if not code:
        return None
    e, kind = code
    if kind == "military":
        return _military(text, toks, k, e)
    line = _postal_line(toks, k, e, kind)
    if line is None:
        return None
    first, end, score = line
    street = _untyped_street_before(toks, first)
    if street >= 0:
        first, score = street, UNTYPED + POSTCODE_BOOST
    elif score == 0.0:
        return None
    found = _finish(text, toks, _Span(first, end, score))
    return found if found[2] >= MIN_SCORE else None


def _military(text: str, toks: list[_Tok], k: int, e: int) -> tuple[int, int, float]:
    """A US military address whose code runs over tokens ``k`` to ``e``, from the ship's name
    before it when there is one."""
    ship = _SHIP.search(text, max(0, toks[k].start - 40), toks[k].start)
    first = toks[k].start if not ship else ship.start()
    return first, toks[e - 1].end, round(min(STRONG + (CONTEXT_BOOST if _cued(text, first) else 0), MAX_SCORE), 2)


def _postal_line(toks: list[_Tok], k: int, e: int, kind: str) -> tuple[int, int, float] | None:
    """(first token, index after, score) of the postal line of the postcode over tokens ``k`` to
    ``e``, or None when there is no line of ours. The score is 0 when the line needs a street."""
    region = _region_before(toks, k)
    if region >= 0:  # "Springfield, IL 62704", "Toronto ON M5V 3L9": the city is before the region
        j = region - 1 if region and toks[region - 1].text == "," else region
        line = _drop_stop_words(toks, _names_left(toks, j, 3), j)
        return None if line == j else (line, e, 0.0)
    if kind == "ca" or (kind == "digits" and "-" in toks[k].text):
        return None  # a Canadian postal code or a ZIP+4 without its city: not a line of ours
    c = _city(toks, e)  # "10115 Berlin", "110 00 Praha 1"
    if c == e:
        return None
    return k, _district(toks, c), POSTAL_ONLY if kind != "digits" or len(toks[k].text) >= 5 else UNNUMBERED


def _region_before(toks: list[_Tok], k: int) -> int:
    """Index of a known state or province that ends just before token ``k`` ("IL", "Ontario",
    "(Québec)"), or -1."""
    for n in range(1, 6):
        if k - n >= 0 and _region(toks, k - n) == (k, True):
            return k - n
    return -1


def _untyped_street_before(toks: list[_Tok], line: int) -> int:
    """Start of a street without a type word on the line before a postal line at ``line``, house
    number after ("Vodičkova 681/14, ") or before the name ("1234 Alder\n"); -1 if none."""
    b = line - 1 if line and toks[line - 1].text in _SEPARATORS else line
    if b <= 0 or not (b < line or toks[line].nl):
        return -1  # a comma or a line break between the street and its postal line
    if _is_house(toks[b - 1]):
        first = _drop_stop_words(toks, _names_left(toks, b - 1, 3), b - 1)
        return first if first < b - 1 else -1
    first = _names_left(toks, b, 3)
    return _house_before(toks, first) if first < b else -1


def _resolve(found: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Candidates that reach a threshold first, then longest, then highest score; overlapping
    candidates are dropped (a long weak guess never hides a confident address inside it)."""
    kept: list[tuple[int, int, float]] = []
    for s, e, score in sorted(found, key=lambda c: (c[2] < CONFIDENT, -(c[1] - c[0]), -c[2], c[0])):
        if all(e <= ks or s >= ke for ks, ke, _ in kept):
            kept.append((s, e, score))
    return sorted(kept)


def find_addresses(text: str) -> list[tuple[int, int, float]]:
    """(start, end, score) of every street address in ``text`` scoring at least ``MIN_SCORE``.

    >>> find_addresses("Anschrift: Hauptstraße 12a, 10115 Berlin")
    [(11, 40, 0.95)]
    """
    streets = _street_candidates(text)
    streets += _postcode_candidates(text, streets)
    found = _resolve(streets + _cued_candidates(text, streets) + find_address_blocks(text, streets))
    out = [(_leading_number(text, _line_unit_before(text, b)), _place_after(text, _line_unit_after(text, e)) if
            score >= CONFIDENT else e, score) for b, e, score in found]
    return [_intersection(text, b, e, score) if score >= CONFIDENT else (b, e, score) for b, e, score in out]


_CORNER_BEFORE = re.compile(r"(?:the )?(?:corner|intersection|junction) of $", re.IGNORECASE)
_AND_STREET = re.compile(r" (?:and|&) ((?:[A-Z0-9À-ÞΑ-ΩА-Я][\w'’.-]*)(?: [A-Z0-9À-ÞΑ-ΩА-Я][\w'’.-]*){0,4})")


def _intersection(text: str, start: int, end: int, score: float) -> tuple[int, int, float]:
    """A corner names two streets: "the corner of 99 Derry Street and Lillestøl Stream" is one
    address, from "the corner of" through the second street's capitalised words."""
    corner = _CORNER_BEFORE.search(text, max(0, start - 24), start)
    if not corner:
        return start, end, score
    m = _AND_STREET.match(text, end)
    return corner.start(), (m.end() if m else end), score


_UNIT_AFTER = re.compile(r"[ ,]+(?:apt|apto|apartment|suite|ste|unit|flat|#)\.?[ ]*#?\d[\w-]{0,5}(?![\w-])",
                         re.IGNORECASE)
_UNIT_BEFORE = re.compile(r"(?<![\w-])(?:apt|apto|apartment|suite|ste|unit|flat)\.?[ ]*#?\d[\w-]{0,5},?[ ]+$",
                          re.IGNORECASE)
_PLACE_WORD = re.compile(r"[ ,]+((?:[^\W\d_][\w'’.-]*))")


def _line_unit_after(text: str, end: int) -> int:
    """End of a unit written after the street on the same line: "Hadikgasse 49 Apt. 542"."""
    m = _UNIT_AFTER.match(text, end)
    return m.end() if m else end


def _line_unit_before(text: str, start: int) -> int:
    """Start of a unit written before the street: "Apt. 082 737 Kungsgatan 7"."""
    m = _UNIT_BEFORE.search(text, max(0, start - 16), start)
    return m.start() if m else start


def _place_after(text: str, end: int) -> int:
    """End of the city, region and country written after a street on the same line ("...
    Apt. 542 KÖTTMANNSDORF Austria"): up to four capitalised words, stopping at a lower-case
    word, a line break, or a word that is not a place ("Monday", "The", "Thanks")."""
    for _ in range(4):
        m = _PLACE_WORD.match(text, end)
        if not m or not m.group(1)[0].isupper() or m.group(1).lower().rstrip(".") in STOP:
            break
        end = m.end()
    return end


_NUMBER_BEFORE = re.compile(r"(?<![\w.,/-])\d{1,6}[a-zA-Z]?[ ]$")


def _leading_number(text: str, start: int) -> int:
    """Start of a house number written before the street found: "699 295 Pireos Street"
    (building number, then the street's own number, as some exports write them), "475
    Kronwiesenweg 95" (a number on each side)."""
    if start:
        m = _NUMBER_BEFORE.search(text, max(0, start - 9), start)
        if m:
            return m.start()
    return start


def _cued_candidates(text: str, taken: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """A street without a type word right after a context word: "lives at 1234 Alder",
    "Adresse: Goethe 5". House number and name alone are UNNUMBERED; the cue lifts them."""
    out: list[tuple[int, int, float]] = []
    lowered = text.lower()
    if not _ANY_STEM.search(lowered):
        return out
    for n, m in enumerate(_CONTEXT.finditer(text)):
        if n >= MAX_CANDIDATES:
            break
        lo, hi = m.end(), min(len(text), m.end() + _WINDOW_AFTER)
        if any(s <= lo < e or lo <= s < lo + 24 for s, e, _ in taken):
            continue  # the address after the cue is already found
        toks = _tokens(text, lo, hi)
        k = 0
        while k < min(len(toks), 2) and (_key(toks[k]) in _CUE_FILLERS or toks[k].kind == "p"):
            k += 1  # "address is", "address:", "lives at:"
        if k >= len(toks):
            continue
        span = None
        if _is_house(toks[k]):
            end = _names_right(toks, k + 1, 3)
            if end > k + 1 and _key(toks[k + 1]) not in _STOP:
                span = _Span(k, end, UNNUMBERED)
        elif _is_name(toks[k]) and _key(toks[k]) not in _STOP:
            end = _names_right(toks, k, 3)
            after = _number_after(text, toks, end)
            if after > 0:
                span = _Span(k, after, UNNUMBERED)
        if span:
            found = _finish(text, toks, _complete(text, toks, span, toks[span.end - 1].kind == "n"))
            if found[2] >= MIN_SCORE:
                out.append(found)
    return out


def address_recognizer() -> EntityRecognizer:
    """``find_addresses`` as a Presidio recognizer (entity ``STREET_ADDRESS``):
    street addresses of many countries: street types, house numbers, postal lines, context."""
    return span_recognizer(ENTITY, "AuditorStreetAddressRecognizer", "street address shape", find_addresses)


__all__ = ["address_recognizer", "find_addresses"]
