from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The petition handed over: delivery packet, exports, paper forms and charts."""

    name = "standwith.reports"
    label = "reports"
    verbose_name = _("Reports")
