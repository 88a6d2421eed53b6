from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "standwith.outreach.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from standwith.outreach.webhooks import receivers  # noqa: F401  (connects to the lifecycle's signal)
