"""Fixtures for the administrators' commands."""

from tests.auxil.admin_bot import bot

__all__ = ["bot"]
