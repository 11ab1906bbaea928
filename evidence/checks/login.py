"""Login claims ("I can't log in", "I only typed my password once") x timeline -> finding: the account's failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from evidence.checks.citing import MAX_EVIDENCE, evidence_rows, names, observed, pick_evidence
from evidence.checks.coverage import covering, sources_with
from evidence.checks.model import CheckInput, Finding, Verdict, between
from evidence.checks.presence import presence

FAILURES = ("login_failed", "account_locked")
# A login claim's sense (evidence.claims LoginSense): "nobody logged in" is about successes.
ACCESS = "access"
SHOWN_SOURCES = 3
# Windows 4625 SubStatus: the user name does not exist.
UNKNOWN_USER_STATUS = "0xc0000064"
# Lines of one sshd connection (same host, process and pid) this close to an "Invalid user" line
# belong to that attempt: the pam_unix "authentication failure" that names no user.
SAME_ATTEMPT = timedelta(minutes=2)
# Tries in one sitting: failures further apart than this, or split by a successful login, are
# separate runs.
RUN_GAP = timedelta(hours=1)
SHOWN_ACCOUNTS = 3
# Windows logon types (4624 LogonType): 3 network (RDP's NLA, shares), 10 RemoteInteractive (RDP);
# 0 and 5 are the system's own and services' logons, nobody logging in.
REMOTE_LOGON_TYPES = ("3", "10")
SERVICE_LOGON_TYPES = ("0", "5")
# Accounts of the system itself: Windows service accounts, the window manager's and font
# driver's sessions (DWM-1, UMFD-0) and machine accounts (PC-LUCIA$).
SYSTEM_ACCOUNTS = ("system", "local service", "network service", "anonymous logon", "localsystem")
SYSTEM_ACCOUNT_NAMES = r"^(?:dwm|umfd)-\d+$|\$$"
# Source addresses of this machine: a logon from them came from no other one.
LOCAL_ADDRESS = r"^(?:-|::1?|0\.0\.0\.0|127\.\d+\.\d+\.\d+|::ffff:127\.\d+\.\d+\.\d+|localhost)?$"
# Remote Desktop: RemoteConnectionManager 1149, user authenticated on the RDP listener.
RDP_AUTHENTICATED = "1149"
MISSING = ("No authentication log in the case: the Windows Security log (events 4625, 4740) or "
           "/var/log/auth.log (secure) would show failed logins and lockouts.")


def symptom() -> pl.Expr:
    return pl.col("action").is_in(FAILURES)


def user_key(expr: pl.Expr | None = None) -> pl.Expr:
    """A user name as compared: lowercase, without a DOMAIN\\ prefix or an @domain suffix."""
    expr = pl.col("user") if expr is None else expr
    return expr.str.to_lowercase().str.replace(r"^.*\\", "").str.replace(r"@.*$", "").str.strip_chars()


def unknown_user() -> pl.Expr:
    """Failures for accounts that do not exist: sshd's "Invalid user X" and "Failed password for
    invalid user X" (extra.unknown_user, set by the sshd rules), Windows 4625 with SubStatus
    0xC0000064. Scanners trying names, not a customer who cannot log in."""
    extra = pl.col("extra")
    marked = extra.str.json_path_match("$.unknown_user").is_not_null()
    windows = extra.str.json_path_match("$.sub_status").str.to_lowercase() == UNKNOWN_USER_STATUS
    return (marked | windows).fill_null(False)


def scanner_ids(frame: pl.DataFrame) -> pl.Series:
    """Failure events of attempts on accounts that do not exist, with the lines of the same
    connection that name no user (pam_unix logs none for an unknown user)."""
    failures = frame.filter(symptom())
    marks = failures.filter(unknown_user())
    keys = [pl.col(c).cast(pl.String).fill_null("").alias(f"_{c}") for c in ("host", "process", "pid")]
    linked = (failures.filter(pl.col("pid").is_not_null() & pl.col("user").is_null())
              .with_columns(keys)
              .join(marks.filter(pl.col("pid").is_not_null()).with_columns(keys)
                    .select("_host", "_process", "_pid", pl.col("timestamp").alias("_mark")),
                    on=["_host", "_process", "_pid"])
              .filter((pl.col("timestamp") - pl.col("_mark")).abs() <= SAME_ATTEMPT))
    return pl.concat([marks["event_id"], linked["event_id"]]).unique()


@dataclass(frozen=True)
class Failures:
    """A login claim's failures: the account's own, other accounts', and scanners' (accounts
    that do not exist); `account` is None when the claim names none or no log names it."""

    mine: pl.DataFrame
    others: pl.DataFrame
    scanners: pl.DataFrame
    account: str | None
    note: str = ""


def failures_for(frame: pl.DataFrame, claim: dict | None) -> Failures:
    """The failures a login claim is about. Unknown accounts are left out unless the claim
    names one; a named account keeps its own failures when some log names it."""
    hits = frame.filter(symptom())
    scanning = pl.col("event_id").is_in(scanner_ids(frame).implode())
    named = (claim or {}).get("subject")
    account = " ".join(named.lower().split()) if isinstance(named, str) and named.strip() else None
    known = frame.filter(pl.col("category") == "auth").select(user_key().alias("_u"))["_u"].to_list()
    if account is None or account not in known:
        note = (f" No authentication log names the account {account!r}: every account's failures are counted."
                if account else "")
        return Failures(hits.filter(~scanning), hits.clear(), hits.filter(scanning), None, note)
    is_mine = (user_key() == account).fill_null(False)
    rest = hits.filter(~is_mine)
    return Failures(hits.filter(is_mine), rest.filter(~scanning), rest.filter(scanning), account)


def able(frame: pl.DataFrame) -> list[str]:
    return sources_with(frame, pl.col("category") == "auth")


def check(ci: CheckInput) -> Finding:
    if ci.claim.get("attempts") is not None:
        return attempts(ci)
    if ci.claim.get("sense") == ACCESS:
        return access(ci)
    start, end, _ = ci.window()
    parts = failures_for(ci.frame, ci.claim)
    what = (f"failed logins or lockouts of {parts.account}" if parts.account
            else "failed logins or account lockouts")
    finding = presence(ci, parts.mine, able(ci.frame), start, end, baseline=True, what=what, missing=MISSING)
    finding.explanation += parts.note + _context_words(parts, start, end)
    return finding


def success() -> pl.Expr:
    return (pl.col("action") == "login") & (pl.col("outcome") == "success")


def _logon_type() -> pl.Expr:
    return pl.col("extra").str.json_path_match("$.logon_type").str.strip_chars()


def service_logon() -> pl.Expr:
    """The system logging itself or a service on (4624 type 5, SYSTEM, machine accounts): nobody
    logging in."""
    user = user_key()
    system = (_logon_type().is_in(SERVICE_LOGON_TYPES) | user.is_in(SYSTEM_ACCOUNTS)
              | user.str.contains(SYSTEM_ACCOUNT_NAMES))
    return system.fill_null(False)


def remote_address() -> pl.Expr:
    return (pl.col("src_ip").is_not_null() & ~pl.col("src_ip").str.strip_chars().str.to_lowercase()
            .str.contains(LOCAL_ADDRESS)).fill_null(False)


def remote_logon() -> pl.Expr:
    """A logon from another machine: Windows 4624 of type 3 or 10 from another address, RDP
    1149, and any other login (sshd "Accepted ... from") whose source address is not this machine."""
    windows = _logon_type().is_not_null()
    return (pl.when(windows).then(_logon_type().is_in(REMOTE_LOGON_TYPES) & remote_address())
            .when(pl.col("event_code") == RDP_AUTHENTICATED).then(True)
            .otherwise(remote_address())).fill_null(False)


def access(ci: CheckInput) -> Finding:
    """"Nobody logged in over the weekend" / "someone logged in to my account": successful logins
    in the window decide (of the account named, when some log names it); an address or account
    never seen logging in before the window is said, as the likely stranger. The system's and
    services' own logons are nobody's; "someone logged in remotely" counts only remote logons."""
    start, end, _ = ci.window()
    remote = bool(ci.claim.get("remote"))
    hits = ci.frame.filter(success() & ~service_logon())
    if remote:
        hits = hits.filter(remote_logon())
    named = ci.claim.get("subject")
    account = " ".join(named.lower().split()) if isinstance(named, str) and named.strip() else None
    if account is not None and hits.filter(user_key() == account).height:
        hits = hits.filter(user_key() == account)
    kind = "successful remote logins" if remote else "successful logins"
    what = f"{kind} of {account}" if account else kind
    finding = presence(ci, hits, able(ci.frame), start, end, what=what, missing=MISSING)
    finding.explanation += _newcomer_words(hits, start, end)
    return finding


def _newcomer_words(hits: pl.DataFrame, start, end) -> str:
    """Source addresses and accounts that log in inside the window and never did before it."""
    before = hits.filter(pl.col("timestamp") < start)
    inside = hits.filter(between(start, end))
    words = ""
    for column, noun in (("src_ip", "address(es)"), ("user", "account(s)")):
        seen = set(before[column].drop_nulls().to_list())
        new = sorted(set(inside[column].drop_nulls().to_list()) - seen)
        if new and before.height:
            words += f" New {noun} never seen logging in before the window: {', '.join(new[:SHOWN_SOURCES])}."
    return words


def _context_words(parts: Failures, start, end) -> str:
    """Other accounts' failures and scanners' in the window: mentioned, never counted."""
    words = ""
    others = parts.others.filter(between(start, end))
    if others.height:
        counts = (others.with_columns(user_key().fill_null("?").alias("_u")).group_by("_u").len()
                  .sort(["len", "_u"], descending=[True, False]))
        shown = [f"{u} {n}" for u, n in counts.head(SHOWN_ACCOUNTS).iter_rows()]
        if counts.height > SHOWN_ACCOUNTS:
            shown.append(f"{counts.height - SHOWN_ACCOUNTS} more")
        words += f" {others.height} failure(s) of other accounts in the window ({', '.join(shown)})."
    scanners = parts.scanners.filter(between(start, end))
    if scanners.height:
        words += (f" {scanners.height} failure line(s) in the window are attempts on accounts that do not "
                  "exist (scanners), not counted.")
    return words


# --- "I only typed my password once": the number of tries ------------------------------------

def _episode_window(ci: CheckInput):
    """The claim's window, else that of the statement's login it counts the tries of ("I got
    locked out this morning, I only typed my password once")."""
    if ci.claim.get("window"):
        return ci.window()
    for other in ci.claims.values():
        if other.get("kind") == "login" and other.get("attempts") is None and other.get("id") != ci.claim.get("id"):
            sibling = CheckInput(other, ci.timeline, ci.reported_at, ci.claims, ci.zone)
            start, end, given = sibling.window()
            if given:
                return start, end, given
    return ci.window()


def attempt_weight() -> pl.Expr:
    """How many tries a failure line stands for: rsyslog's "message repeated N times" folds N."""
    return pl.col("extra").str.json_path_match("$.repeated").cast(pl.Int64, strict=False).fill_null(1)


def tries(frame: pl.DataFrame, failures: pl.DataFrame) -> pl.DataFrame:
    """Failed tries, one row each: a connection logged both by PAM and by sshd ("authentication
    failure" and "Failed password", same pid) counts once, by the line that names the method."""
    rows = failures.filter(pl.col("action") == "login_failed")
    method = pl.col("extra").str.json_path_match("$.auth_method").is_not_null()
    keyed = rows.with_columns(pl.concat_str([pl.col("host").fill_null(""), pl.col("process").fill_null(""),
                                             pl.col("pid").cast(pl.String).fill_null(pl.col("event_id"))],
                                            separator="|").alias("_conn"))
    has_method = keyed.group_by("_conn").agg(method.any().alias("_named"))
    keyed = keyed.join(has_method, on="_conn", how="left")
    return keyed.filter(method | ~pl.col("_named")).drop("_conn", "_named")


def runs(frame: pl.DataFrame, tried: pl.DataFrame) -> pl.DataFrame:
    """Each try with `_run`: the tries of one account in one sitting, split by a successful
    login of that account or an hour without a try; lockouts close the run they end."""
    success = frame.filter((pl.col("action") == "login") & (pl.col("outcome") == "success"))
    marks = pl.concat([
        tried.select("event_id", "timestamp", user_key().alias("_u"), attempt_weight().alias("_n"),
                     pl.lit(False).alias("_ok")),
        success.select("event_id", "timestamp", user_key().alias("_u"), pl.lit(0, dtype=pl.Int64).alias("_n"),
                       pl.lit(True).alias("_ok")),
    ]).with_columns(pl.col("_u").fill_null(""))
    marks = marks.sort(["_u", "timestamp", "event_id"])
    gap = (pl.col("timestamp") - pl.col("timestamp").shift(1).over("_u")) > RUN_GAP
    sitting = (pl.col("_ok") | gap.fill_null(True)).cast(pl.Int64).cum_sum().over("_u")
    marks = marks.with_columns(pl.concat_str([pl.col("_u"), sitting], separator="#").alias("_run"))
    return marks.filter(~pl.col("_ok")).select("event_id", "_u", "_n", "_run")


def attempts(ci: CheckInput) -> Finding:
    """At most N tries: the account's failed tries in one sitting (the one that ended in a
    lockout when there was one) against the number the customer gives."""
    limit = int(ci.claim["attempts"])
    start, end, _ = _episode_window(ci)
    sources = able(ci.frame)
    span = f"from {ci.show(start)} to {ci.show(end)}"
    if not sources:
        return Finding(Verdict.INCONCLUSIVE, "No source in the case records failed logins.", missing=MISSING)
    parts = failures_for(ci.frame, ci.claim)
    in_window = parts.mine.filter(between(start, end))
    tried = tries(ci.frame, in_window)
    lockouts = in_window.filter(pl.col("action") == "account_locked")
    said = f"the statement says {limit} {'try' if limit == 1 else 'tries'}"
    if tried.height == 0:
        full = covering(ci, sources, start, end)
        if not full:
            return Finding(Verdict.INCONCLUSIVE, f"No failed login {span}, but the authentication logs "
                           f"({names(sources)}) do not cover the whole window.",
                           missing=f"Authentication logs covering {span}.")
        quiet = ci.frame.filter(pl.col("source_file").is_in(full) & between(start, end))
        return Finding(Verdict.SUPPORTED, f"No failed login {span} ({said}), while {names(full)} recorded events "
                       "throughout it.", pick_evidence(quiet, limit=3), observed(quiet))
    seated = tried.join(runs(ci.frame, tried), on="event_id")
    # tries typed into a locked account did not lead to the lockout: count those before it
    first_lock = (lockouts.group_by(user_key().fill_null("").alias("_u"))
                  .agg(pl.col("timestamp").min().alias("_lock")))
    seated = (seated.join(first_lock, on="_u", how="left")
              .filter(pl.col("_lock").is_null() | (pl.col("timestamp") <= pl.col("_lock"))).drop("_lock"))
    if seated.height == 0:
        return Finding(Verdict.SUPPORTED, f"No failed login before the account was locked at "
                       f"{ci.show(lockouts['timestamp'].min())}; {said}.", evidence_rows(lockouts.head(1)),
                       observed(lockouts.head(1)))
    per_run = seated.group_by("_run").agg(pl.col("_n").sum().alias("_tries"), pl.col("_u").first(),
                                          pl.col("timestamp").max().alias("_last"))
    locked_users = lockouts.select(user_key().fill_null("").alias("_u"))["_u"].to_list()
    # the sitting that ended in the lockout tells the most; else the longest one
    per_run = per_run.with_columns(pl.col("_u").is_in(locked_users).alias("_locked"))
    worst = per_run.sort(["_locked", "_tries", "_last"], descending=[True, True, False]).row(0, named=True)
    run = seated.filter(pl.col("_run") == worst["_run"]).drop("_run", "_u", "_n")
    lock = lockouts.filter(user_key().fill_null("") == worst["_u"])
    count = int(worst["_tries"])
    too_many = count > limit if not ci.denied else count >= limit
    who = f" for {worst['_u']}" if worst["_u"] else ""
    first, last = run["timestamp"].min(), run["timestamp"].max()
    when = f"at {ci.show(first)}" if first == last else f"between {ci.show(first)} and {ci.show(last)}"
    locked = f", then the account was locked at {ci.show(lock['timestamp'].min())}" if lock.height else ""
    # the first tries, and the lockout they led to
    shown = pl.concat([run.sort("timestamp").head(MAX_EVIDENCE - 1), lock.sort("timestamp").head(1)],
                      how="diagonal_relaxed")
    text = f"{count} failed login(s){who} {when}{locked}; {said}."
    if too_many:
        return Finding(Verdict.CONTRADICTED, text + f" The logs show {count - limit} more than that.",
                       evidence_rows(shown), observed(shown))
    return Finding(Verdict.SUPPORTED, text, evidence_rows(shown), observed(shown))
