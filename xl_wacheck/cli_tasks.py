"""``xl-wacheck tasks | resume | fetch | login``: the journal and the key, from the shell."""

from __future__ import annotations

import argparse
import getpass
import shutil
import sys
import time
from pathlib import Path

from . import console
from .errors import ConfigError, InputError
from .journal import APPLIED, INTENT, Job, Journal
from .settings import load_settings, save_user_settings, store_key
from .tracked import finish_job


def _age(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours = minutes // 60
    return f"{hours}h" if hours < 48 else f"{hours // 24}d"


def _target(job: Job) -> str:
    target = job.target
    if target.get("kind") == "file":
        return f"{Path(str(target.get('file'))).name} [{target.get('column') or '?'}]"
    if target.get("kind") == "excel":
        return f"{target.get('book')}!{target.get('sheet')} {target.get('address')}"
    return job.front_end or "-"


def tasks(args: argparse.Namespace) -> int:
    journal = Journal()
    if args.abandon is not None:
        job = journal.get(args.abandon)
        if job is None or job.state != INTENT:
            raise InputError(f"Job {args.abandon} is not an uncertain upload; nothing to do.")
        journal.abandon(job.id)
        print(f"Job {job.id} abandoned; the next check uploads its numbers again.")
        return 0
    jobs = [j for j in journal.jobs(limit=args.limit) if args.all or j.state != APPLIED]
    if not jobs:
        print("No open tasks." if not args.all else "No tasks yet.")
        return 0
    now = time.time()
    print(f"{'job':>4}  {'state':<10} {'task':<22} {'done/total':>15} {'age':>5}  target")
    for job in jobs:
        done = f"{job.success + job.failure:,}/{job.total or job.numbers:,}"
        print(
            f"{job.id:>4}  {job.state:<10} {job.task_id or '-':<22} {done:>15} "
            f"{_age(now - job.created_at):>5}  {_target(job)}"
        )
    return 0


def resume(args: argparse.Namespace) -> int:
    from .cli_check import client_from_settings, run_check

    journal = Journal()
    if args.task_id:
        journal.attach_task(args.job, args.task_id)
    job = journal.get(args.job)
    if job is None:
        raise InputError(f"There is no job {args.job}; see 'xl-wacheck tasks'.")
    client = client_from_settings()
    bar = console.ProgressBar()
    try:
        finish_job(client, journal, job.id, on_progress=bar)
    finally:
        bar.close()
    target = job.target
    if target.get("kind") == "file" and Path(str(target.get("file"))).is_file():
        return run_check(args, target=target)
    journal.mark_applied(job.id)
    print(f"Task {job.task_id} finished; its results are kept for 'xl-wacheck fetch {job.id}'.")
    return 0


def fetch(args: argparse.Namespace) -> int:
    from .cli_check import client_from_settings

    journal = Journal()
    job = journal.by_task(args.id) if not args.id.isdigit() else journal.get(int(args.id))
    if job is None:
        raise InputError(f"No job or task '{args.id}' in the journal; see 'xl-wacheck tasks'.")
    if not (job.result_file and Path(job.result_file).is_file()):
        job, _ = finish_job(client_from_settings(), journal, job.id)
    out = Path(args.out)
    try:
        shutil.copyfile(str(job.result_file), out)
    except OSError as error:
        raise InputError(f"Cannot write {out} ({error.strerror}).") from error
    print(f"Results of task {job.task_id} saved to {out}.")
    return 0


def login(args: argparse.Namespace) -> int:
    settings = load_settings()
    user_id = args.user_id or settings.user_id
    if not user_id:
        if not sys.stdin.isatty():
            raise ConfigError("Give the user ID: xl-wacheck login --user-id ID")
        user_id = input("User ID: ").strip()
    key = getpass.getpass("API key (not shown): ") if sys.stdin.isatty() else sys.stdin.readline()
    key = key.strip()
    if not key or not user_id:
        raise ConfigError("Both a user ID and an API key are needed.")
    store_key(user_id, key)
    path = save_user_settings({"user_id": user_id})
    print(f"Key stored in the system keychain for user {user_id}; user ID saved in {path}.")
    return 0


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from .cli_check import add_check_options

    listing = commands.add_parser("tasks", help="list the task journal")
    listing.add_argument("--all", action="store_true", help="include finished tasks")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument(
        "--abandon",
        type=int,
        metavar="JOB",
        help="give up an uncertain upload so the numbers can be sent again",
    )
    listing.set_defaults(run=tasks)

    again = commands.add_parser("resume", help="finish a recorded task and apply its results")
    again.add_argument("job", type=int, help="job number from 'xl-wacheck tasks'")
    again.add_argument("--task-id", help="attach the task ID of an uncertain upload")
    add_check_options(again)
    again.set_defaults(run=resume, file=None)

    get = commands.add_parser("fetch", help="download a finished task's result file")
    get.add_argument("id", help="job number or task ID")
    get.add_argument("--out", required=True, help="where to save the result file")
    get.set_defaults(run=fetch)

    key = commands.add_parser("login", help="store the API key in the system keychain")
    key.add_argument("--user-id", help="the account's user ID")
    key.set_defaults(run=login)
