"""The demo campaign: All Out's petition for Salekh Magamadov and Ismail Isayev.

Facts, dates and the short quotes come from the news report in the project's
seed material; the rest is paraphrased.
"""

from django.db import transaction

from standwith.campaigns.models import Organization, Petition, Target

SLUG = "free-salekh-and-ismail"

BODY = """\
Salekh Magamadov, 20, and Ismail Isayev, 17, are two young gay men from
Chechnya. In June 2020 Chechen special police tortured them for running an
opposition Telegram channel and made them apologise on camera. They fled to
Nizhny Novgorod, in Russia, to be safe.

In February 2021 Russian police detained them there and handed them over to
the Chechen authorities, who took them back to Chechnya and opened an
investigation against them for "aiding terrorism". Three days passed between
their detention and the opening of that investigation.

> "Salekh Magamadov and Ismail Isayev are in grave danger in Chechnya."\\
> — Marc Behrendt, Freedom House

## What we ask

On the very day the young men were detained, President Biden signed a
memorandum directing US diplomacy to protect the human rights of LGBT+
people around the world. We ask President Biden and Secretary of State
Blinken to live up to that promise:

- demand that the Russian Government release Salekh and Ismail unharmed;
- press for independent doctors to examine them at once;
- press for their lawyers to have unfettered access to them, as the European
  Court of Human Rights has ruled.

> "This is an illegal arrest that puts these two young men in grave and
> immediate danger of further torture and even death."\\
> — Mathias Wasik, All Out
"""


@transaction.atomic
def load_demo() -> Petition:
    """Create or refresh the demo campaign; running it again changes nothing more."""
    all_out, _ = Organization.objects.update_or_create(
        slug="all-out", defaults={"name": "All Out", "website": "https://allout.org"}
    )
    freedom_house, _ = Organization.objects.update_or_create(
        slug="freedom-house", defaults={"name": "Freedom House", "website": "https://freedomhouse.org"}
    )
    president, _ = Target.objects.update_or_create(
        name="Joe Biden",
        role="President of the United States",
        defaults={"organisation": "The White House", "country": "US"},
    )
    secretary, _ = Target.objects.update_or_create(
        name="Antony Blinken",
        role="Secretary of State",
        defaults={"organisation": "U.S. Department of State", "country": "US"},
    )
    petition, _ = Petition.objects.update_or_create(
        slug=SLUG,
        defaults={
            "organization": all_out,
            "title": "Free Salekh and Ismail",
            "summary": (
                "Two young gay men, 20 and 17, were detained in Russia and handed back to Chechnya, "
                "where they were tortured before. Ask President Biden and Secretary Blinken to demand "
                "their release, unharmed."
            ),
            "body": BODY,
            "language": "en",
            "goal": 500_000,
            "state": Petition.State.OPEN,
            "verification": Petition.Verification.EMAIL,
        },
    )
    petition.targets.set([president, secretary])
    petition.partners.set([freedom_house])
    return petition
