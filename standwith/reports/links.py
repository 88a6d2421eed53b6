"""The links to a petition's reports on its staff page, for those that exist in this build."""

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# (URL name, label): each takes the petition's id.
REPORTS: list[tuple[str, Promise]] = [
    ("dashboard", _("Dashboard")),
    ("packet", _("Delivery packet (PDF)")),
    ("export_csv", _("Export signers (CSV)")),
    ("paper_form", _("Blank paper form (PDF)")),
    ("paper_signatures", _("Enter paper signatures")),
    ("emergency_erase", _("Emergency erase")),
]


def petition_links(petition_id: int) -> list[tuple[str, str]]:
    links = []
    for name, label in REPORTS:
        try:
            links.append((reverse(name, args=[petition_id]), str(label)))
        except NoReverseMatch:
            continue
    return links
