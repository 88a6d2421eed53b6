from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "standwith.signing"
    label = "signing"

    def ready(self) -> None:
        from standwith.signing import counting  # noqa: F401  (connects its signal receivers)
