"""Claims x timeline -> findings: one explicit registry, one module per claim kind."""

from __future__ import annotations

from collections.abc import Callable

from evidence.checks import change, crash, login, onset, outage, popup, reboot, slowness
from evidence.checks.model import CheckInput, Finding, Verdict

CHECKS: dict[str, Callable[[CheckInput], Finding]] = {
    "onset": onset.check,
    "slowness": slowness.check,
    "popup": popup.check,
    "outage": outage.check,
    "login": login.check,
    "reboot": reboot.check,
    "crash": crash.check,
    "change": change.check,
}


def run_check(ci: CheckInput) -> Finding:
    """The finding for one claim; a kind with no check is inconclusive, never dropped."""
    check = CHECKS.get(str(ci.claim.get("kind")))
    if check is None:
        return Finding(Verdict.INCONCLUSIVE, f"No check exists for claims of kind {ci.claim.get('kind')!r}.",
                       missing="A check for this kind of claim.")
    return check(ci)


__all__ = ["CHECKS", "CheckInput", "Finding", "Verdict", "run_check"]
