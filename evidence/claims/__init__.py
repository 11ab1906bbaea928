"""Customer statements -> claims (kind, polarity, window): the only user of dateparser.

`read_claims` reads one statement anchored at the moment it was made, in the customer's zone;
`load_claims_file` reads a TOML or JSON list of statements or structured claims.
"""

from evidence.claims.claimsfile import load_claims_file
from evidence.claims.lexicon import available_languages, detect_language
from evidence.claims.model import (
    Claim,
    ClaimsInputError,
    ClaimsResult,
    Kind,
    Polarity,
    Precision,
    Window,
)
from evidence.claims.reader import parse_reported_at, read_claims

__all__ = [
    "Claim",
    "ClaimsInputError",
    "ClaimsResult",
    "Kind",
    "Polarity",
    "Precision",
    "Window",
    "available_languages",
    "detect_language",
    "load_claims_file",
    "parse_reported_at",
    "read_claims",
]
