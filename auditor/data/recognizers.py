"""Custom Presidio recognizers (pattern + context + validator), built per run.

Presidio's defaults miss what registrar data holds: student ids, Canadian SINs
(its own is too weak on undashed numbers), Canadian postal codes, ZIP codes and
street addresses inside free text (phone numbers: ``auditor.data.phones``). These
recognizers follow Presidio's ``PatternRecognizer`` shape so they can be listed,
tested and tuned like the built-in ones; street addresses of many countries, PO
boxes and postal lines are not one pattern and come from ``auditor.data.addresses``::

    from auditor.data.recognizers import custom_recognizers
    registry.add_recognizer(...) for each of custom_recognizers(student_id_pattern=r"\\b[A-Z]\\d{8}\\b")

Scores are chosen so a bare weak match stays below the default 0.5 threshold
and context words ("SIN", "zip", "phone"...) lift it above.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditor.data.addresses import address_recognizer

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer

DEFAULT_STUDENT_ID_PATTERN = r"\b[A-Z]\d{8}\b"

_STATES = ("AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|"
           "NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY")
US_ZIP_STATE_RE = r"(?-i:\b(?:" + _STATES + r"),?\s+\d{5}(?:-\d{4})?\b)"
US_ZIP_RE = r"\b\d{5}(?:-\d{4})?\b"
CA_POSTAL_RE = r"(?-i:\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d\b)"



def luhn_valid(digits: str) -> bool:
    """True when ``digits`` passes the Luhn checksum (SIN, payment cards)."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def custom_recognizers(student_id_pattern: str = DEFAULT_STUDENT_ID_PATTERN) -> list[EntityRecognizer]:
    """Our recognizers, new instances for one analyzer."""
    from presidio_analyzer import Pattern, PatternRecognizer

    class CaSinRecognizer(PatternRecognizer):
        """Canadian SIN: 9 digits (3-3-3), first digit 1-7 or 9, Luhn-valid."""

        def invalidate_result(self, pattern_text: str) -> bool:
            digits = "".join(c for c in pattern_text if c.isdigit())
            return len(digits) != 9 or digits[0] in "08" or not luhn_valid(digits)

    sin = CaSinRecognizer(
        supported_entity="CA_SIN", name="AuditorCaSinRecognizer",
        patterns=[Pattern("SIN 3-3-3", r"\b[1-79]\d{2}([- ])\d{3}\1\d{3}\b", 0.6),
                  Pattern("SIN 9 digits", r"\b[1-79]\d{8}\b", 0.3)],
        context=["sin", "social", "insurance", "nas"])
    student = PatternRecognizer(
        supported_entity="STUDENT_ID", name="AuditorStudentIdRecognizer",
        patterns=[Pattern("student id", student_id_pattern, 0.6)],
        context=["student", "studentid", "id", "matricule"])
    postal = PatternRecognizer(
        supported_entity="CA_POSTAL_CODE", name="AuditorCaPostalCodeRecognizer",
        patterns=[Pattern("CA postal code", CA_POSTAL_RE, 0.6)],
        context=["postal", "code", "address", "mail"])
    # Street addresses are not one pattern: house number before or after the street, the
    # postal line, context words (auditor.data.addresses scores them itself).
    street = address_recognizer()
    zipcode = PatternRecognizer(
        supported_entity="US_ZIP", name="AuditorUsZipRecognizer",
        patterns=[Pattern("state + ZIP", US_ZIP_STATE_RE, 0.7), Pattern("bare ZIP", US_ZIP_RE, 0.2)],
        context=["zip", "zipcode", "postal", "address"])
    return [sin, student, postal, street, zipcode]


def offline_email_recognizer() -> EntityRecognizer:
    """Presidio's email recognizer with tldextract pinned to its bundled suffix snapshot.

    The stock recognizer calls ``tldextract.extract``, which downloads the public
    suffix list on first use (and hangs or fails offline). Ours never does.
    """
    import tldextract
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)

    class OfflineEmailRecognizer(EmailRecognizer):
        def validate_result(self, pattern_text: str) -> Any:
            return extractor(pattern_text).fqdn != ""

    return OfflineEmailRecognizer()
