"""The sandbox Bot API's HTTP side: the aiohttp server, routing, the token, request bodies.

It serves ``/bot<token>/<method>`` and ``/file/bot<token>/<path>`` as Telegram does, decodes
a call's parameters from the query string and any of the three bodies PTB sends, and turns
a method's result or ``APIError`` into the Bot API's JSON answer. What a call does is the
methods' business; this module only records that it happened.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import BodyPartReader, web

from sandbox.botapi.errors import APIError, bad_request
from sandbox.botapi.limits import FaultInjector
from sandbox.botapi.methods import Method
from sandbox.botapi.params import UploadedFile
from sandbox.botapi.state import SandboxState

__all__ = ["BotAPIServer", "SandboxStats"]

logger = logging.getLogger(__name__)

_MAX_UPLOAD_BYTES: Final = 50 * 1024 * 1024  # Telegram's limit for bot uploads
_SHUTDOWN_TIMEOUT_S: Final = 2.0


@dataclass(slots=True)
class SandboxStats:
    """Counters a benchmark reads after a run."""

    requests: int = 0
    errors: int = 0
    http_429: int = 0


class BotAPIServer:
    """Serve the Bot API methods over HTTP and record every call and error answer."""

    def __init__(
        self,
        token: str,
        state: SandboxState,
        faults: FaultInjector,
        methods: Mapping[str, tuple[str, Method]],
    ) -> None:
        self.token = token
        # What tests observe.
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.errors_returned: list[tuple[str, int, str]] = []
        self.stats = SandboxStats()

        self._state = state
        self._faults = faults
        self._methods = methods
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on host:port; port 0 picks a free one."""
        if self._runner is not None:
            raise RuntimeError("SandboxBotAPI is already running")
        app = web.Application(client_max_size=_MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{file_path:.+}", self._handle_file)
        # No access log: request lines contain the bot token. Handler cancellation ends a
        # long poll whose client went away instead of leaving it parked until its timeout.
        runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            handler_cancellation=True,
            shutdown_timeout=_SHUTDOWN_TIMEOUT_S,
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._state.closing = False
        self._runner = runner
        self._host = host
        self._port = int(runner.addresses[0][1])
        logger.info("sandbox Bot API listening on %s:%d", host, self._port)

    async def stop(self) -> None:
        """Stop serving; pending long polls return at once."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._state.closing = True
        self._state.signal.notify()
        await runner.cleanup()
        logger.info("sandbox Bot API stopped")

    @property
    def port(self) -> int:
        """Return the port the server listens on."""
        if self._port is None:
            raise RuntimeError("SandboxBotAPI is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """Return the URL for PTB's base_url (PTB appends the token and method)."""
        return f"http://{self._netloc()}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the URL for PTB's base_file_url (PTB appends the token and file path)."""
        return f"http://{self._netloc()}/file/bot"

    def _netloc(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{host}:{self.port}"

    # -- requests -------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        self.stats.requests += 1
        method = request.match_info["method"]
        if not hmac.compare_digest(request.match_info["token"].encode(), self.token.encode()):
            return self._error_response(method, APIError(401, "Unauthorized"))
        entry = self._methods.get(method.lower())
        if entry is None:
            return self._error_response(method, APIError(404, "Not Found"))
        name, handler = entry
        try:
            params = await _read_params(request)
        except APIError as exc:
            return self._error_response(name, exc)
        self.calls.append((name, params))
        logger.debug("sandbox Bot API call %s", name)
        try:
            self._faults.inject(name, params)
            result = await handler(params)
        except APIError as exc:
            self._state.signal.notify()
            return self._error_response(name, exc)
        except Exception:
            # A sandbox bug must not look like a Telegram answer; log it for the test's output.
            logger.exception("sandbox Bot API failed on %s", name)
            self._state.signal.notify()
            return self._error_response(name, APIError(500, "Internal Server Error"))
        self._state.signal.notify()
        return web.json_response({"ok": True, "result": result})

    def _error_response(self, method: str, error: APIError) -> web.Response:
        self.errors_returned.append((method, error.error_code, error.description))
        self.stats.errors += 1
        if error.error_code == 429:
            self.stats.http_429 += 1
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": error.error_code,
            "description": error.description,
        }
        if error.parameters:
            payload["parameters"] = error.parameters
        return web.json_response(payload, status=error.error_code)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.match_info["token"].encode(), self.token.encode()):
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self._state.file_at(request.match_info["file_path"])
        if stored is None or stored.content is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Decode a Bot API request's parameters from its query string and body."""
    params: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return params
    content_type = request.content_type
    try:
        if content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise bad_request("the request body must be a JSON object")
            params.update(body)
        elif content_type.startswith("multipart/"):
            params.update(await _read_multipart(request))
        else:
            form = await request.post()
            params.update({key: str(value) for key, value in form.items()})
    except APIError:
        raise
    except web.HTTPRequestEntityTooLarge:
        raise APIError(413, "Request Entity Too Large") from None
    except (ValueError, UnicodeDecodeError, AssertionError, RuntimeError) as exc:
        # aiohttp raises these for malformed bodies; Telegram answers them with a 400.
        raise bad_request(f"can't parse request body: {type(exc).__name__}") from None
    return params


async def _read_multipart(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = {}
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue  # nested multiparts and nameless parts carry no parameter
        if part.filename is None:
            params[part.name] = await part.text()
            continue
        content = bytes(await part.read(decode=False))
        if len(content) > _MAX_UPLOAD_BYTES:
            raise APIError(413, "Request Entity Too Large")
        params[part.name] = UploadedFile(
            filename=part.filename,
            content=content,
            content_type=part.headers.get("Content-Type"),
        )
    return params
