"""What the OSDI record signature helper takes (OSDI 1.x, record_signature.md and people.md).

Every field the spec defines for the helper and for an inline person is accepted, so that clients written for
other OSDI servers work unchanged; those standwith has nowhere to keep (tags, lists, phone numbers, comments…)
are accepted and ignored. A field the spec does not define is refused, so a misspelt one is not silently lost.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

STRICT = ConfigDict(extra="forbid")


class EmailAddressIn(BaseModel):
    model_config = STRICT

    address: str = Field(max_length=254)
    primary: bool | None = None
    address_type: str | None = None
    # Not in the stored spec, but Action Network clients send it; never taken as consent (see osdi.py).
    status: str | None = None


class PostalAddressIn(BaseModel):
    model_config = STRICT

    primary: bool | None = None
    address_type: str | None = None
    venue: str | None = None
    address_lines: list[str] | None = None
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = Field(None, max_length=16)
    country: str | None = Field(None, description="ISO 3166-1 alpha-2, such as RU or US; required here.")
    language: str | None = None
    location: dict[str, Any] | None = None
    status: str | None = None


class PersonIn(BaseModel):
    model_config = STRICT

    identifiers: list[str] | None = None
    origin_system: str | None = None
    created_date: str | None = None
    modified_date: str | None = None
    given_name: str | None = Field(None, max_length=200)
    family_name: str | None = Field(None, max_length=200)
    additional_name: str | None = None
    honorific_prefix: str | None = None
    honorific_suffix: str | None = None
    gender: str | None = None
    gender_identity: str | None = None
    party_identification: str | None = None
    source: str | None = None
    ethnicities: list[str] | None = None
    languages_spoken: list[str] | None = None
    birthdate: dict[str, Any] | None = None
    employer: str | None = None
    employer_address: dict[str, Any] | None = None
    occupation: str | None = None
    email_addresses: list[EmailAddressIn] = Field(min_length=1, max_length=20)
    postal_addresses: list[PostalAddressIn] = Field(min_length=1, max_length=20)
    phone_numbers: list[dict[str, Any]] | None = None
    profiles: list[dict[str, Any]] | None = None
    custom_fields: dict[str, Any] | None = None


class ReferrerDataIn(BaseModel):
    model_config = STRICT

    source: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_.-]*$")
    referrer: str | None = None
    website: str | None = None
    url: str | None = None


class RecordSignatureIn(BaseModel):
    model_config = STRICT

    person: PersonIn
    identifiers: list[str] | None = None
    origin_system: str | None = None
    action_date: str | None = None
    comments: str | None = None
    referrer_data: ReferrerDataIn | None = None
    add_tags: list[str] | None = None
    add_tags_uri: list[str] | None = None
    add_lists: list[str] | None = None
    add_lists_uri: list[str] | None = None
    add_questions_responses_uri: list[dict[str, Any]] | None = None
    triggers: dict[str, Any] | None = None
    # Sent by HAL clients that link the signature to a person they already know; standwith links nobody.
    links: dict[str, Any] | None = Field(None, alias="_links")
