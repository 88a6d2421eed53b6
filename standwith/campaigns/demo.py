"""The demo campaign: All Out's petition for Salekh Magamadov and Ismail Isayev.

Facts, dates and the short quotes come from the news report in the project's
seed material; the rest is paraphrased. The campaign is told in English, its
original, and in full in Russian.
"""

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from standwith.campaigns.models import (
    Case,
    DatePrecision,
    Organization,
    Person,
    Petition,
    Statement,
    Target,
    TimelineEvent,
    Translation,
    Update,
)

SLUG = "free-salekh-and-ismail"
CASE_SLUG = "salekh-magamadov-and-ismail-isayev"

BODY = """\
Salekh Magamadov, 20, and Ismail Isayev, 17, are two young gay men from
Chechnya. In 2020 Chechen special police tortured them for running an
opposition Telegram channel and made them apologise on camera. That June they
fled to Nizhny Novgorod, in Russia, to be safe.

In February 2021 Russian police detained them there and handed them over to
the Chechen authorities, who took them back to Chechnya and opened an
investigation against them for “aiding terrorism”.

## What we ask

On the very day the young men were detained, President Biden signed a
memorandum directing US diplomacy to protect the human rights of LGBT+
people around the world. We ask President Biden and Secretary of State
Blinken to live up to that promise:

- demand that the Russian Government release Salekh and Ismail unharmed;
- press for independent doctors to examine them at once;
- press for their lawyers to have unfettered access to them, as the European
  Court of Human Rights has ruled.
"""

BODY_RU = """\
Салех Магамадов, 20 лет, и Исмаил Исаев, 17 лет, — двое молодых геев из
Чечни. В 2020 году чеченский спецназ пытал их за то, что они вели
оппозиционный Telegram-канал, и заставил извиниться на камеру. В июне того же
года они бежали в Нижний Новгород, чтобы быть в безопасности.

В феврале 2021 года российская полиция задержала их там и передала чеченским
властям. Их вернули в Чечню и возбудили против них дело о «пособничестве
терроризму».

## Чего мы просим

В тот самый день, когда молодых людей задержали, президент Байден подписал
меморандум, который обязывает дипломатию США защищать права ЛГБТ+ людей по
всему миру. Мы просим президента Байдена и госсекретаря Блинкена сдержать это
обещание:

- потребовать от правительства России освободить Салеха и Исмаила невредимыми;
- добиться, чтобы их немедленно осмотрели независимые врачи;
- добиться беспрепятственного доступа к ним их адвокатов, как постановил
  Европейский суд по правам человека.
"""

SUMMARY = (
    "Two young gay men, 20 and 17, were detained in Russia and handed back to Chechnya, "
    "where they were tortured before. Ask President Biden and Secretary Blinken to demand "
    "their release, unharmed."
)
SUMMARY_RU = (
    "Двоих молодых геев, 20 и 17 лет, задержали в России и передали Чечне, где их уже "
    "пытали. Попросите президента Байдена и госсекретаря Блинкена потребовать их "
    "освобождения."
)

CASE_SUMMARY = (
    "Salekh Magamadov and Ismail Isayev fled Chechnya after police tortured them for an opposition "
    "Telegram channel. In February 2021 Russian police detained them in Nizhny Novgorod and handed "
    "them back to the Chechen authorities."
)
CASE_SUMMARY_RU = (
    "Салех Магамадов и Исмаил Исаев бежали из Чечни после того, как полиция пытала их за "
    "оппозиционный Telegram-канал. В феврале 2021 года российская полиция задержала их в Нижнем "
    "Новгороде и передала чеченским властям."
)

# (date, precision, place, text, source, place in Russian, text in Russian). Where only the
# month is known, the day just keeps the events of that month in order; pages show the month.
EVENTS = [
    (
        datetime.date(2020, 6, 1),
        DatePrecision.MONTH,
        "Chechnya",
        "After Chechen special police tortured them for running an opposition Telegram channel, and made "
        "them apologise publicly in a recorded video, Salekh and Ismail are forced to leave Chechnya.",
        "",
        "Чечня",
        "Чеченский спецназ пытал Салеха и Исмаила за оппозиционный Telegram-канал и заставил публично "
        "извиниться на видео. Они вынуждены покинуть Чечню.",
    ),
    (
        datetime.date(2020, 6, 2),
        DatePrecision.MONTH,
        "Nizhny Novgorod, Russia",
        "They find refuge in the Russian city of Nizhny Novgorod.",
        "",
        "Нижний Новгород, Россия",
        "Они находят убежище в Нижнем Новгороде.",
    ),
    (
        datetime.date(2021, 2, 4),
        DatePrecision.DAY,
        "Nizhny Novgorod, Russia",
        "Russian police abduct the two young men. The same day, President Biden signs a memorandum "
        "directing US diplomacy to protect the human rights of LGBT+ people.",
        "Russian LGBT Network",
        "Нижний Новгород, Россия",
        "Российская полиция похищает молодых людей. В тот же день президент Байден подписывает "
        "меморандум о защите прав ЛГБТ+ людей во внешней политике США.",
    ),
    (
        datetime.date(2021, 2, 5),
        DatePrecision.MONTH,
        "Chechnya",
        "They are handed over to the Chechen authorities, forcibly returned to Chechnya and detained.",
        "",
        "Чечня",
        "Их передают чеченским властям, насильно возвращают в Чечню и держат под стражей.",
    ),
    (
        datetime.date(2021, 2, 7),
        DatePrecision.DAY,
        "Chechnya",
        "Three days after their detention, a terrorism investigation is opened: they are held for “aiding terrorism”.",
        "The Guardian",
        "Чечня",
        "Через три дня после задержания против них возбуждают дело: их обвиняют в «пособничестве терроризму».",
    ),
    (
        datetime.date(2021, 2, 8),
        DatePrecision.MONTH,
        "",
        "All Out and Freedom House start campaigning for the release of both men.",
        "",
        "",
        "All Out и Freedom House начинают кампанию за освобождение обоих.",
    ),
]

SOURCES_RU = {"Russian LGBT Network": "Российская ЛГБТ-сеть", "The Guardian": "The Guardian"}

STATEMENTS = [
    {
        "speaker": "Marc Behrendt",
        "role": "Director of Europe and Eurasia programs",
        "organisation": "Freedom House",
        "quote": (
            "Salekh Magamadov and Ismail Isayev are in grave danger in Chechnya. Freedom House demands the two "
            "should immediately be examined by independent health professionals and receive unfettered access "
            "to their lawyers per the ruling of the European Court of Human Rights."
        ),
        "source_name": "Freedom House, online statement",
        "speaker_ru": "Марк Берендт",
        "source_name_ru": "Freedom House, заявление на сайте",
        "role_ru": "директор программ по Европе и Евразии",
        "quote_ru": (
            "Салех Магамадов и Исмаил Исаев в Чечне в смертельной опасности. Freedom House требует, чтобы их "
            "немедленно осмотрели независимые врачи и чтобы у них был беспрепятственный доступ к адвокатам, "
            "как постановил Европейский суд по правам человека."
        ),
    },
    {
        "speaker": "Mathias Wasik",
        "role": "Director of Programs",
        "organisation": "All Out",
        "quote": (
            "This is an illegal arrest that puts these two young men in grave and immediate danger of further "
            "torture and even death."
        ),
        "source_name": "All Out, statement",
        "speaker_ru": "Матиас Васик",
        "source_name_ru": "All Out, заявление",
        "role_ru": "директор программ",
        "quote_ru": (
            "Это незаконный арест, который подвергает двух молодых людей серьёзной и непосредственной "
            "опасности новых пыток и даже смерти."
        ),
    },
]

UPDATES = [
    (
        datetime.datetime(2021, 2, 9, 12, 0, tzinfo=datetime.UTC),
        "Freedom House joins the call",
        "Freedom House, the US human-rights organisation, now campaigns with us. It asks that independent "
        "doctors examine Salekh and Ismail at once and that their lawyers can see them.",
        "К призыву присоединилась Freedom House",
        "Американская правозащитная организация Freedom House теперь ведёт кампанию вместе с нами. Она "
        "требует, чтобы Салеха и Исмаила немедленно осмотрели независимые врачи и чтобы к ним пустили "
        "адвокатов.",
    ),
]


def _translate(item: models.Model, language: str, **fields: str) -> None:
    content_type = ContentType.objects.get_for_model(item)
    for field, text in fields.items():
        if text:
            Translation.objects.update_or_create(
                content_type=content_type,
                object_id=item.pk,
                language=language,
                field=field,
                defaults={"text": text},
            )


def _upsert(model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    item, _ = model._default_manager.update_or_create(**lookup, defaults=values)
    return item


@transaction.atomic
def load_demo() -> Petition:
    """Create or refresh the demo campaign; running it again changes nothing more."""
    all_out = _upsert(
        Organization,
        {"slug": "all-out"},
        {"name": "All Out", "website": "https://allout.org", "accepts_proposals": True},
    )
    freedom_house = _upsert(
        Organization, {"slug": "freedom-house"}, {"name": "Freedom House", "website": "https://freedomhouse.org"}
    )
    president = _upsert(
        Target,
        {"name": "Joe Biden", "role": "President of the United States"},
        {"organisation": "The White House", "country": "US"},
    )
    _translate(president, "ru", name="Джо Байден", role="президент США", organisation="Белый дом")
    secretary = _upsert(
        Target,
        {"name": "Antony Blinken", "role": "Secretary of State"},
        {"organisation": "U.S. Department of State", "country": "US"},
    )
    _translate(
        secretary, "ru", name="Энтони Блинкен", role="государственный секретарь", organisation="Госдепартамент США"
    )

    case = _upsert(
        Case,
        {"slug": CASE_SLUG},
        {
            "organization": all_out,
            "title": "Salekh Magamadov and Ismail Isayev",
            "summary": CASE_SUMMARY,
            "language": "en",
            "country": "RU",
        },
    )
    _translate(case, "ru", title="Салех Магамадов и Исмаил Исаев", summary=CASE_SUMMARY_RU)
    detained_since = datetime.date(2021, 2, 4)
    for position, (name, name_ru, age) in enumerate(
        [("Salekh Magamadov", "Салех Магамадов", 20), ("Ismail Isayev", "Исмаил Исаев", 17)]
    ):
        person = _upsert(
            Person,
            {"case": case, "name": name},
            {
                "age": age,
                "location": "Chechnya, Russia",
                "status": Person.Status.DETAINED,
                "status_since": detained_since,
                "position": position,
            },
        )
        _translate(person, "ru", name=name_ru, location="Чечня, Россия")
    for date, precision, place, text, source, place_ru, text_ru in EVENTS:
        event = _upsert(
            TimelineEvent,
            {"case": case, "date": date},
            {"precision": precision, "place": place, "text": text, "source_name": source},
        )
        _translate(event, "ru", text=text_ru, place=place_ru, source_name=SOURCES_RU.get(source, ""))
    for statement in STATEMENTS:
        item = _upsert(
            Statement,
            {"case": case, "speaker": statement["speaker"]},
            {
                "role": statement["role"],
                "organisation": statement["organisation"],
                "date": datetime.date(2021, 2, 1),
                "precision": DatePrecision.MONTH,
                "quote": statement["quote"],
                "source_name": statement["source_name"],
            },
        )
        _translate(
            item,
            "ru",
            speaker=statement["speaker_ru"],
            role=statement["role_ru"],
            quote=statement["quote_ru"],
            source_name=statement["source_name_ru"],
        )
    for published_at, title, body, title_ru, body_ru in UPDATES:
        update = _upsert(Update, {"case": case, "title": title}, {"body": body, "published_at": published_at})
        _translate(update, "ru", title=title_ru, body=body_ru)

    petition: Petition = _upsert(
        Petition,
        {"slug": SLUG},
        {
            "organization": all_out,
            "case": case,
            "title": "Free Salekh and Ismail",
            "summary": SUMMARY,
            "body": BODY,
            "language": "en",
            "goal": 500_000,
            "state": Petition.State.OPEN,
            "verification": Petition.Verification.EMAIL,
            "published_at": datetime.datetime(2021, 2, 8, 9, 0, tzinfo=datetime.UTC),
        },
    )
    _translate(petition, "ru", title="Свободу Салеху и Исмаилу", summary=SUMMARY_RU, body=BODY_RU)
    petition.targets.set([president, secretary])
    petition.partners.set([freedom_house])
    return petition
