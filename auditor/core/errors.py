"""Error types shared by every layer.

``AuditorError`` is the root: the CLI turns any of them into one clear line and
an exit code, never a traceback (``--debug`` shows it).
"""

from __future__ import annotations

from dataclasses import dataclass, field


class AuditorError(Exception):
    """Base class of every error the tool reports to a user."""

    exit_code = 2


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem, located in a file.

    Rendered as ``path:line:col: field.path: message (did you mean 'x'?)``.
    ``line`` and ``col`` are 1-based; 0 means "the whole file".
    """

    path: str
    line: int
    col: int
    field: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}"
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


@dataclass
class ConfigError(AuditorError):
    """A rule, mutelist, framework or config file did not validate.

    Carries *every* problem found so a user can fix them all in one go.
    """

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in sorted(self.problems))


class UsageError(AuditorError):
    """The command line asked for something impossible (exit 2)."""


class NotAvailableError(AuditorError):
    """A capability that is not built yet: said plainly, exit 2."""


class EvaluationError(AuditorError):
    """A rule could not be evaluated for a resource (becomes an ERROR finding)."""

    exit_code = 3


class DataError(AuditorError):
    """Input data could not be read: one line naming the file and the problem."""

    exit_code = 2


class AwsSetupError(AuditorError):
    """AWS cannot be used at all: no or incomplete credentials, an unknown profile,
    credentials AWS rejects, or an endpoint that does not answer the run's first call.

    A configuration problem (exit 2) found before anything is evaluated; the message
    says what is wrong and how to fix it. A call that fails later in a run is not this:
    it becomes ERROR findings (exit 3).
    """

    exit_code = 2


class CollectionError(AuditorError):
    """Collecting resources failed in a way that stops the whole run (exit 3).

    Failures that affect only some resources do not raise: they become ERROR
    findings on those resources.
    """

    exit_code = 3
