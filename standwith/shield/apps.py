from django.apps import AppConfig


class ShieldConfig(AppConfig):
    name = "standwith.shield"
    label = "shield"
