"""What every API of the site shares: readable JSON, HEAD beside GET, and a schema of what is really served."""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ninja import NinjaAPI
from ninja.operation import Operation
from ninja.renderers import JSONRenderer

from standwith.api import errors

F = TypeVar("F", bound=Callable[..., Any])


class ReadableJSON(JSONRenderer):
    """UTF-8 JSON with names and texts as written (Свободу, not \\u0421...)."""

    json_dumps_params: Mapping[str, Any] = {"ensure_ascii": False}


class Api(NinjaAPI):
    def __init__(self, **options: Any) -> None:
        options.setdefault("renderer", ReadableJSON())
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
