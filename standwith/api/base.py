"""What every API of the site shares: readable JSON, HEAD beside GET, and a schema of what is really served."""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from standwith.api import errors

F = TypeVar("F", bound=Callable[..., Any])


class ReadableJSON(JSONRenderer):
    """UTF-8 JSON with names and texts as written (Свободу, not \\u0421...)."""

    json_dumps_params: Mapping[str, Any] = {"ensure_ascii": False}


class OneValueEach(Parser):
    """A query parameter given twice is refused: read silently as its last value, `?page=2&page=9` hides a mistake."""

    def parse_querydict(self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest) -> Any:
        repeated = sorted(key for key in data if key not in list_fields and len(data.getlist(key)) > 1)
        if repeated:
            raise errors.invalid([{"field": key, "problem": _("Give this parameter once.")} for key in repeated])
        return super().parse_querydict(data, list_fields, request)


class Api(NinjaAPI):
    def __init__(self, **options: Any) -> None:
        options.setdefault("renderer", ReadableJSON())
        options.setdefault("parser", OneValueEach())
        # Swagger UI from the site's own static files; without its validator badge, fetched from swagger.io.
        options.setdefault("docs", Swagger(settings={"validatorUrl": None, "defaultModelsExpandDepth": 0}))
        super().__init__(**options)
        errors.install(self)

    def read(self, path: str, **options: Any) -> Callable[[F], F]:
        """A GET that answers HEAD too, as proxies and monitors expect."""
        return self.api_operation(["GET", "HEAD"], path, **options)

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(self, **options: Any) -> Any:
        schema = super().get_openapi_schema(**options)
        for item in schema["paths"].values():
            item.pop("head", None)  # a GET without its body; listed once, as the GET
        return schema
