"""One Presidio recognizer shape for our span finders (phones, cards, addresses, names).

Each finder is a plain function ``find(text) -> [(start, end, score), ...]`` that can be
tested on its own; this wraps it as a Presidio ``EntityRecognizer`` so it sits in the
analyzer's registry beside Presidio's own recognizers (and is listed, filtered and explained
like them). The recognizer keeps the finder as ``finder`` and its entity as ``entity``: the
analyzer's fast path calls the finder directly and skips building Presidio result objects,
which cost more than most finders themselves::

    recognizer = span_recognizer("PHONE_NUMBER", "AuditorPhoneShapeRecognizer", "phone shape", find_phones)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer

Finder = Callable[[str], list[tuple[int, int, float]]]


def span_recognizer(entity: str, name: str, explanation: str, find: Finder) -> EntityRecognizer:
    """A Presidio recognizer of ``entity`` whose results are ``find(text)``'s spans."""
    from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

    class SpanRecognizer(EntityRecognizer):
        def load(self) -> None:
            return None

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
            if entity not in entities:
                return []
            meta = {RecognizerResult.RECOGNIZER_NAME_KEY: name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: str(self.id)}
            return [RecognizerResult(entity, s, e, score, recognition_metadata=meta,
                                     analysis_explanation=AnalysisExplanation(name, score, textual_explanation=explanation))
                    for s, e, score in find(text)]

    recognizer = SpanRecognizer(supported_entities=[entity], name=name)
    recognizer.finder = find  # type: ignore[attr-defined]  # read by PiiAnalyzer's fast path
    recognizer.entity = entity  # type: ignore[attr-defined]
    return recognizer


__all__ = ["Finder", "span_recognizer"]
