"""The Bot API methods the emulator implements, with Telegram's validation and errors."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.emulator.errors import ApiError, bad_request, conflict
from bot.emulator.messaging import MessageMethods
from bot.emulator.params import Params
from bot.emulator.state import EmulatorState


@dataclass
class Answer:
    """A successful result with Telegram's optional human-readable description."""

    result: Any
    description: str | None = None


Handler = Callable[[Params], Awaitable[Any]]

METHOD_NAMES = (
    "getMe",
    "logOut",
    "close",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "sendChatAction",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "deleteMessage",
    "answerCallbackQuery",
    "getFile",
    "getChat",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "setMyDescription",
    "setMyShortDescription",
    "setMyName",
    "setChatMenuButton",
)
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _snake(name: str) -> str:
    """Convert a camelCase method name to the snake_case handler name."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


class BotApiMethods(MessageMethods):
    """Implements the Bot API methods against one emulator's state."""

    def __init__(self, emulator: EmulatorState) -> None:
        """Bind to ``emulator`` and build the case-insensitive method table."""
        self.emu = emulator
        self._table: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, getattr(self, _snake(name))) for name in METHOD_NAMES
        }

    def resolve(self, name: str) -> tuple[str, Handler] | None:
        """Return (canonical name, handler) for a method name in any letter case."""
        return self._table.get(name.lower())

    @staticmethod
    def _scope_key(p: Params) -> tuple[str, str]:
        """Return the (scope, language_code) key of a commands method."""
        scope = p.get_json("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        language = p.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        return json.dumps(scope, sort_keys=True), language

    # ------------------------------------------------------------------ bot & updates

    async def get_me(self, p: Params) -> dict[str, Any]:
        """Describe the bot."""
        return {
            **self.emu.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def log_out(self, p: Params) -> bool:
        """Pretend to log out from the cloud Bot API server."""
        return True

    async def close(self, p: Params) -> bool:
        """Pretend to close the bot instance."""
        return True

    async def get_updates(self, p: Params) -> list[dict[str, Any]]:
        """Long-poll for updates."""
        if self.emu.webhook.active:
            raise conflict(
                "can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
        limit = p.get_int("limit") or 100
        timeout = max(0.0, p.get_number("timeout") or 0.0)
        return await self.emu.poll_updates(p.get_int("offset"), max(1, min(limit, 100)), timeout)

    async def set_webhook(self, p: Params) -> Answer:
        """Set (or, with an empty url, remove) the webhook."""
        url = p.get_str("url") or ""
        if not url:
            return await self.delete_webhook(p)
        if not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
            raise bad_request("bad webhook: Wrong HTTP URL specified")
        secret = p.get_str("secret_token")
        if secret is not None and not _SECRET_RE.match(secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = p.get_int("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = p.get_json("allowed_updates")
        if p.get_bool("drop_pending_updates"):
            self.emu.queue.clear()
        webhook = self.emu.webhook
        unchanged = webhook.url == url and webhook.secret_token == secret
        webhook.configure(
            url,
            secret_token=secret,
            max_connections=max_connections,
            allowed_updates=allowed if isinstance(allowed, list) else None,
            ip_address=p.get_str("ip_address"),
        )
        self.emu.queue.changed.fire()  # long polls return now
        return Answer(True, "Webhook is already set" if unchanged else "Webhook was set")

    async def delete_webhook(self, p: Params) -> Answer:
        """Remove the webhook, optionally dropping pending updates."""
        was_set = self.emu.webhook.active
        await self.emu.webhook.remove()
        if p.get_bool("drop_pending_updates"):
            self.emu.queue.clear()
        return Answer(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    async def get_webhook_info(self, p: Params) -> dict[str, Any]:
        """Describe the webhook state."""
        return self.emu.webhook.info()

    # ------------------------------------------------------------------ files & chats

    async def get_file(self, p: Params) -> dict[str, Any]:
        """Describe a stored file with its download path."""
        stored = self.emu.files.get(p.get_str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def get_chat(self, p: Params) -> dict[str, Any]:
        """Describe a private chat (ChatFullInfo)."""
        user = self._chat(p)
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return {
            **user.to_chat_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    # ------------------------------------------------------------------ commands & profile

    async def set_my_commands(self, p: Params) -> bool:
        """Store the command list for a scope and language."""
        commands = p.get_json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        cleaned = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.match(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        self.emu.commands[self._scope_key(p)] = cleaned
        return True

    async def get_my_commands(self, p: Params) -> list[dict[str, str]]:
        """Return the commands stored for exactly this scope and language."""
        return list(self.emu.commands.get(self._scope_key(p), []))

    async def delete_my_commands(self, p: Params) -> bool:
        """Forget the commands of a scope and language."""
        self.emu.commands.pop(self._scope_key(p), None)
        return True

    async def _store_setting(self, name: str, p: Params) -> bool:
        """Remember a profile setting call's parameters."""
        self.emu.bot_settings[name] = dict(p.values)
        return True

    async def set_my_description(self, p: Params) -> bool:
        """Store the bot description."""
        return await self._store_setting("setMyDescription", p)

    async def set_my_short_description(self, p: Params) -> bool:
        """Store the bot short description."""
        return await self._store_setting("setMyShortDescription", p)

    async def set_my_name(self, p: Params) -> bool:
        """Store the bot name."""
        return await self._store_setting("setMyName", p)

    async def set_chat_menu_button(self, p: Params) -> bool:
        """Store the chat menu button."""
        return await self._store_setting("setChatMenuButton", p)


__all__ = ["METHOD_NAMES", "Answer", "ApiError", "BotApiMethods"]
