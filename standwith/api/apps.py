from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "standwith.api"
    label = "api"
    verbose_name = "API"
