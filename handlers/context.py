"""Typed access to the services every handler uses: `context.checklist`, `context.renderer`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from handlers.audit_trail import AuditTrail
from handlers.checklist.service import Checklist
from handlers.i18n import Renderer
from handlers.kb_admin.service import KnowledgeAdmin
from handlers.knowledge_store import KnowledgeStore
from handlers.organisations.service import OrganisationAdmin
from handlers.plan.service import Plans
from handlers.privacy.service import Privacy
from handlers.reminders.service import Reminders
from handlers.report.chart_drawer import ChartDrawer
from handlers.statistics.service import Statistics

__all__ = ["SERVICES_KEY", "BotContext", "Services"]

SERVICES_KEY = "services"


@dataclass(frozen=True)
class Services:
    """Every use case, built by the composition root (bot.services.build_services)."""

    checklist: Checklist
    knowledge: KnowledgeStore
    renderer: Renderer
    kb_admin: KnowledgeAdmin
    organisations: OrganisationAdmin
    audit: AuditTrail
    privacy: Privacy
    reminders: Reminders
    plans: Plans
    statistics: Statistics
    # Draws the result charts in a worker process, started on the first chart.
    charts: ChartDrawer
    admin_ids: frozenset[int]


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
