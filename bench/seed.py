"""Signatures made in bulk by SQL, for the confirm and scale scenarios (PostgreSQL)."""

from django.db import connection

from standwith.signing import counting

CHUNK = 1_000_000
INSERT = """
                INSERT INTO signing_signature (petition_id, email_digest, email_encrypted, name_encrypted,
                    country, language, consent_campaign_updates, consent_org_updates, show_name_publicly,
                    source, referrer_host, state, created_at, validated_at, confirmed_at)
                SELECT %s, sha256(convert_to(%s || '-' || i, 'UTF8')), sha256(int8send(i)) || sha256(int8send(-i)),
                    sha256(int8send(i + 1)) || sha256(int8send(i + 2)), 'GB', 'en', true, false, false, '', '',
                    %s, now(), CASE WHEN %s = 'validated' THEN now() END, CASE WHEN %s = 'validated' THEN now() END
                FROM generate_series(%s, %s) AS i
"""


def baseline_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_baseline (LIKE signing_signature INCLUDING ALL)")


def signatures(petition_id: int, how_many: int, *, label: str, state: str) -> list[int]:
    """Insert signatures with random digests and placeholder ciphertexts.

    Returns the ids of pending ones (to make confirmation links for); validated
    ones are added to the counter instead, so the count stays exact.
    """
    ids: list[int] = []
    done = 0
    while done < how_many:
        size = min(CHUNK, how_many - done)
        with connection.cursor() as cursor:
            cursor.execute(
                INSERT + (" RETURNING id" if state == "pending" else ""),
                [petition_id, label, state, state, state, done + 1, done + size],
            )
            if state == "pending":
                ids.extend(row[0] for row in cursor.fetchall())
        done += size
        if state == "validated":
            counting.add(petition_id, size)
        if how_many > CHUNK:
            print(f"  seeded {done:,} of {how_many:,}", flush=True)
    return ids
