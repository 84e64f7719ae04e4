"""An in-process Bot API for fast door tests: a ``BaseRequest`` that records every call
and answers like Telegram (no network at all)."""

from __future__ import annotations

import json
import time
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT = {"id": 4242, "is_bot": True, "first_name": "Rightsbot", "username": "rightsbot_test_bot",
       "can_join_groups": True, "can_read_all_group_messages": False,
       "supports_inline_queries": False}


class RecordingRequest(BaseRequest):
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail: dict[str, tuple[int, str]] = {}     # method -> (status, description)
        self.files: dict[str, bytes] = {}
        self.results: list[tuple[str, Any]] = []
        self._message_id = 100

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def methods(self) -> list[str]:
        return [m for m, _ in self.calls if m != "getMe"]

    def params(self, method: str) -> list[dict[str, Any]]:
        return [p for m, p in self.calls if m == method]

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None) -> tuple[int, bytes]:
        if "/file/bot" in url:
            name = url.rsplit("/", 1)[-1]
            self.calls.append(("download", {"path": name}))
            return 200, self.files[name]
        api = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if request_data is not None and request_data.multipart_data:
            params["_files"] = {name: (part[0], part[1])
                                for name, part in request_data.multipart_data.items()}
        self.calls.append((api, params))
        if api in self.fail:
            status, description = self.fail.pop(api)
            return status, json.dumps({"ok": False, "error_code": status,
                                       "description": description}).encode()
        result = self._result(api, params)
        self.results.append((api, result))
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _result(self, api: str, params: dict[str, Any]) -> Any:
        if api == "getMe":
            return BOT
        if api in ("sendMessage", "editMessageText", "sendDocument"):
            self._message_id += 1
            message: dict[str, Any] = {
                "message_id": params.get("message_id", self._message_id), "date": int(time.time()),
                "chat": {"id": params["chat_id"], "type": "private"}, "from": BOT}
            if "text" in params:
                message["text"] = params["text"]
            if api == "sendDocument":
                message["document"] = {"file_id": "D1", "file_unique_id": "u1"}
            return message
        if api == "getFile":
            file_id = params["file_id"]
            return {"file_id": file_id, "file_unique_id": f"u{file_id}",
                    "file_size": len(self.files.get(file_id, b"")), "file_path": file_id}
        return True


def private_message(update_id: int, user_id: int, **fields: Any) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Ann"}
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "from": user,
        "chat": {"id": user_id, "type": "private", "first_name": "Ann"}, **fields}}


def callback(update_id: int, user_id: int, data: str, message_id: int = 7) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Ann"}
    return {"update_id": update_id, "callback_query": {
        "id": f"q{update_id}", "from": user, "chat_instance": "ci-1", "data": data,
        "message": {"message_id": message_id, "date": int(time.time()), "from": BOT,
                    "chat": {"id": user_id, "type": "private"}, "text": "Pick"}}}
