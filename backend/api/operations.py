"""The REST routes, generated from the application interface's declarations.

For each operation with a verb and path: path parameters come from the path, a GET's
other arguments from the query string, a POST's from a JSON body that refuses unknown
fields. The bearer token says who the caller is (401 without one); the operation itself
checks the caller's role (403), exactly as it does for the GUI and the CLI. The answer is
the operation's result as JSON — wrapped as the declaration says — or, for a
:class:`~backend.domain.records.Document`, the file itself.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any, Union, get_args, get_origin

import pydantic
from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from backend.api.auth import BEARER_SECURITY, bearer_token, caller_of
from backend.api.routing import error_responses
from backend.domain.records import Document
from backend.interface import CheckoutApi, Operation, operations
from backend.interface.declare import Caller
from backend.interface.types import Field

#: who calls an operation that needs no token (the health check)
ANYONE = Caller("public", "api:public")


def add_operations(router: APIRouter, api: type[CheckoutApi] = CheckoutApi) -> None:
    """A route for each operation, added to ``router`` itself: the application's own
    router, since a request to an included router is matched twice over (FastAPI 0.165
    matches the included router, then its routes again: an eighth of a request's CPU)."""
    for op in operations(api):
        if op.verb is None or op.path is None:
            continue  # in-process only
        responses: dict[int | str, dict[str, Any]] = {}
        answer: dict[str, Any] = {
            "response_model": _response_type(op),
            "response_model_exclude_unset": True,  # a key a record may omit stays omitted
        }
        if op.media_type:  # a file, not JSON
            answer = {"response_class": Response}
            responses[200] = {"content": {op.media_type: {}}, "description": "The file"}
        responses.update(error_responses(*_codes(op)))
        router.add_api_route(
            op.path,
            _endpoint(api, op),
            methods=[op.verb],
            name=op.name,
            summary=op.summary,
            description=_description(op),
            tags=[op.tag] if op.tag else None,
            status_code=op.status,
            openapi_extra=_openapi_extra(op),
            responses=responses,
            **answer,
        )


def _openapi_extra(op: Operation) -> dict[str, Any]:
    extra: dict[str, Any] = {"x-roles": sorted(op.roles) if op.roles is not None else []}
    if op.roles is not None:
        extra["security"] = BEARER_SECURITY
    return extra


def _description(op: Operation) -> str:
    if op.roles is None:
        return op.description
    return f"Roles: {', '.join(sorted(op.roles))}.\n\n{op.description}".strip()


def _codes(op: Operation) -> list[int]:
    codes = set(op.errors)
    if op.roles is not None:
        codes |= {401, 403}
    return sorted(codes)


# arguments ---------------------------------------------------------------------------
def _endpoint(api: type[CheckoutApi], op: Operation) -> Callable[..., Any]:
    """A handler whose signature FastAPI reads: typed path, query or body parameters,
    then the context and the caller."""
    params: list[inspect.Parameter] = []
    body_model: type[pydantic.BaseModel] | None = None
    body_fields: dict[str, Any] = {}
    for name, param in op.signature.parameters.items():
        annotation: Any = to_pydantic(op.hints[name])
        kind: Any
        default = param.default
        if name in op.path_params:
            kind = Annotated[annotation, Path()]
        elif op.verb == "GET":
            kind = Annotated[annotation, Query()]
        elif op.body == name:
            kind = Annotated[annotation, Body()]
        else:
            body_fields[name] = (annotation, ... if default is inspect.Parameter.empty else default)
            continue
        keyword = inspect.Parameter.KEYWORD_ONLY
        params.append(inspect.Parameter(name, keyword, default=default, annotation=kind))
    if body_fields:
        body_model = pydantic.create_model(
            f"{_camel(op.name)}Request",
            __config__=pydantic.ConfigDict(extra="forbid"),
            **body_fields,
        )
        params.append(
            inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, annotation=body_model)
        )
    # the request, not dependencies: FastAPI solves each dependency per request, and
    # the context and the bearer token are a read of the app and of one header
    params.append(inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request))
    needs_token = op.roles is not None

    def run(request: Request, token: str | None, kwargs: dict[str, Any]) -> Any:
        ctx = request.app.state.ctx
        # the token is looked up here, on the worker thread: a database read
        caller = ANYONE if token is None else caller_of(request, ctx, token)
        body = kwargs.pop("body", None)
        if body is not None:
            kwargs.update({name: getattr(body, name) for name in body_fields})
        result = getattr(api(ctx, caller), op.name)(**kwargs)
        return _answer(op, result, kwargs)

    async def handler(request: Request, **kwargs: Any) -> Any:
        # ``async``, running the operation on a worker thread itself: FastAPI runs a
        # ``def`` endpoint on a thread and then checks its answer against the response
        # model on *another* thread hop; an ``async`` endpoint's answer is checked inline
        token = bearer_token(request) if needs_token else None
        return await run_in_threadpool(run, request, token, kwargs)

    handler.__name__ = op.name
    handler.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return handler


def _answer(op: Operation, result: Any, arguments: dict[str, Any]) -> Any:
    if isinstance(result, Document):
        headers = {}
        if result.media_type == "application/pdf":
            headers["Content-Disposition"] = f'attachment; filename="{result.name}"'
        return Response(result.content, media_type=result.media_type, headers=headers)
    if op.wrap:
        return {**{name: arguments[name] for name in op.echo}, op.wrap: result}
    return result


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def to_pydantic(tp: Any) -> Any:
    """The interface's argument type with its :class:`Field` bounds as pydantic's."""
    origin = get_origin(tp)
    if origin is Annotated:
        base, *meta = get_args(tp)
        converted = [pydantic.Field(**m.options()) if isinstance(m, Field) else m for m in meta]
        return Annotated[(to_pydantic(base), *converted)]
    if origin in (Union, types.UnionType):
        return Union[tuple(to_pydantic(arg) for arg in get_args(tp))]  # noqa: UP007
    if origin is dict:
        key, value = get_args(tp)
        return dict[to_pydantic(key), to_pydantic(value)]  # type: ignore[misc]
    if origin is list:
        return list[to_pydantic(get_args(tp)[0])]  # type: ignore[misc]
    return tp


# results -----------------------------------------------------------------------------
def _response_type(op: Operation) -> Any:
    result = response_type(op.hints.get("return", Any))
    if not op.wrap:
        return result
    fields: dict[str, Any] = {name: (to_pydantic(op.hints[name]), ...) for name in op.echo}
    fields[op.wrap] = (result, ...)
    return pydantic.create_model(
        f"{_camel(op.name)}Response", __config__=pydantic.ConfigDict(extra="allow"), **fields
    )


@functools.cache
def response_type(tp: Any) -> Any:
    """A result type as the OpenAPI document shows it: each record an object with its
    listed keys that allows more (a service may add keys; the JSON passes them on)."""
    if typing.is_typeddict(tp):
        hints = typing.get_type_hints(tp)
        required = tp.__required_keys__
        fields: dict[str, Any] = {
            name: (response_type(hint), ... if name in required else None)
            for name, hint in hints.items()
        }
        return pydantic.create_model(
            str(tp.__name__), __config__=pydantic.ConfigDict(extra="allow"), **fields
        )
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        return Union[tuple(response_type(arg) for arg in get_args(tp))]  # noqa: UP007
    if origin is list:
        return list[response_type(get_args(tp)[0])]  # type: ignore[misc]
    return tp
