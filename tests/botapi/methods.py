"""The Bot API methods the fake server implements, with Telegram's checks and errors.

Each method takes :class:`Params` (GET query, form fields, multipart parts or a
JSON body, decoded the way Telegram decodes them) and returns the ``result``
or raises :class:`ApiError`. The server wraps both in the usual envelope.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any, Callable

from .objects import BotMessage, StoredFile, now, short_id
from .world import World

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_DOWNLOAD = 20 * 1024 * 1024
CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice",
                "upload_voice", "upload_document", "choose_sticker", "find_location",
                "record_video_note", "upload_video_note"}
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclasses.dataclass(frozen=True)
class Upload:
    """A multipart file part."""
    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Parameters as sent: strings (query/form), :class:`Upload` parts, or JSON values."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def has(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def str(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.raw.get(name)
        if value is None:
            if required:
                raise bad(f'parameter "{name}" is required')
            return default
        if isinstance(value, Upload):
            raise bad(f'parameter "{name}" must be text')
        return value if isinstance(value, str) else str(value)

    def int(self, name: str, default: int | None = None, *, required: bool = False) -> int | None:
        value = self.raw.get(name)
        if value in (None, ""):
            if required:
                raise bad(f"{name} is empty" if name != "chat_id" else "chat_id is empty")
            return default
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            if name == "chat_id":
                raise bad("chat not found") from None
            raise bad(f'parameter "{name}" must be a number') from None

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1")

    def json(self, name: str, default: Any = None) -> Any:
        value = self.raw.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise bad(f"can't parse {name} JSON object") from None
        if isinstance(value, Upload):
            raise bad(f'parameter "{name}" must be JSON')
        return value

    def upload(self, name: str) -> Upload | str | None:
        value = self.raw.get(name)
        return value if isinstance(value, (Upload, str)) else None


class BotApi:
    """The methods; names are matched case-insensitively like Telegram does."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.methods: dict[str, Callable[[Params], Any]] = {
            name.lower(): getattr(self, name) for name in (
                "getMe", "logOut", "close", "sendMessage", "sendChatAction",
                "answerCallbackQuery", "editMessageText", "editMessageReplyMarkup",
                "sendDocument", "sendPhoto", "sendMediaGroup", "getFile", "setMyCommands", "getMyCommands",
                "deleteMyCommands")}

    # ---- identity and housekeeping ------------------------------------------------

    def getMe(self, p: Params) -> dict[str, Any]:
        return {**self.world.bot_user, "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": False,
                "can_connect_to_business": False, "has_main_web_app": False}

    def logOut(self, p: Params) -> bool:
        return True

    def close(self, p: Params) -> bool:
        return True

    def setMyCommands(self, p: Params) -> bool:
        commands = p.json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad("commands must be a list of at most 100 BotCommand")
        for item in commands:
            if not isinstance(item, dict) or not _COMMAND.match(str(item.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(item.get("description", ""))) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        with self.world.lock:
            self.world.commands[self._scope_key(p)] = [
                {"command": c["command"], "description": c["description"]} for c in commands]
        return True

    def getMyCommands(self, p: Params) -> list[dict[str, Any]]:
        with self.world.lock:
            return list(self.world.commands.get(self._scope_key(p), []))

    def deleteMyCommands(self, p: Params) -> bool:
        with self.world.lock:
            self.world.commands.pop(self._scope_key(p), None)
        return True

    def _scope_key(self, p: Params) -> str:
        scope = p.json("scope") or {"type": "default"}
        return f"{json.dumps(scope, sort_keys=True)}|{p.str('language_code', '')}"

    # ---- messages ---------------------------------------------------------------------

    def _chat(self, p: Params) -> int:
        chat_id = p.int("chat_id", required=True)
        with self.world.lock:
            chat = self.world.chats.get(chat_id)
            if chat is None:
                raise bad("chat not found")
            if chat.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _keyboard(self, p: Params) -> tuple[tuple[dict[str, Any], ...], ...]:
        markup = p.json("reply_markup")
        if markup is None:
            return ()
        if not isinstance(markup, dict):
            raise bad("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return ()              # reply keyboards and removals are accepted, not shown
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise bad("BUTTON_TEXT_INVALID")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                    raise bad("BUTTON_DATA_INVALID")
                if data is None and not any(k in button for k in ("url", "login_url",
                                                                  "switch_inline_query")):
                    raise bad("can't find field \"callback_data\"")
        return tuple(tuple(row) for row in rows)

    def _text(self, p: Params) -> str:
        text = p.str("text")
        if text is None or not text.strip():
            raise bad("message text is empty")
        if _length(text) > MAX_TEXT:
            raise bad("message is too long")
        return text

    def _caption(self, p: Params, value: str | None = None) -> str | None:
        caption = value if value is not None else p.str("caption")
        if caption and _length(caption) > MAX_CAPTION:
            raise bad("message caption is too long")
        return caption or None

    def sendMessage(self, p: Params) -> dict[str, Any]:
        chat_id = self._chat(p)
        text = self._text(p)
        keyboard = self._keyboard(p)
        message = BotMessage(self.world.next_message_id(chat_id), chat_id, now(), text=text,
                             keyboard=keyboard)
        self.world.put_message(message, kind="message")
        return self.world.message_json(message)

    def sendChatAction(self, p: Params) -> bool:
        chat_id = self._chat(p)
        action = p.str("action", required=True)
        if action not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        self.world.add_action(chat_id, action)
        return True

    def answerCallbackQuery(self, p: Params) -> bool:
        query_id = p.str("callback_query_id", required=True)
        text = p.str("text")
        if text and len(text) > 200:
            raise bad("MESSAGE_TOO_LONG")
        with self.world.lock:
            query = self.world.callback_queries.get(query_id)
            if query is None or query["answered"]:
                raise bad("query is too old and response timeout expired or query ID is invalid")
            query["answered"] = True
            answer = {"callback_query_id": query_id, "text": text,
                      "show_alert": p.bool("show_alert")}
            self.world.chats[query["chat_id"]].answers.append(answer)
        return True

    def _own_message(self, p: Params) -> BotMessage:
        if p.has("inline_message_id"):
            raise bad("message to edit not found")
        chat_id = self._chat(p)
        message_id = p.int("message_id", required=True)
        with self.world.lock:
            message = self.world.chats[chat_id].messages.get(message_id)
        if message is None:
            raise bad("message to edit not found")
        return message

    def editMessageText(self, p: Params) -> dict[str, Any]:
        message = self._own_message(p)
        if message.text is None:
            raise bad("there is no text in the message to edit")
        text = self._text(p)
        keyboard = self._keyboard(p)
        return self._edit(message, text=text, keyboard=keyboard)

    def editMessageReplyMarkup(self, p: Params) -> dict[str, Any]:
        message = self._own_message(p)
        return self._edit(message, text=message.text, keyboard=self._keyboard(p))

    def _edit(self, message: BotMessage, *, text: str | None,
              keyboard: tuple[tuple[dict[str, Any], ...], ...]) -> dict[str, Any]:
        if text == message.text and keyboard == message.keyboard:
            raise bad("message is not modified: specified new message content and reply "
                      "markup are exactly the same as a current content and reply markup "
                      "of the message")
        edited = dataclasses.replace(message, text=text, keyboard=keyboard, edit_date=now())
        self.world.put_message(edited, kind="edit")
        return self.world.message_json(edited)

    # ---- files ----------------------------------------------------------------------------

    def _input_file(self, p: Params, name: str, raw: Upload | str | None,
                    kind: str) -> StoredFile:
        if isinstance(raw, str) and raw.startswith("attach://"):
            raw = p.upload(raw[len("attach://"):])
            if not isinstance(raw, Upload):
                raise bad(f"file of field {name} not found")
        if isinstance(raw, Upload):
            if not raw.data:
                raise bad("file must be non-empty")
            return self.world.store_file(raw.data, kind=kind, file_name=raw.filename,
                                         mime_type=raw.content_type)
        if isinstance(raw, str) and raw:
            with self.world.lock:
                known = self.world.files.get(raw)
            if known is not None:
                return known
            if raw.startswith(("http://", "https://")):
                if "/dead/" in raw:      # Telegram could not fetch it (deleted, private)
                    raise bad("failed to get HTTP URL content")
                return self.world.store_file(None, size=0, kind=kind,
                                             file_name=raw.rsplit("/", 1)[-1])
            raise bad("wrong file identifier/HTTP URL specified")
        raise bad(f'parameter "{name}" is required')

    def sendDocument(self, p: Params) -> dict[str, Any]:
        chat_id = self._chat(p)
        caption = self._caption(p)
        keyboard = self._keyboard(p)
        stored = self._input_file(p, "document", p.upload("document"), "documents")
        message = BotMessage(self.world.next_message_id(chat_id), chat_id, now(),
                             caption=caption, keyboard=keyboard, document=stored)
        self.world.put_message(message, kind="message")
        return self.world.message_json(message)

    def sendPhoto(self, p: Params) -> dict[str, Any]:
        chat_id = self._chat(p)
        caption = self._caption(p)
        keyboard = self._keyboard(p)
        stored = self._input_file(p, "photo", p.upload("photo"), "photos")
        message = BotMessage(self.world.next_message_id(chat_id), chat_id, now(),
                             caption=caption, keyboard=keyboard, photo=stored)
        self.world.put_message(message, kind="message")
        return self.world.message_json(message)

    def sendMediaGroup(self, p: Params) -> list[dict[str, Any]]:
        chat_id = self._chat(p)
        media = p.json("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad("wrong number of media items; must be 2-10")
        kinds = {m.get("type") if isinstance(m, dict) else None for m in media}
        if not kinds <= {"photo", "video", "document", "audio"}:
            raise bad("unsupported media type in the media group")
        if "document" in kinds and kinds != {"document"}:
            raise bad("document can't be mixed with other media types")
        group = short_id("group", chat_id, now(), len(media))[:18]
        # every item is fetched first: like Telegram, one bad item fails the whole group
        files = [(self._caption(p, item.get("caption")),
                  self._input_file(p, f"media[{index}]", item.get("media"),
                                   "photos" if item["type"] == "photo" else "documents"))
                 for index, item in enumerate(media)]
        results = []
        for item, (caption, stored) in zip(media, files):
            fields = {"document": stored} if item["type"] != "photo" else {"photo": stored}
            message = BotMessage(self.world.next_message_id(chat_id), chat_id, now(),
                                 caption=caption, media_group_id=group, **fields)
            self.world.put_message(message, kind="message")
            results.append(self.world.message_json(message))
        return results

    def getFile(self, p: Params) -> dict[str, Any]:
        file_id = p.str("file_id", required=True)
        with self.world.lock:
            stored = self.world.files.get(file_id)
        if stored is None:
            raise bad("invalid file_id")
        if stored.size > MAX_DOWNLOAD:
            raise bad("file is too big")
        return stored.file_json()


def _length(text: str) -> int:
    """Length in UTF-16 code units, which is how Telegram measures texts."""
    return len(text.encode("utf-16-le")) // 2
