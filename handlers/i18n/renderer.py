"""Localised text: short catalog strings and jinja2 templates for Telegram HTML, in fa and en."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from handlers.i18n.catalog import CHAT_FEATURES, load_catalogs
from handlers.i18n.citation import citation
from handlers.i18n.moments import moment_text
from knowledge import Locale, Text, to_persian_digits
from knowledge.interview_state import ORGANISATION_MAX_LENGTH

__all__ = ["Renderer", "bidi_isolate", "locale_for"]

_FSI, _PDI = "\u2068", "\u2069"


def locale_for(language_code: str | None, default: Locale) -> Locale:
    """The locale for a Telegram `language_code` ("fa-IR" -> fa), else `default`."""
    if not language_code:
        return default
    primary = language_code.split("-")[0].lower()
    return "fa" if primary == "fa" else "en"


def bidi_isolate(value: object) -> str:
    """Wrap a value that may run left-to-right (numbers, Latin names, DOIs) in FSI...PDI."""
    return f"{_FSI}{value}{_PDI}"


class Renderer:
    """Renders catalog strings and message templates for a locale."""

    def __init__(self, features: Sequence[str] = CHAT_FEATURES) -> None:
        """Load the catalogs and message templates of `features` (packages with `locales/`
        and `templates/` folders).

        Shared partials live in handlers/templates; each feature's templates beside it. A
        template name must be unique across features (the first one found wins otherwise).
        """
        self.catalogs = load_catalogs(features)
        self._fixed: dict[tuple[Locale, str, str | None], Markup] = {}
        loaders: list[jinja2.BaseLoader] = [jinja2.PackageLoader("handlers", "templates")]
        loaders += [
            jinja2.PackageLoader(feature, "templates")
            for feature in features
            if (resources.files(feature) / "templates").is_dir()
        ]
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=False,
            # Templates ship with the code: no file checks on every render (a stat each time).
            auto_reload=False,
        )
        # The notices' placeholders (notice.invalid_text names the limit).
        self.env.globals["organisation_max_length"] = ORGANISATION_MAX_LENGTH
        self.env.filters["num"] = jinja2.pass_context(
            lambda ctx, value, digits=0: self._number(ctx["locale"], value, digits)
        )
        # KB texts are stored with ASCII digits; Persian readers get Persian digits.
        self.env.filters["tr"] = jinja2.pass_context(lambda ctx, text: self.tr(ctx["locale"], text))
        self.env.filters["bidi"] = lambda value: bidi_isolate(value)
        self.env.filters["citation"] = citation
        self.env.filters["moment"] = jinja2.pass_context(
            lambda ctx, value: moment_text(ctx["locale"], value)
        )
        self.env.filters["digits"] = jinja2.pass_context(
            lambda ctx, value: self._digits(ctx["locale"], str(value))
        )

    def entry(self, locale: Locale, key: str, member: str | None = None) -> str:
        """The raw catalog entry: `key`, or one `member` of the group `key` (an enum's value)."""
        value = self.catalogs[locale][key]
        if member is not None:
            value = value[str(member)]
        if not isinstance(value, str):
            raise KeyError(f"{key} is a group: name one of its members")
        return value

    def text(self, locale: Locale, key: str, member: str | None = None, **values: Any) -> str:
        """A catalog string as plain text (for buttons, toasts and command menus)."""
        shown = {k: self._digits(locale, str(v)) for k, v in values.items()}
        return self.entry(locale, key, member).format(**shown)

    def tr(self, locale: Locale, text: Text) -> str:
        """A KB text in `locale`, with Persian digits for a Persian reader (the `tr` filter)."""
        return self._digits(locale, text.get(locale))

    def markup(self, locale: Locale, key: str, member: str | None = None, **values: Any) -> Markup:
        """A catalog string as Telegram HTML, with every value escaped."""
        if not values:  # most entries: formatted once (a results message uses hundreds)
            cache_key = (locale, key, member)
            fixed = self._fixed.get(cache_key)
            if fixed is None:
                fixed = self._fixed[cache_key] = Markup(self.entry(locale, key, member)).format()
            return fixed
        shown = {k: self._shown(locale, v) for k, v in values.items()}
        return Markup(self.entry(locale, key, member)).format(**shown)

    def render(self, locale: Locale, template: str, **data: Any) -> str:
        """Render `template` for `locale` with view data; the result is Telegram HTML."""
        tpl = self.env.get_template(template)

        def t(key: str, member: str | None = None, **values: Any) -> Markup:
            return self.markup(locale, key, member, **values)

        return tpl.render(locale=locale, t=t, **data).strip()

    def templates(self) -> list[str]:
        """Every message template, for tests that render them all."""
        return sorted(self.env.list_templates(extensions=["html"]))

    def _shown(self, locale: Locale, value: object) -> object:
        if isinstance(value, Markup):
            return value
        if isinstance(value, Text):
            return self._digits(locale, value.get(locale))
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self._number(locale, value, 0)
        return value

    @staticmethod
    def _digits(locale: Locale, text: str) -> str:
        return to_persian_digits(text) if locale == "fa" else text

    def _number(self, locale: Locale, value: float | int | None, digits: int) -> str:
        if value is None:
            return "—"
        text = f"{value:.{digits}f}" if digits else str(round(value))
        if locale == "fa":  # the Persian decimal separator: ۳۵٫۵, not ۳۵.۵
            text = text.replace(".", "\u066b")
        return self._digits(locale, text)
