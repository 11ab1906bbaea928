"""Programs customers name, as data (apps.toml): read by the claims (subjects) and the checks (aliases)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from evidence.claims.lexicon import fold


@dataclass(frozen=True)
class App:
    """One program or service: its subject name, the words for it, how the logs name it."""

    key: str
    names: tuple[str, ...]
    images: tuple[str, ...]
    formats: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()


def image_key(name: str) -> str:
    """A program name as compared: no directory, no case, no ".exe" or ".service"
    ("C:\\...\\OUTLOOK.EXE" -> "outlook", "mysql.service" -> "mysql")."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lower()
    for suffix in (".exe", ".service"):
        base = base.removesuffix(suffix)
    return base


def _phrase(text: str) -> str:
    return " ".join(fold(text).replace("-", " ").split())


@cache
def _table() -> dict:
    raw = resources.files("evidence.claims").joinpath("apps.toml").read_text("utf-8")
    return tomllib.loads(raw)


@cache
def apps() -> dict[str, App]:
    return {key: App(key, tuple(entry.get("names", [key])), tuple(entry.get("images", [])),
                     tuple(entry.get("formats", [])), tuple(entry.get("platforms", [])))
            for key, entry in _table().get("app", {}).items()}


@cache
def platform_formats() -> dict[str, tuple[str, ...]]:
    """Formats whose logs record any program's crashes on each platform."""
    return {name: tuple(formats) for name, formats in _table().get("platforms", {}).items()}


@cache
def _by_phrase() -> dict[str, App]:
    found: dict[str, App] = {}
    for app in apps().values():
        for name in (app.key, *app.names):
            found.setdefault(_phrase(name), app)
    return found


def app_named(text: str) -> App | None:
    """The app a phrase names ("Google Chrome", "MS-Teams", "servidor de correo"), if known."""
    return _by_phrase().get(_phrase(text))


def app_names() -> list[str]:
    """Every name the table knows, for the grammar's {app} word list."""
    return sorted({name for app in apps().values() for name in (app.key, *app.names)})
