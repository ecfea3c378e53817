"""Every use case the composition root builds, as one typed value (no Telegram: the web panel
and the stats API hold it too; handlers.context adds the PTB callback context around it)."""

from __future__ import annotations

from dataclasses import dataclass

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

__all__ = ["SERVICES_KEY", "Services"]

#: Where the services live in the PTB application's bot_data.
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
