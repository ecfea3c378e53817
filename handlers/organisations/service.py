"""Organisations as use cases: add one with a short deep-link code, list them with counts."""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge import normalise_text
from knowledge.interview_state import ORGANISATION_MAX_LENGTH
from storage import audit as audit_store
from storage import organisations as organisation_store
from storage.models import Organisation

__all__ = [
    "ORG_CODE_ALPHABET",
    "ORG_CODE_LENGTH",
    "OrgRefusal",
    "OrganisationAdded",
    "OrganisationAdmin",
    "OrganisationInfo",
    "deep_link",
    "new_org_code",
    "qr_png",
]

# Lower-case letters and digits without the look-alikes 0/o, 1/i/l: easy to read aloud or type.
ORG_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
ORG_CODE_LENGTH = 6
_CODE_ATTEMPTS = 8


class OrgRefusal(StrEnum):
    """Why an organisation name was not accepted."""

    EMPTY = "empty"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class OrganisationInfo:
    """An organisation as shown to administrators; `respondents` is a published count:
    perturbed, None when fewer than k completed (docs/privacy.md)."""

    code: str
    name: str
    created_at: datetime
    respondents: int | None = None


@dataclass(frozen=True)
class OrganisationAdded:
    """The organisation (new, or the one that already had this name), or a refusal."""

    organisation: OrganisationInfo | None
    created: bool = False
    refusal: OrgRefusal | None = None


def new_org_code() -> str:
    """A random code of ORG_CODE_LENGTH characters from ORG_CODE_ALPHABET."""
    return "".join(secrets.choice(ORG_CODE_ALPHABET) for _ in range(ORG_CODE_LENGTH))


def deep_link(bot_username: str, code: str, *, base: str = "https://t.me") -> str:
    """The link that opens the bot with the organisation preset."""
    return f"{base}/{bot_username}?start=org_{code}"


def qr_png(text: str) -> bytes:
    """A QR code of `text` as a PNG image, large enough to print."""
    import qrcode  # with Pillow: imported by the first QR code, not at start-up
    from qrcode.constants import ERROR_CORRECT_M
    from qrcode.image.pil import PilImage

    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, box_size=16, border=4, image_factory=PilImage
    )
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


def _info(organisation: Organisation, respondents: int | None = None) -> OrganisationInfo:
    return OrganisationInfo(
        organisation.code, organisation.name, organisation.created_at, respondents
    )


class OrganisationAdmin:
    """Create organisations with deep-link codes and list them; every addition is audited."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        k: int = 5,
        new_code: Callable[[], str] = new_org_code,
    ) -> None:
        self._session_factory = session_factory
        self._new_code = new_code
        self.k = k

    async def add(self, name: str, *, author: str) -> OrganisationAdded:
        """Create the organisation `name`, or return the one that already has that name."""
        name = normalise_text(name)
        if not name:
            return OrganisationAdded(None, refusal=OrgRefusal.EMPTY)
        if len(name) > ORGANISATION_MAX_LENGTH:
            return OrganisationAdded(None, refusal=OrgRefusal.TOO_LONG)
        async with self._session_factory() as session, session.begin():
            existing = await organisation_store.get_organisation_by_name(session=session, name=name)
            created = existing is None
            if existing is None:
                code = await self._free_code(session)
                organisation = await organisation_store.create_organisation(
                    session=session, code=code, name=name, created_by=author
                )
            else:
                organisation = existing
            await audit_store.add_audit_entry(
                session=session,
                actor=author,
                action="org.add",
                detail={"code": organisation.code, "name": name, "created": created},
            )
        return OrganisationAdded(_info(organisation), created=created)

    async def organisations(self) -> list[OrganisationInfo]:
        """Every organisation, oldest first, with its published count of respondents."""
        async with self._session_factory() as session:
            rows = await organisation_store.list_organisations(session=session, k=self.k)
        return [_info(row.organisation, row.respondents) for row in rows]

    async def _free_code(self, session: AsyncSession) -> str:
        for _ in range(_CODE_ATTEMPTS):
            code = self._new_code()
            if (
                await organisation_store.get_organisation_by_code(session=session, code=code)
                is None
            ):
                return code
        raise RuntimeError(f"no free organisation code after {_CODE_ATTEMPTS} attempts")
