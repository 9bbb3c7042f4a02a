"""The one NinjaAPI instance. Each part adds its router in api/<part>.py; domain errors are mapped to
JSON here, once: {"code", "field", "message"} with the error's HTTP status."""

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.core.errors import DomainError

api = NinjaAPI(
    title="onewindow API",
    version="1",
    description="一窗受理、并联审批、限时办结 — one-window government services. Errors are JSON: "
    '{"code": ..., "field": ..., "message": ...}.',
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    errors = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", [])]
        if len(loc) > 2 and loc[0] == "body":
            loc = loc[2:]  # ["body", <parameter name>, field, ...]: the parameter's name means nothing to callers
        loc = [part for part in loc if part not in ("body", "query", "path", "header")]
        if err.get("type") in ("union_tag_invalid", "union_tag_not_found"):
            loc.append(str((err.get("ctx") or {}).get("discriminator", "")).strip("'\""))  # the tag's own field
        elif len(loc) > 1 and loc[1] == "params":
            del loc[0]  # a body tagged by "action" (cases' actions): pydantic names the variant, callers sent it
        errors.append({"field": ".".join(loc) or None, "message": err.get("msg", "invalid")})
    first = errors[0] if errors else {"field": None, "message": "invalid input"}
    return api.create_response(
        request, {"code": "invalid", "field": first["field"], "message": first["message"], "errors": errors},
        status=422,
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # Raised by ninja itself, e.g. for a body that is not valid JSON.
    code = "throttled" if exc.status_code == 429 else "invalid" if exc.status_code < 500 else "error"
    return api.create_response(request, {"code": code, "field": None, "message": str(exc)}, status=exc.status_code)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request, exc: DatabaseError):
    # The database is restarting or unreachable: nothing was written; the caller should retry (with the
    # same Idempotency-Key for submissions).
    response = api.create_response(
        request, {"code": "unavailable", "field": None,
                  "message": "服务暂时不可用，请稍后重试 / service temporarily unavailable, retry shortly"},
        status=503)
    response["Retry-After"] = "5"
    return response


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return api.create_response(
        request, {"code": "unauthorized", "field": None, "message": "请先登录或提供有效令牌 / authentication required"},
        status=401,
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "field": None, "message": str(exc) or "not found"},
                               status=404)


from . import appraisal as _appraisal  # noqa: E402
from . import calendar as _calendar  # noqa: E402
from . import cases as _cases  # noqa: E402
from . import catalog as _catalog  # noqa: E402
from . import complaints as _complaints  # noqa: E402
from . import projects as _projects  # noqa: E402
from . import ratings as _ratings  # noqa: E402

api.add_router("/", _catalog.router)
api.add_router("/", _calendar.router)
api.add_router("/", _cases.router)
api.add_router("/", _ratings.router)
api.add_router("/", _appraisal.router)
api.add_router("/", _complaints.router)
api.add_router("/", _projects.router)
