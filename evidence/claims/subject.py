"""The program or service a symptom is about ("Outlook keeps crashing") -> a claim's subject (evidence.claims).

The subject is the noun phrase next to the symptom words, read with each language's [subject]
word lists: before them past auxiliaries and adverbs ("Outlook keeps crashing", "Chrome si
blocca", "el servidor de correo se cae"), or after them past prepositions and articles ("can't
open Outlook", "Seit gestern stürzt Outlook ab"). Known programs (apps.toml) come back under
their table key; words for the machine or a service in general ("the PC", "il server") give none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from evidence.claims.apps import app_named
from evidence.claims.lexicon import fold, load_lexicon, lookup

# Words of a phrase (with inner dots, dashes, apostrophes), runs of marks, other punctuation.
_TOKEN = re.compile(r"\|+|#+|\w+(?:'\w+)*(?:[.&+-]\w+)*'?|[^\w\s|#]")
_ELIDED = re.compile(r"^(\w{1,3}')(\w.*)$")
# Marks written over a time phrase and over another symptom: both end a name, but a time phrase
# may stand between the name and its verb ("Die Buchungsseite ist seit heute nicht erreichbar").
TIME_MARK = "|"
OTHER_MARK = "#"
# Content words in one subject: "Microsoft Outlook", "server di posta", "booking site".
MAX_WORDS = 3


@dataclass(frozen=True)
class _Words:
    links: frozenset[str]
    determiners: frozenset[str]
    leads: frozenset[str]
    inner: frozenset[str]
    stops: frozenset[str]
    generic: frozenset[str]
    elisions: frozenset[str]
    names: dict


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int

    @property
    def barrier(self) -> bool:
        return not self.text[0].isalnum() and self.text[0] != "_"


def _folded(words) -> frozenset[str]:
    return frozenset(" ".join(fold(w).split()) for w in words)


@cache
def _words(code: str) -> _Words:
    lex = load_lexicon(code)
    table = lex.data.get("subject", {})
    # a denial between the subject and the verb is skipped like an adverb: "Outlook never crashed"
    denials = [w for w in lex.text.get("denials", []) if " " not in w]
    lists = {name: _folded(table.get(name, [])) for name in
             ("links", "determiners", "leads", "inner", "stops", "generic")}
    # so is a "keeps doing" phrase: "Outlook n'arrête pas de planter", "Outlook no para de colgarse"
    continuing = [w for phrase in lex.text.get("continuing", []) for w in re.findall(r"\w+'|\w+", fold(phrase))]
    lists["links"] = lists["links"] | _folded(denials) | _folded(continuing)
    elisions = frozenset(w for group in lists.values() for w in group if w.endswith("'"))
    return _Words(**lists, elisions=elisions, names=dict(table.get("names", {})))


def _tokens(marked: str, start: int, end: int, elisions: frozenset[str]) -> list[_Token]:
    """Tokens of marked[start:end]; an elided article or pronoun ("l'", "n'") is its own token."""
    out = []
    for m in _TOKEN.finditer(marked, start, end):
        text = m.group(0)
        elided = _ELIDED.match(text)
        if elided and elided.group(1) in elisions:
            cut = m.start() + len(elided.group(1))
            out.append(_Token(elided.group(1), m.start(), cut))
            out.append(_Token(elided.group(2), cut, m.end()))
        else:
            out.append(_Token(text, m.start(), m.end()))
    return out


def find_subject(marked: str, span: tuple[int, int], clause: tuple[int, int], code: str,
                 object_first: bool = False) -> str | None:
    """The subject of the symptom at `span` in its clause. `marked` is the folded sentence with
    time phrases overwritten by TIME_MARK and other symptoms by OTHER_MARK. object_first: the symptom starts
    with an inability ("can't open X"), so the phrase after it is read first."""
    words = _words(code)
    tokens = _tokens(marked, clause[0], clause[1], words.elisions)
    inside = [t for t in tokens if span[0] <= t.start and t.end <= span[1]]
    before = [t for t in tokens if t.end <= span[0]]
    after = [t for t in tokens if t.start >= span[1]]
    # after a symptom said subject first, only a known program is its subject: German puts it
    # there ("Seit gestern stürzt Outlook ab"), elsewhere it is an object or a circumstance
    readers = [lambda: _before(before, words), lambda: _after(inside, after, words, strict=not object_first)]
    if object_first:
        readers.reverse()
    for read in readers:
        phrase = read()
        if phrase is not None:
            return _normalized(phrase, words)
    return None


def _before(tokens: list[_Token], words: _Words) -> list[str] | None:
    """The phrase ending right before the symptom, past links: None when there is none."""
    i = len(tokens) - 1
    while i >= 0 and (tokens[i].text in words.links or tokens[i].text[0] == TIME_MARK):
        i -= 1
    phrase: list[str] = []
    anchored = True
    while i >= 0:
        token = tokens[i]
        if phrase and token.text in words.inner and i > 0 and _content(tokens[i - 1], words):
            phrase.insert(0, token.text)
            i -= 1
            continue
        if not _content(token, words):
            break
        if sum(w not in words.inner for w in phrase) >= MAX_WORDS:
            anchored = False  # a long run of words is a sentence, not a name
            break
        phrase.insert(0, token.text)
        i -= 1
    return _accepted(phrase, anchored)


def _after(inside: list[_Token], tokens: list[_Token], words: _Words, strict: bool) -> list[str] | None:
    """The phrase right after the symptom, past prepositions and articles; the symptom's own
    last words count when they are the object it names ("can't access the booking| site",
    "can't open Outlook"). A preposition inside the symptom leads to its verb, not to a name
    ("non riesco a collegarmi")."""
    phrase: list[str] = []
    anchored = False
    # "esta" is "this" and, unaccented, "is": a word that may be a verb opens no name
    articles = [n for n, t in enumerate(inside)
                if n and t.text in words.determiners and t.text not in words.links]
    if articles:
        phrase = [t.text for t in inside[articles[-1] + 1:]]
        anchored = True
    else:
        tail = len(inside)
        while tail > 1 and app_named(inside[tail - 1].text) is not None:
            tail -= 1
        phrase = [t.text for t in inside[tail:]] if tail < len(inside) else []
    i = 0
    if not phrase:
        while i < len(tokens) and not tokens[i].barrier and (tokens[i].text in words.leads
                                                             or tokens[i].text in words.determiners):
            anchored = True
            i += 1
    while i < len(tokens):
        token = tokens[i]
        if (phrase and token.text in words.inner and i + 1 < len(tokens)
                and _content(tokens[i + 1], words)):
            phrase.append(token.text)
            i += 1
            continue
        if not _content(token, words) or sum(w not in words.inner for w in phrase) >= MAX_WORDS:
            break
        phrase.append(token.text)
        i += 1
    if (strict or not anchored) and not _known(phrase):
        return None
    return _accepted(phrase, True)


def _content(token: _Token, words: _Words) -> bool:
    text = token.text
    return not (token.barrier or text in words.determiners or text in words.links
                or text in words.stops or text in words.leads)


def _accepted(phrase: list[str], anchored: bool) -> list[str] | None:
    if not phrase:
        return None
    if anchored or _known(phrase):
        return phrase
    return None


def _known(phrase: list[str]) -> str | None:
    """The longest run of the phrase that names a known program."""
    for size in range(len(phrase), 0, -1):
        for first in range(len(phrase) - size + 1):
            app = app_named(" ".join(phrase[first:first + size]))
            if app is not None:
                return app.key
    return None


def _normalized(phrase: list[str], words: _Words) -> str | None:
    text = " ".join(phrase)
    known = _known(phrase)
    if known:
        return known
    named = lookup(words.names, text)
    if named:
        return str(named)
    if text in words.generic:
        return None
    return text


@dataclass(frozen=True)
class _Accounts:
    nouns: tuple[tuple[str, ...], ...]  # "user", "user account": as word sequences, longest first
    links: frozenset[str]
    name_first: bool
    function: frozenset[str]  # words that are never an account's name
    stems: tuple[str, ...]  # nor are words that begin so ("lock*": locked, locking)
    determiners: frozenset[str]
    # "log in as admin": word sequences before an account's name
    as_words: tuple[tuple[str, ...], ...]
    # "my Microsoft account": after these the word before the noun is a kind, not a name
    possessives: frozenset[str]


@cache
def _accounts(code: str) -> _Accounts:
    lex = load_lexicon(code)
    table = lex.data.get("subject", {})
    words = _words(code)
    nouns = sorted({tuple(fold(w).split()) for w in table.get("accounts", [])}, key=len, reverse=True)
    # the words of the statement grammar itself: "my account is locked", "Konto gesperrt"
    phrases = [w for value in [*lex.text.values(), *lex.symptoms.values()] if isinstance(value, list)
               for w in value]
    plain = [w for phrase in phrases for w in fold(phrase).split()]
    function = (words.links | words.determiners | words.leads | words.stops | words.generic
                | _folded(table.get("generic_accounts", [])) | _folded(table.get("account_links", []))
                | frozenset(w for w in plain if "*" not in w))
    stems = tuple(sorted({w.rstrip("*") for w in plain if w.endswith("*") and len(w) > 4}))
    as_words = sorted({tuple(fold(w).replace("'", "' ").split()) for w in table.get("account_as", [])},
                      key=len, reverse=True)
    return _Accounts(tuple(nouns), _folded(table.get("account_links", [])),
                     bool(table.get("name_before_account", False)), function, stems, words.determiners,
                     tuple(as_words), _folded(table.get("possessives", [])))


def find_account(marked: str, clause: tuple[int, int], code: str) -> str | None:
    """The user account a login symptom is about, when the clause names one: "user deploy",
    "the deploy account", "unser Deploy-Benutzer", "l'utilisateur deploy"; None for "my account"
    or a clause that names no account. `marked` is as for find_subject."""
    words = _words(code)
    acc = _accounts(code)
    tokens = [t.text for t in _tokens(marked, clause[0], clause[1], words.elisions)]
    for i, token in enumerate(tokens):
        # German compounds: "deploy-benutzer", "deploy-konto"
        head, dash, tail = token.rpartition("-")
        if dash and (tail,) in acc.nouns and _is_name(head, acc):
            return head
        noun = next((n for n in acc.nouns if tuple(tokens[i:i + len(n)]) == n), None)
        if noun is None:
            named = _named_as(tokens, i, acc)
            if named is not None:
                return named
            continue
        after = i + len(noun)
        if after < len(tokens) and tokens[after] in acc.links:
            after += 1
        if after < len(tokens) and _is_name(tokens[after], acc):
            return tokens[after]
        # a name before the noun follows an article or opens the clause: "the deploy user";
        # after a possessive it is the kind of account: "my Microsoft account", "our work account"
        opens = i == 1 or (i > 1 and tokens[i - 2] in acc.determiners and tokens[i - 2] not in acc.possessives)
        if acc.name_first and opens and _is_name(tokens[i - 1], acc):
            return tokens[i - 1]
    return None


def _named_as(tokens: list[str], i: int, acc: _Accounts) -> str | None:
    """"log in as admin", "accedere come admin": the name right after an as-word, unless the
    as-word compares ("as fast as")."""
    said = next((w for w in acc.as_words if tuple(tokens[i:i + len(w)]) == w), None)
    if said is None:
        return None
    after = i + len(said)
    if after >= len(tokens) or not _is_name(tokens[after], acc):
        return None
    if any(tuple(tokens[after + 1:after + 1 + len(w)]) == w for w in acc.as_words):
        return None
    return tokens[after]


def _is_name(token: str, acc: _Accounts) -> bool:
    """A word that may be a user name: letters, digits and . _ - $, not a word of the language's lists."""
    # a known program names the kind of account, not the account ("Outlook account")
    return (re.fullmatch(r"[\w.$-]+", token) is not None and not token.isdigit()
            and token not in acc.function and (token,) not in acc.nouns and not token.startswith(acc.stems)
            and app_named(token) is None)
