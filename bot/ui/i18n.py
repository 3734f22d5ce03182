"""Interface languages: gettext catalogs (Babel) for English, Russian, Belarusian, Ukrainian.

Message catalogs live as `.po` files in `bot/locales/<lang>/LC_MESSAGES/outpost.po` and are
compiled in memory with Babel when first used, so the repository holds no binary `.mo`
files and a translator edits only text. English is the source language: its catalog is the
message ids themselves.

Code marks strings with `_ = tr.gettext` / `tr.ngettext` on a translator obtained from
`translator(lang)`; `pybabel extract -F babel.cfg` (see README) finds them.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("en", "ru", "be", "uk")
DEFAULT = "en"
DOMAIN = "outpost"
NAMES = {"en": "English", "ru": "Русский", "be": "Беларуская", "uk": "Українська"}

Translator = gettext.NullTranslations


def pick_language(code: str | None) -> str:
    """Map a Telegram language code ("ru", "be-BY", "uk") to a supported language."""
    if not code:
        return DEFAULT
    base = code.replace("_", "-").split("-", 1)[0].lower()
    return base if base in LANGUAGES else DEFAULT


def po_text(lang: str) -> str | None:
    """Return the packaged `.po` source of a language, or None for English."""
    if lang == DEFAULT:
        return None
    path = resources.files("bot").joinpath("locales", lang, "LC_MESSAGES", f"{DOMAIN}.po")
    return path.read_text(encoding="utf-8")


@cache
def translator(lang: str) -> Translator:
    """Return the translations of a language (English: the message ids themselves)."""
    source = po_text(pick_language(lang))
    if source is None:
        return gettext.NullTranslations()
    catalog = read_po(io.StringIO(source), locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def N_(message: str) -> str:  # noqa: N802 -- gettext's conventional name for "mark only"
    """Mark a message id for extraction where it is translated later."""
    return message


class TranslatableError(ValueError):
    """An error a user should read in their language.

    `template` is a message id (marked with N_ where it is raised) and `values` fill it in,
    so a handler can say it with `ui._(error.template).format(**error.values)`.
    """

    def __init__(self, template: str, **values: object) -> None:
        super().__init__(template.format(**values))
        self.template = template
        self.values = values
