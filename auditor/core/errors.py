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
    """A capability this installation cannot provide (e.g. a run source's modules are missing): said plainly, exit 2."""


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


def crash_summary(exc: BaseException) -> str:
    """How an unexpected exception is told to users: its type and where it was raised in auditor
    (``KeyError at auditor/core/filters.py:212``), never its message. A message can quote the
    data being processed (a cell value, a tag, a template string), and no raw value may reach a
    finding, a log or a terminal; ``--debug`` shows the full trace to whoever runs the tool."""
    tb = exc.__traceback__
    if tb is None:
        return type(exc).__name__
    while tb.tb_next is not None:  # the frame that raised
        tb = tb.tb_next
    path = tb.tb_frame.f_code.co_filename.replace("\\", "/")
    shown = f"auditor/{path.rsplit('/auditor/', 1)[1]}" if "/auditor/" in path else path.rsplit("/", 1)[-1]
    return f"{type(exc).__name__} at {shown}:{tb.tb_lineno}"
