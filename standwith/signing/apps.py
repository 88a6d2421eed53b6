from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "standwith.signing"
    label = "signing"
