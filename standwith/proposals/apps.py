from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "standwith.proposals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from standwith.proposals import receivers  # noqa: F401  (connects to the lifecycle's signal)
