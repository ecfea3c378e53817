"""Typed access to the services every handler uses: `context.checklist`, `context.renderer`."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from handlers.checklist.service import Checklist
from handlers.i18n import Renderer
from handlers.services import SERVICES_KEY, Services

__all__ = ["SERVICES_KEY", "BotContext", "Services"]


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context with typed services (registered through ContextTypes)."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def services(self) -> Services:
        """The services registered by the composition root."""
        services = self.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        return services

    @property
    def checklist(self) -> Checklist:
        """The checklist use cases."""
        return self.services.checklist

    @property
    def renderer(self) -> Renderer:
        """Localised catalog strings and templates."""
        return self.services.renderer
