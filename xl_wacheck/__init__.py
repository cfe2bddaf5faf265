"""xl-wacheck: which phone numbers in a lead list have WhatsApp, straight from Excel.

The package is a pure-Python core (numbers, plan, api, policy, poller, job, results) with
thin front-ends around it. This module is the small public surface.
"""

from .api import ApiClient
from .errors import (
    ApiError,
    ApiUnavailable,
    AuthError,
    BadRequest,
    ConfigError,
    InputError,
    ResultFileError,
    ResultLinkExpired,
    TaskFailed,
    TaskNotFound,
    UploadUncertain,
    WacheckError,
)
from .frame import check_dataframe, check_numbers
from .numbers import Invalid, normalise
from .plan import RESULT_HEADERS, Plan, PlanCounts, ResultRow, plan_rows
from .records import CheckResult, Progress, TaskStatus
from .version import __version__

__all__ = [
    "RESULT_HEADERS",
    "ApiClient",
    "ApiError",
    "ApiUnavailable",
    "AuthError",
    "BadRequest",
    "CheckResult",
    "ConfigError",
    "InputError",
    "Invalid",
    "Plan",
    "PlanCounts",
    "Progress",
    "ResultFileError",
    "ResultLinkExpired",
    "ResultRow",
    "TaskFailed",
    "TaskNotFound",
    "TaskStatus",
    "UploadUncertain",
    "WacheckError",
    "__version__",
    "check_dataframe",
    "check_numbers",
    "normalise",
    "plan_rows",
]
