"""The one exception hierarchy every front-end catches.

Each message is a sentence a sales person can act on; front-ends print ``str(error)`` and
never a traceback. The classes carry the *kind* of trouble so the CLI can pick an exit
code and the Excel front-end an alert, without parsing text.
"""

from __future__ import annotations


class WacheckError(Exception):
    """Base of every expected failure; its message is shown to the user as it is."""

    #: CLI exit code for this kind of failure (2 = input/usage, 3 = API/auth/network).
    exit_code = 3


class InputError(WacheckError):
    """The user's input (a file, a column, a region) cannot be used as it is."""

    exit_code = 2


class ConfigError(WacheckError):
    """A setting is missing or wrong (no API key, no user ID, a bad URL)."""

    exit_code = 2


class ApiError(WacheckError):
    """The API answered, but not with what we asked for."""


class AuthError(ApiError):
    """401/403: the key is wrong, revoked, or not allowed for this user ID."""


class BadRequest(ApiError):
    """400: the API rejected the request's parameters or the uploaded file."""


class TaskNotFound(ApiError):
    """404 on a task: wrong task ID, or it belongs to another user ID."""


class TaskFailed(ApiError):
    """The task ended in the ``failed`` status; nothing more will come of it."""


class ResultLinkExpired(ApiError):
    """The result download link no longer works; a fresh status call gives a new one."""


class ResultFileError(ApiError):
    """The downloaded result file is truncated, corrupt, or not a table we understand."""


class ApiUnavailable(WacheckError):
    """The API could not be reached or kept failing (5xx, 429, network) after retries."""


class UploadUncertain(ApiUnavailable):
    """The connection broke after the upload was sent: the task may exist and be charged.

    Re-sending would risk paying twice, so this is reported instead of retried.
    """
