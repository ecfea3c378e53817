"""Build every use-case service from the settings: the one place they are wired together."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.metrics import Metrics
from bot.settings import Settings
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
from handlers.services import Services
from handlers.statistics.sector_means import SectorMeans
from handlers.statistics.service import Statistics

__all__ = ["build_services"]


def build_services(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], metrics: Metrics
) -> Services:
    """Every service the chat, the web panel, the stats API and the CLI use, fully configured."""
    knowledge = KnowledgeStore(session_factory, active_ttl=settings.kb_refresh_seconds)
    renderer = Renderer()
    return Services(
        checklist=Checklist(
            session_factory,
            knowledge,
            default_locale=settings.default_language,
            observer=metrics,
            sector_means=SectorMeans(k=settings.stats_k, ttl=settings.stats_sector_means_seconds),
        ),
        knowledge=knowledge,
        renderer=renderer,
        kb_admin=KnowledgeAdmin(session_factory, knowledge),
        organisations=OrganisationAdmin(session_factory, k=settings.stats_k),
        audit=AuditTrail(session_factory, actor_key=settings.audit_actor_key),
        privacy=Privacy(session_factory),
        reminders=Reminders(
            session_factory,
            knowledge,
            delay=timedelta(hours=settings.reminder_delay_hours),
            default_locale=settings.default_language,
            interval=timedelta(seconds=settings.reminder_interval_seconds),
        ),
        plans=Plans(
            session_factory,
            knowledge,
            default_locale=settings.default_language,
        ),
        statistics=Statistics(
            session_factory,
            knowledge,
            renderer,
            k=settings.stats_k,
            release_every=timedelta(hours=settings.stats_release_hours),
        ),
        charts=ChartDrawer(workers=settings.chart_workers),
        admin_ids=frozenset(settings.admin_ids),
    )
