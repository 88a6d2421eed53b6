"""What the API takes and gives, as pydantic models; ninja turns them into the OpenAPI schema."""

import datetime
from typing import Annotated, Literal

from ninja import Path
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

# Path parameters shaped as the site makes them, so that nothing else (a NUL, a 30-digit number) reaches a query.
Slug = Annotated[str, Path(max_length=100, pattern=r"^[-a-zA-Z0-9_]+$")]
RowId = Annotated[int, Path(ge=1, le=2**62)]

# Every input refuses fields it does not know, so a misspelt field is an error, not silently ignored.
STRICT = ConfigDict(extra="forbid")


class Error(BaseModel):
    error: str = Field(description="A stable code for programs, such as not_found or invalid.")
    detail: str = Field(description="What went wrong, in the language the request asked for.")


class FieldProblem(BaseModel):
    field: str
    problem: str


class InvalidError(Error):
    errors: list[FieldProblem] = []


class OrganizationOut(BaseModel):
    slug: str
    name: str


class TargetOut(BaseModel):
    name: str
    role: str
    organisation: str
    country: str | None


class PersonAtRiskOut(BaseModel):
    name: str
    age: int | None
    location: str
    status: str
    status_since: datetime.date


class CaseOut(BaseModel):
    slug: str
    title: str
    summary: str
    persons: list[PersonAtRiskOut]


class MilestoneOut(BaseModel):
    threshold: int
    reached_at: datetime.datetime


class CountryOut(BaseModel):
    country: str = Field(description='An ISO 3166 code, or "other" for countries with too few signers to name.')
    signatures: int


class DayOut(BaseModel):
    date: datetime.date
    signatures: int


class PublicStatisticsOut(BaseModel):
    minimum_group_size: int = Field(description="Countries with fewer confirmed signers are counted under other.")
    by_country: list[CountryOut]
    by_day: list[DayOut]


class PetitionSummaryOut(BaseModel):
    slug: str
    title: str
    summary: str
    state: str
    language: str
    verification: str
    signature_count: int
    goal: int
    deadline: datetime.datetime | None
    published_at: datetime.datetime | None
    organization: OrganizationOut
    url: str
    api_url: str


class PetitionOut(PetitionSummaryOut):
    text: str = Field(description="The petition's text, in Markdown.")
    text_language: str = Field(description="The language the title, summary and text are in.")
    case: CaseOut | None
    partners: list[OrganizationOut]
    targets: list[TargetOut]
    milestones: list[MilestoneOut]
    statistics: PublicStatisticsOut | None = Field(
        description="null for the moment while they are first counted (seconds, on a petition of millions); "
        "/statistics always answers with them."
    )


class PetitionPage(BaseModel):
    page: int
    per_page: int
    total_pages: int
    total_records: int
    items: list[PetitionSummaryOut]


class SignatureIn(BaseModel):
    model_config = STRICT

    name: str = Field(max_length=400, examples=["Мария Иванова"])
    email: str = Field(max_length=254, examples=["maria@example.org"])
    country: str = Field(min_length=2, max_length=2, description="ISO 3166 code, such as RU or US.", examples=["DE"])
    postcode: str = Field("", max_length=16)
    language: Literal["en", "ru", "es", "fr", "de", "ar"] | None = Field(
        None, description="The language to write to the signer in; the petition's own when left out."
    )
    consent_campaign_updates: bool = False
    consent_org_updates: bool = False
    show_name_publicly: bool = False
    source: str = Field("", max_length=64, pattern=r"^[A-Za-z0-9_.-]*$")
    verified_offline: bool = Field(
        False,
        description="Your organisation checked this signer in person; counts at once if your organisation "
        "may vouch (else 403). The signer is still mailed and may confirm their address.",
    )


class SignatureBatchIn(BaseModel):
    model_config = STRICT

    signatures: list[SignatureIn] = Field(min_length=1, max_length=100)


def _one_or_batch(value: object) -> str:
    return "batch" if isinstance(value, dict) and "signatures" in value else "signature"


# One signature, or {"signatures": [...]}; told apart by that key, so errors speak of the one that was meant.
SignaturesIn = Annotated[
    Annotated[SignatureIn, Tag("signature")] | Annotated[SignatureBatchIn, Tag("batch")],
    Discriminator(_one_or_batch),
]


class RecordedOut(BaseModel):
    recorded: int = Field(description="Signatures taken, new or repeats alike; each signer is mailed as usual.")
    signature_ids: list[int] | None = Field(
        None, description="Only for a token with the people:read scope, in the order sent."
    )


class StateCounts(BaseModel):
    pending: int
    validated: int
    invalidated: int
    withdrawn: int


class DayStatesOut(BaseModel):
    date: datetime.date
    signed: int
    confirmed: int


class SourceOut(BaseModel):
    source: str
    signatures: int


class OrganisationStatisticsOut(BaseModel):
    signature_count: int
    by_state: StateCounts
    by_country: list[CountryOut]
    by_day: list[DayStatesOut]
    by_source: list[SourceOut]
    by_channel: dict[str, int]
    vouched: int


class SignerOut(BaseModel):
    id: int
    name: str
    email: str
    country: str
    postcode: str
    language: str
    state: str
    channel: str
    vouched: bool
    source: str
    consent_campaign_updates: bool
    consent_org_updates: bool
    show_name_publicly: bool
    created_at: datetime.datetime
    confirmed_at: datetime.datetime | None


class SignerPage(BaseModel):
    page: int
    per_page: int
    total_pages: int
    total_records: int
    items: list[SignerOut]
