"""The names of a petition's signers who asked to be named publicly, sorted, in bounded memory.

Names are encrypted, so the database cannot sort them: they are read in chunks, decrypted, sorted in runs of
RUN_SIZE and spilled to temporary files, then merged. Memory stays at one run whatever the count; a petition
with fewer shown names than a run never touches the disk. Only signers who chose to be shown, whose signature
counts and whose data is not erased are read; no other ciphertext is opened.
"""

import heapq
import tempfile
import unicodedata
from collections.abc import Iterator
from types import TracebackType
from typing import IO

from django.db import models

from standwith.campaigns.models import Petition
from standwith.signing import crypto
from standwith.signing.models import Signature

READ_CHUNK = 2_000
RUN_SIZE = 50_000


def shown_signatures(petition: Petition) -> models.QuerySet[Signature]:
    return Signature.objects.filter(
        petition=petition, state=Signature.State.VALIDATED, show_name_publicly=True, erased_at__isnull=True
    )


def sort_key(name: str) -> str:
    """Case and accents do not decide the order (é sorts with e, Ł after L), scripts fall in Unicode's order."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(character for character in decomposed if not unicodedata.combining(character)).casefold()


def _clean(text: str) -> str:
    # One name per line in the spill files, and no control characters reach the page.
    return "".join(" " if unicodedata.category(character)[0] == "C" else character for character in text).strip()


class SortedNames:
    """Read once on entry; iterate for (name, country) in order. `unreadable` counts names that could not be opened."""

    def __init__(self, petition: Petition, run_size: int | None = None) -> None:
        self.petition = petition
        self.run_size = run_size or RUN_SIZE
        self.total = 0
        self.unreadable = 0
        self._runs: list[IO[str]] = []
        self._memory: list[tuple[str, str, str]] = []
        self._spilled = 0

    def __enter__(self) -> "SortedNames":
        batch: list[tuple[str, str, str]] = []
        rows = shown_signatures(self.petition).order_by().values_list("name_encrypted", "country")
        for sealed, country in rows.iterator(chunk_size=READ_CHUNK):
            try:
                name = _clean(crypto.decrypt(self.petition.pk, "name", sealed))
            except crypto.UndecryptableError:
                # The petition's key was destroyed (emergency erase) or the row is damaged: nobody to name.
                self.unreadable += 1
                continue
            if not name:
                continue
            batch.append((sort_key(name), name, country))
            if len(batch) >= self.run_size:
                self._spill(batch)
                batch = []
        self.total = self._spilled + len(batch)
        if self._runs:
            self._spill(batch)
        else:
            batch.sort()
            self._memory = batch
        return self

    def _spill(self, batch: list[tuple[str, str, str]]) -> None:
        if not batch:
            return
        batch.sort()
        # Closed in __exit__, once the merge has read it.
        run = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        run.writelines(f"{key}\t{name}\t{country}\n" for key, name, country in batch)
        run.seek(0)
        self._runs.append(run)
        self._spilled += len(batch)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        if not self._runs:
            for _, name, country in self._memory:
                yield name, country
            return
        # Tab sorts below every character a cleaned name holds, so whole lines merge in the order of their keys.
        for line in heapq.merge(*self._runs):
            _, name, country = line.rstrip("\n").split("\t")
            yield name, country

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for run in self._runs:
            run.close()
        self._runs = []
        self._memory = []
