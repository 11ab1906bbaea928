"""Language data for evidence.claims: lang/<xx>.toml loaded, folded and compiled to regexes."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from evidence.claims.model import SYMPTOM_KINDS, ClaimsInputError, Kind

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})


def fold(text: str) -> str:
    """Lowercase without accents, one character per character so spans stay valid."""
    out = []
    for char in text.translate(_QUOTES):
        low = char.lower()
        base = "".join(c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c))
        out.append(base[0] if base else low[0])
    return "".join(out)


def phrase_pattern(phrase: str, glued: bool = False) -> str:
    """Regex for one data phrase: spaces match any run of blanks, * any word ending."""
    folded = fold(phrase).strip()
    body = []
    for char in folded:
        if char == "*":
            body.append(r"\w*")
        elif char == " ":
            body.append(r"\s+")
        elif char == "-":
            body.append(r"[-\s]?")
        elif char == "'":
            body.append(r"'\s*")
        else:
            body.append(re.escape(char))
    # A glued phrase may follow a word character directly, as "pm" in "11pm".
    head = r"(?<!\w)" if folded[:1].isalnum() and not glued else ""
    tail = r"(?!\w)" if folded[-1:].isalnum() or folded.endswith("*") or folded.endswith(".") else ""
    if folded.endswith("."):
        tail = ""
    return head + "".join(body) + tail


def alternation(phrases, glued: bool = False) -> str:
    """One group matching any of the phrases, longest first so the regex prefers them."""
    unique = sorted({p for p in phrases if p.strip()}, key=lambda p: (-len(p), p))
    if not unique:
        return r"(?!x)x"
    return "(?:" + "|".join(phrase_pattern(p, glued) for p in unique) + ")"


# Between two parts of a symptom phrase: blanks, or nothing after an elision ("n'est", "s'affiche").
_JOIN = r"(?:(?<=')\s*|\s+)"
# {gap}: up to three words the customer put in between ("can't even reach", "gives us an error").
_GAP = r"(?:\w+'\s*|[\w']+\s+){0,3}?"
_SLOT = re.compile(r"^\{(\w+)\}$")


def compose(pattern: str, slots: dict[str, list[str]], where: str) -> str:
    """Regex for one grammar pattern: {slot} = any phrase of that word list, {gap} = a few
    words, anything else = that word (with the usual * and accent rules)."""
    parts: list[str] = []
    gap = False
    for token in pattern.split():
        slot = _SLOT.match(token)
        if slot and slot.group(1) == "gap":
            gap = True
            continue
        if slot and slot.group(1) not in slots:
            raise ValueError(f"{where}: pattern {pattern!r} names unknown word list {{{slot.group(1)}}}")
        piece = alternation(slots[slot.group(1)]) if slot else phrase_pattern(token)
        if parts:
            parts.append(_JOIN + (_GAP if gap else ""))
        parts.append(piece)
        gap = False
    if not parts or gap:
        raise ValueError(f"{where}: pattern {pattern!r} must start and end with words")
    return "".join(parts)


def lookup(table: dict, text: str):
    """Value for the data key that a matched (folded) text stands for, blanks collapsed."""
    wanted = " ".join(fold(text).replace("' ", "'").split())
    for key, value in table.items():
        if " ".join(fold(key).replace("' ", "'").split()) == wanted:
            return value
    return None


@dataclass(frozen=True)
class Lexicon:
    """One language's words, as loaded from its data file."""

    code: str
    name: str
    data: dict

    @property
    def text(self) -> dict:
        return self.data.get("text", {})

    @property
    def time(self) -> dict:
        return self.data["time"]

    @property
    def symptoms(self) -> dict[Kind, list[str]]:
        raw = self.data.get("symptoms", {})
        return {kind: raw.get(str(kind), []) for kind in SYMPTOM_KINDS}

    def symptom_regex(self, kind: Kind) -> str:
        """The symptom's phrases, and the phrases its grammar builds from word lists
        ([grammar.<kind>]: patterns over its own lists and the [text] ones such as inability)."""
        from evidence.claims.apps import app_names  # the table reads fold() from here

        table = self.data.get("grammar", {}).get(str(kind), {})
        # {app}: any program the table knows ("can't open Outlook")
        slots = {"app": app_names(), **{k: v for k, v in self.text.items() if isinstance(v, list)},
                 **{k: v for k, v in table.items() if k != "patterns"}}
        where = f"lang/{self.code}.toml [grammar.{kind}]"
        built = [compose(p, slots, where) for p in table.get("patterns", [])]
        return "|".join([alternation(self.symptoms[kind]), *built])

    def vocabulary(self) -> set[str]:
        """Folded single words that hint at this language, for detection."""
        words: set[str] = set()
        t = self.time
        phrases = list(self.data.get("detect", {}).get("words", []))
        for key in ("weekdays", "months"):
            for forms in t.get(key, []):
                phrases.extend(forms)
        for key in ("parts", "units"):
            for forms in t.get(key, {}).values():
                phrases.extend(forms)
        for key in ("numbers", "relative_days", "compounds", "vague_amounts", "holidays",
                    "recurring", "whiles"):
            phrases.extend(t.get(key, {}))
        for key in ("since", "ago_before", "ago_after", "last", "this", "every"):
            phrases.extend(t.get(key, []))
        phrases.extend(self.text.get("denials", []))
        for forms in self.symptoms.values():
            phrases.extend(forms)
        for table in self.data.get("grammar", {}).values():
            for name, forms in table.items():
                if name != "patterns":
                    phrases.extend(forms)
        for phrase in phrases:
            for word in re.findall(r"\w+", fold(phrase.replace("*", ""))):
                if len(word) > 1:
                    words.add(word)
        return words


def available_languages() -> tuple[str, ...]:
    folder = resources.files("evidence.claims").joinpath("lang")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


@cache
def load_lexicon(code: str) -> Lexicon:
    if code not in available_languages():
        supported = ", ".join(available_languages())
        raise ClaimsInputError(f"unsupported language {code!r} (supported: {supported})")
    raw = resources.files("evidence.claims").joinpath("lang").joinpath(f"{code}.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    meta = data.get("language", {})
    return Lexicon(code=meta.get("code", code), name=meta.get("name", code), data=data)


@cache
def _vocabularies() -> dict[str, set[str]]:
    return {code: load_lexicon(code).vocabulary() for code in available_languages()}


def detect_language(text: str, default: str = "en") -> str:
    """The language whose words the text uses most; a word shared by n languages counts 1/n."""
    vocab = _vocabularies()
    scores = dict.fromkeys(vocab, 0.0)
    for word in re.findall(r"\w+", fold(text)):
        owners = [code for code, words in vocab.items() if word in words]
        for code in owners:
            scores[code] += 1 / len(owners)
    best = max(scores.values(), default=0.0)
    if best == 0:
        return default
    # Ties go to the default, then to alphabetical order, so the result is stable.
    leaders = [code for code, score in scores.items() if score == best]
    return default if default in leaders else sorted(leaders)[0]
