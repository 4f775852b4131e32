"""One pass over a column: exact counts and a uniform sample, in bounded memory.

Usage (what classification calls; a table is fed chunk by chunk)::

    from auditor.data.sampling import ColumnSampler

    sampler = ColumnSampler("email", size=500)
    for chunk in table.chunks():
        sampler.add(chunk["email"])
    profile = sampler.profile()
    profile.nonempty, profile.masked, profile.tokens, profile.raw   # exact, over the whole column
    profile.sample                                                 # <= 500 raw values, drawn across it

What counts as "masked" (:func:`looks_masked`): a masking token (``tok_`` + hex, an
``enc:v1:`` ciphertext, an ``<ENTITY>`` placeholder, ``[REDACTED]``) or a partial mask
(mostly ``*`` with no more than 4 letters or digits in a row, so a raw value padded
with stars is not mistaken for one). The sample holds only the *other* non-empty
values: a column of tokens with raw values appended is judged on its raw values.

The sample is a bottom-k sample: every raw value gets a random key from one seeded
stream, the ``size`` smallest keys are kept. It is uniform over the whole column and
the same whatever the chunk size, so a file classifies the same read in 1 or 100 chunks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

_TOKEN = r"tok_[0-9a-f]{16,64}|enc:v1:[A-Za-z0-9_-]+=*|<[A-Z_]+>|\[REDACTED\]|REDACTED"
MASKED_VALUE = re.compile(rf"^(?:{_TOKEN})$")
MASK_PLACEHOLDER = re.compile(r"tok_[0-9a-f]{16,64}|enc:v1:[A-Za-z0-9_-]+=*|<[A-Z][A-Z_]+>")


def may_hold_placeholder(text: str) -> bool:
    """Cheap and necessary for ``MASK_PLACEHOLDER`` (a token, a ciphertext or ``<ENTITY>``):
    the pattern runs only on text that passes this."""
    return "tok_" in text or "enc:v1:" in text or "<" in text
_ALNUM_RUN = re.compile(r"[^\W_]+")  # letters and digits of any script
_PARTIAL_MAX_RUN = 4  # a partial mask shows at most this many letters/digits in a row (e.g. the last 4 digits)
_MASKED_EXAMPLES = 3


def is_masking_token(value: str) -> bool:
    """A token, ciphertext or placeholder that only masking produces."""
    return MASKED_VALUE.match(value.strip()) is not None


def looks_masked(value: str) -> bool:
    """A value produced by masking: a token, a ciphertext, a placeholder or a partial mask.

    Empty (blank) values count as masked: they hold nothing.
    """
    v = value.strip()
    if not v or MASKED_VALUE.match(v):
        return True
    if v.count("*") < max(2, 0.4 * len(v)):
        return False
    # Stars around a readable value ("ann@example.com*******") are not a mask.
    return max((len(m) for m in _ALNUM_RUN.findall(v)), default=0) <= _PARTIAL_MAX_RUN


def as_text(series: pd.Series) -> pd.Series:
    """The column as text (missing values stay missing), whatever its storage type."""
    if str(series.dtype) in ("str", "string"):
        return series
    return series.astype("str").where(series.notna())


def masked_flags(values: pd.Series) -> tuple[Any, Any, Any]:
    """For distinct values: (blank, masked, token) boolean arrays, vectorised; :func:`looks_masked`
    runs in Python only on the few values mostly made of stars."""
    import numpy as np

    stripped = values.str.strip()
    lengths = stripped.str.len().to_numpy(dtype=float)
    blank = lengths == 0
    token = stripped.str.fullmatch(_TOKEN).to_numpy(dtype=bool) & ~blank
    stars = stripped.str.count(r"\*").to_numpy(dtype=float)
    starred = ~blank & ~token & (stars >= np.maximum(2, 0.4 * lengths))
    for i in np.flatnonzero(starred):
        starred[i] = looks_masked(str(stripped.iloc[i]))
    return blank, token | starred, token


@dataclass(frozen=True)
class ColumnProfile:
    """What one pass over a column keeps (no raw value beyond the bounded sample)."""

    column: str
    rows: int = 0
    empty: int = 0  # missing or blank cells
    masked: int = 0  # non-empty cells that are masking output (tokens, ciphertexts, partial masks)
    tokens: int = 0  # of those, tokens/ciphertexts/placeholders (not partial masks)
    sample: list[str] = field(default_factory=list)  # raw non-empty values, uniform over the column
    masked_examples: list[str] = field(default_factory=list)

    @property
    def nonempty(self) -> int:
        return self.rows - self.empty

    @property
    def raw(self) -> int:
        """Non-empty cells that are not masking output."""
        return self.nonempty - self.masked


class ColumnSampler:
    """Feed a column chunk by chunk with :meth:`add`; :meth:`profile` gives the result."""

    def __init__(self, column: str, size: int, seed: int = 0) -> None:
        import numpy as np

        self.column, self.size = column, size
        self._rng = np.random.default_rng(seed)
        self._keys: Any = np.empty(0)
        self._values: list[str] = []
        self._examples: list[str] = []
        self.rows = self.empty = self.masked = self.tokens = 0

    def add(self, series: pd.Series) -> None:
        """Count the chunk's cells and offer its raw values to the sample."""
        import pandas as pd

        self.rows += len(series)
        codes, uniques = pd.factorize(as_text(series), use_na_sentinel=True)
        present = codes[codes >= 0]
        self.empty += len(series) - len(present)
        if not len(present):
            return
        distinct = pd.Series(uniques, dtype="str")
        blank, masked, token = masked_flags(distinct)
        self.empty += int(blank[present].sum())
        self.masked += int(masked[present].sum())
        self.tokens += int(token[present].sum())
        for i in masked.nonzero()[0][:_MASKED_EXAMPLES]:
            example = str(distinct.iloc[i])
            if len(self._examples) < _MASKED_EXAMPLES and example not in self._examples:
                self._examples.append(example)
        self._offer(present[~(blank | masked)[present]], distinct)

    def _offer(self, codes: Any, distinct: pd.Series) -> None:
        """Bottom-k: draw a key per raw cell (always, so the stream does not depend on the chunking)."""
        import numpy as np

        keys = self._rng.random(len(codes))
        if len(self._keys) >= self.size:  # full: only keys below the current largest can enter
            keep = keys < self._keys.max()
            keys, codes = keys[keep], codes[keep]
        if not len(keys):
            return
        merged = np.concatenate([self._keys, keys])
        values = self._values + [str(v) for v in distinct.iloc[codes].tolist()]
        order = np.argsort(merged, kind="stable")[:self.size]
        self._keys = merged[order]
        self._values = [values[i] for i in order]

    def profile(self) -> ColumnProfile:
        """The counts and the sample (in random order) so far."""
        return ColumnProfile(self.column, self.rows, self.empty, self.masked, self.tokens, list(self._values),
                             list(self._examples))


def profile_series(series: pd.Series, column: str, size: int) -> ColumnProfile:
    """The profile of an in-memory column."""
    sampler = ColumnSampler(column, size)
    sampler.add(series)
    return sampler.profile()


_OPERATORS = (("keyed hash", re.compile(r"tok_[0-9a-f]{16,64}")), ("encrypted", re.compile(r"enc:v1:")),
              ("replaced", re.compile(r"<[A-Z][A-Z_]+>")))


def mask_operator(examples: list[str]) -> str:
    """How a column was masked, read from its masking output: "keyed hash" (``tok_...``),
    "encrypted" (``enc:v1:...``), "replaced" (``<PERSON>``), "partial" (``j***@***.ca``),
    several joined with " + ", or "" when there is no example."""
    kinds = []
    for example in examples:
        kind = next((name for name, rx in _OPERATORS if rx.search(example)), "partial")
        if kind not in kinds:
            kinds.append(kind)
    return " + ".join(kinds)
