"""The local SQLite database behind the task journal and the result cache.

One file in the user's state folder, shared by every front-end (two Excel clicks and a CLI
run may use it at once): WAL mode so readers never block the writer, a busy timeout so
writers queue instead of failing, and short transactions. A disk that is full or a folder
that cannot be written becomes one plain sentence.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from platformdirs import user_state_path

from .errors import WacheckError

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    api_origin TEXT NOT NULL,
    user_id TEXT NOT NULL,
    numbers INTEGER NOT NULL,
    target TEXT NOT NULL DEFAULT '{}',
    front_end TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    task_id TEXT UNIQUE,
    status TEXT,
    total INTEGER NOT NULL DEFAULT 0,
    success INTEGER NOT NULL DEFAULT 0,
    failure INTEGER NOT NULL DEFAULT 0,
    message TEXT,
    result_file TEXT,
    owner_pid INTEGER,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    applied_at REAL
);
CREATE INDEX IF NOT EXISTS jobs_fingerprint ON jobs (fingerprint);
CREATE TABLE IF NOT EXISTS statuses (
    job_id INTEGER NOT NULL REFERENCES jobs (id),
    seen_at REAL NOT NULL,
    status TEXT NOT NULL,
    total INTEGER NOT NULL,
    success INTEGER NOT NULL,
    failure INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS cache (
    origin TEXT NOT NULL,
    number TEXT NOT NULL,
    whatsapp INTEGER,
    signature TEXT NOT NULL DEFAULT '',
    status_update TEXT,
    checked_at REAL NOT NULL,
    failed INTEGER NOT NULL DEFAULT 0,
    task_id TEXT,
    PRIMARY KEY (origin, number)
) WITHOUT ROWID;
"""


class StorageError(WacheckError):
    """The state folder cannot be written (full disk, no permission)."""

    exit_code = 2


def state_dir() -> Path:
    configured = os.environ.get("WACHECK_STATE_DIR")
    return Path(configured) if configured else user_state_path("xl-wacheck", appauthor=False)


def storage_error(error: BaseException, where: Path) -> StorageError:
    text = str(error).lower()
    if "full" in text or getattr(error, "errno", None) == 28:
        return StorageError(
            f"The disk holding {where} is full; free some space and run "
            "the same command again (nothing paid is lost)."
        )
    return StorageError(
        f"Cannot write to {where} ({error}); check the folder's permissions "
        "or set WACHECK_STATE_DIR to a writable folder."
    )


class Store:
    """A connection factory for the database file; each use is one short transaction."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or state_dir()
        self.path = self.folder / "wacheck.sqlite3"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30.0)
            try:
                db.execute("PRAGMA journal_mode=WAL")  # persistent: set once per file
                db.executescript(SCHEMA)
            finally:
                db.close()
        except (OSError, sqlite3.Error) as error:
            raise storage_error(error, self.folder) from error

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A transaction: committed on success, rolled back on error, always closed."""
        try:
            db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        except sqlite3.Error as error:
            raise storage_error(error, self.folder) from error
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA synchronous=FULL")  # a recorded task ID survives a power cut
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.OperationalError as error:
            raise storage_error(error, self.folder) from error
        finally:
            db.close()

    def results_folder(self) -> Path:
        folder = self.folder / "results"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise storage_error(error, folder) from error
        return folder
