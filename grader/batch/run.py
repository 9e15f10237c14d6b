"""Grade a whole class: many submissions, parallel workers, resumable.

``grade()`` runs pytest in its own process, and pytest is not thread-safe,
so learners are graded in parallel by worker processes, each grading one
learner at a time. The workers live for the whole batch: whatever a
process keeps warm (imports, a fork server) serves every learner it grades.
A worker never runs learner code itself (that happens in the sandbox's
children), and a worker that dies anyway is replaced and its learners
graded again.

Only this process writes into ``OUT``: each learner's HTML, then JSON,
each atomically, so a learner's JSON exists only once the learner is
completely done. That JSON, with the fingerprint of the graded files and
the grader version, is what lets a run that was stopped (Ctrl-C, SIGTERM,
kill -9) pick up where it stopped: a learner whose current files have the
same fingerprint under the same grader version is not graded again.
"""
from __future__ import annotations

import concurrent.futures as cf
import ctypes
import hashlib
import io
import multiprocessing
import os
import signal
import sys
import threading
import zipfile
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import __version__, policy, registry
from grader.atomic import write_atomic
from grader.batch.class_report import write_class_report
from grader.batch.gradebook import LEARNERS_DIR, iter_records, rebuild_gradebook, row, write_gradebook
from grader.batch.listing import LearnerSource, is_batch, list_learners
from grader.batch.similarity import recorded_sources, review_similarity
from grader.errors import GraderError, SubmissionError, UsageError
from grader.intake.submission import take
from grader.sandbox import leftovers, scratch
from grader.sanitize import dumps


@dataclass(frozen=True)
class ClassResult:
    out: Path
    learners: int  # submissions in the batch
    graded: int  # graded by this run
    reused: int  # already graded: same files, same grader version
    unreadable: int  # refused at intake (not a readable folder or .zip)
    errors: int  # the grader failed on them; they are graded again next run
    gradebook: Path
    class_report: Path
    isolation_warning: str = ""  # credit.INSECURE_NOTE when --insecure let it grade
    # Who, by learner id, for the two counts an instructor acts on.
    unreadable_ids: tuple[str, ...] = ()
    error_ids: tuple[str, ...] = ()


def grade_class(*, submissions: Path, out: Path, jobs: int | None = None,
                dask_address: str | None = None, progress: bool | None = None,
                secret_file: Path | None = None, sign_key: bytes | None = None,
                reveal: bool = True, similarity: bool = True, for_credit: bool = False,
                insecure: bool = False, exercises: tuple[str, ...] | None = None) -> ClassResult:
    """Grade every learner of the batch ``submissions`` into ``out``.

    ``jobs`` worker processes grade in parallel (default: the core count);
    with ``dask_address`` the Dask cluster there grades instead. ``progress``
    shows a bar (default: only when stderr is a terminal and not in CI).
    ``secret_file``, ``sign_key`` and ``reveal`` mean what they mean for one
    grading (``cnn-grader grade --secret/--sign-key/--no-reveal``); with a
    key, each learner's JSON and each gradebook row are signed.
    ``similarity`` compares every pair of learners' code (``similarity.csv``
    and a section of ``class.html``; see ``grader.similarity``).
    ``for_credit`` and ``insecure`` are ``credit.check``'s: without isolation
    a batch for credit refuses before it grades anyone, unless ``insecure``.
    ``exercises`` grades just those (``--only conv``, e.g. the week's), the
    quiz always; a learner graded on others is graded again, never reused.
    A stop by KeyboardInterrupt (SIGINT, and SIGTERM here) still leaves a
    consistent ``out``; run again to finish.
    """
    submissions, out = Path(submissions), Path(out)
    if not is_batch(submissions):
        raise UsageError(f"{submissions} is not a batch of submissions",
                         hint="a batch is a folder (or a .zip) holding one subfolder or "
                              ".zip per learner; grade a single submission without --out")
    wanted = registry.names() if exercises is None else tuple(
        dict.fromkeys(registry.get(name).name for name in exercises))
    jobs = jobs or os.cpu_count() or 1
    if jobs < 1:
        raise UsageError(f"--jobs {jobs} is not a number of workers", hint="use --jobs 1 or more")
    from grader.suites.seeding import seeding_for
    # Read the course secret once here: a bad file fails before any grading.
    from grader.suites.seeding import secret_id
    seeding = seeding_for("", secret_file=secret_file)
    from grader.scoring import credit
    guard = credit.check(for_credit=for_credit or seeding.mode == "course" or sign_key is not None,
                         signing=sign_key is not None, insecure=insecure)
    (out / LEARNERS_DIR).mkdir(parents=True, exist_ok=True)
    leftovers.sweep()  # what a killed batch left behind
    with scratch.folder("batch") as stage, \
            _sigterm_as_interrupt():
        learners = list_learners(submissions, Path(stage))
        run = _Run(out, learners, progress, sign_key=sign_key,
                   settings=(seeding.mode, secret_id(seeding), reveal, tuple(sorted(wanted))),
                   task_options=(str(secret_file) if secret_file else None, reveal,
                                 for_credit or sign_key is not None, insecure, wanted))
        try:
            todo = run.intake()
            if todo:
                with _executor(jobs=min(jobs, len(todo)), dask_address=dask_address) as (pool, remote):
                    run.grade(pool, todo, remote)
        finally:
            run.close()
            rebuild_gradebook(out, sign_key=sign_key)
            review = review_similarity(out=out) if similarity else None
            write_class_report(out, similarity=review)
    return run.result(credit.INSECURE_NOTE if guard.insecure else "")


class _Run:
    """One batch run: what is done, what is left, and the files in ``out``."""

    def __init__(self, out: Path, learners: list[LearnerSource], progress: bool | None, *,
                 settings: tuple, sign_key: bytes | None, task_options: tuple) -> None:
        self.out = out
        self.learners = learners
        self.settings = settings
        self.sign_key = sign_key
        self.task_options = task_options
        records = list(iter_records(out))
        self.rows = {r["learner_id"]: self._row(r) for r in records}
        self.resume = {r["learner_id"]: _resume_key(r) for r in records}
        # A grading the grader itself may have spoilt is graded again, never reused.
        self.faulted = {i for i, r in self.rows.items() if "grader-fault" in r["flags"].split()}
        self.counts = {"graded": 0, "reused": 0, "unreadable": 0, "errors": 0}
        self.who: dict[str, list[str]] = {"unreadable": [], "errors": []}
        from tqdm import tqdm
        show = progress if progress is not None else _interactive()
        self.bar = tqdm(total=len(learners), unit="learner", disable=not show,
                        desc="grading", dynamic_ncols=True)

    def intake(self) -> list[LearnerSource]:
        """Record what needs no grading; return the learners left to grade."""
        todo = []
        for source in self.learners:
            key = _fingerprint(source)
            if isinstance(key, SubmissionError):
                self._record_failure(source, "unreadable", str(key))
            elif self.resume.get(source.learner_id) == (key, __version__, *self.settings) \
                    and source.learner_id not in self.faulted:  # regraded, never reused
                self.counts["reused"] += 1
                self.bar.update()
            else:
                todo.append(source)
        return todo

    def grade(self, pool: cf.Executor, todo: list[LearnerSource], remote: bool) -> None:
        attempts = {s.learner_id: 0 for s in todo}
        pending: dict[cf.Future, LearnerSource] = {}

        def submit(source: LearnerSource) -> None:
            attempts[source.learner_id] += 1
            pending[pool.submit(grade_one, _payload(source, remote), source.path.name,
                                source.learner_id, *self.task_options)] = source

        for source in todo:
            submit(source)
        while pending:
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for future in done:
                source = pending.pop(future)
                try:
                    record, html = future.result()
                except GraderError:
                    raise  # a broken suite or quiz bank: every learner would fail alike
                except Exception as exc:  # the worker died, or the grader failed on it
                    if attempts[source.learner_id] < policy.MAX_ATTEMPTS_PER_LEARNER:
                        pool = self._maybe_renew(pool)
                        submit(source)
                    else:
                        self._record_failure(source, "error", f"{type(exc).__name__}: {exc}")
                    continue
                self._record(source, record, html)

    def _maybe_renew(self, pool: cf.Executor) -> cf.Executor:
        # A dead worker breaks a whole ProcessPoolExecutor; its owner renews it.
        renew = getattr(pool, "renew", None)
        return renew() if renew else pool

    def _record(self, source: LearnerSource, record: dict[str, Any], html: str | None) -> None:
        name = self.out / LEARNERS_DIR / source.learner_id
        # Error notes are signed too: only a record that verifies gets a signed row.
        if self.sign_key is not None:
            from grader.scoring.signing import sign_result
            record = sign_result(record, key=self.sign_key)
        if html is not None:
            write_atomic(name.with_name(name.name + ".html"), html)
        # The JSON last: it is what marks the learner as done.
        write_atomic(name.with_name(name.name + ".json"), dumps(record) + "\n")
        self.rows[source.learner_id] = self._row(record)
        self.resume[source.learner_id] = _resume_key(record)
        kind = ("graded" if "error" not in record else
                "unreadable" if record["status"] == "unreadable" else "errors")
        self.counts[kind] += 1
        self.who.get(kind, []).append(source.learner_id)
        self.bar.update()
        # After every learner, so that the gradebook lags the learner files by
        # at most the one being recorded, even after kill -9. From the rows in
        # memory, each signed once: about 7 ms for a class of 3,000.
        write_gradebook(self.out, list(self.rows.values()), sign_key=self.sign_key)

    def _row(self, record: dict[str, Any]) -> dict[str, str]:
        """The learner's gradebook row, made (and signed, if it verifies) once."""
        return row(record, sign_key=self.sign_key)

    def _record_failure(self, source: LearnerSource, status: str, message: str) -> None:
        self._record(source, {
            "learner_id": source.learner_id, "submission": source.path.name,
            "status": status, "error": message,
            # An error is never reused: an empty fingerprint matches nothing.
            "fingerprint": _raw_digest(source.path) if status == "unreadable" else "",
            "grader_version": __version__}, None)

    def close(self) -> None:
        self.bar.close()

    def result(self, isolation_warning: str = "") -> ClassResult:
        return ClassResult(out=self.out, learners=len(self.learners), **self.counts,
                           gradebook=self.out / "gradebook.csv",
                           class_report=self.out / "class.html",
                           isolation_warning=isolation_warning,
                           unreadable_ids=tuple(sorted(self.who["unreadable"])),
                           error_ids=tuple(sorted(self.who["errors"])))


def grade_one(payload: str | bytes, name: str, learner_id: str, secret_file: str | None = None,
              reveal: bool = True, for_credit: bool = False, insecure: bool = False,
              exercises: tuple[str, ...] | None = None) -> tuple[dict[str, Any], str]:
    """Grade one learner in a worker (local or Dask); return its JSON and HTML.

    ``payload`` is the submission's path, or its bytes as a .zip when the
    worker may be on another machine. ``secret_file`` is a path on the
    worker's machine (the secret itself never travels).
    """
    from grader.sandbox import warmpool
    from grader.scoring.grading import grade
    from grader.report.html import render_report
    from grader.model import to_json

    warmpool.use_in_this_process()  # a worker grades learner after learner

    with scratch.folder("learner") as tmp:
        path = Path(payload) if isinstance(payload, str) else Path(tmp) / name
        if isinstance(payload, bytes):
            path.write_bytes(payload)
        result = grade(submission=path, learner=learner_id, for_credit=for_credit,
                       insecure=insecure, secret_file=Path(secret_file) if secret_file else None,
                       exercises=exercises)
        # The code as graded, for the similarity review (read from OUT later).
        sources = recorded_sources(path, fingerprint=result.fingerprint)
    # A report that cannot be drawn is noted in the result, never an error:
    # the learner is recorded, and reused on the next run like any other.
    result, html = render_report(result, reveal=reveal)
    from grader.suites.seeding import secret_id, seeding_for
    # The batch's resume key (see _resume_key): which secret, and what the report shows.
    settings = {"secret_id": secret_id(seeding_for("", secret_file=Path(secret_file)
                                                   if secret_file else None)),
                "reveal": reveal}
    return {**to_json(result), **sources, **settings}, html


def _resume_key(record: dict[str, Any]) -> tuple:
    """What a recorded grading must match to be reused: the same files, grader,
    seeding mode, secret, reveal setting and exercises (a report written with
    answers shown is never reused by a --no-reveal run, nor one under another
    secret, nor one of other exercises)."""
    return (record.get("fingerprint"), record.get("grader_version"), record.get("seeding"),
            record.get("secret_id"), record.get("reveal"),
            tuple(sorted(set(record.get("exercises") or ()) & set(registry.names()))))


def _fingerprint(source: LearnerSource) -> str | SubmissionError:
    """The intake fingerprint of a learner's files, computed the way grading
    computes it, or the reason intake refuses the submission."""
    with scratch.folder("intake") as tmp:
        try:
            return take(source.path, Path(tmp)).fingerprint
        except SubmissionError as exc:
            return exc


def _raw_digest(path: Path) -> str:
    if path.is_file():
        return "file:" + hashlib.sha256(path.read_bytes()).hexdigest()
    return ""


def _payload(source: LearnerSource, remote: bool) -> str | bytes:
    if not remote:
        return str(source.path)
    if source.path.is_file():
        return source.path.read_bytes()
    return _zip_folder(source.path)


def _zip_folder(folder: Path) -> bytes:
    """The folder as a .zip in memory, links kept as links so that intake on
    the worker notes and ignores them just as it would here."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                info = zipfile.ZipInfo(rel)
                info.external_attr = (0o120777 << 16)
                archive.writestr(info, os.readlink(path))
            elif path.is_file():
                archive.write(path, rel)
    return buffer.getvalue()


def _interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def _sigterm_as_interrupt():
    """SIGTERM stops a batch the way Ctrl-C does: files written, workers ended."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _executor(*, jobs: int, dask_address: str | None):
    """(executor, remote): local worker processes, or a Dask cluster's workers."""
    if dask_address is None:
        pool = _LocalPool(jobs)
        try:
            yield pool, False
        except BaseException:
            pool.stop(now=True)
            raise
        pool.stop(now=False)
        return
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--dask needs the distributed package",
                         hint="pip install 'cnn-grader[dask]'") from None
    try:
        client = Client(dask_address, set_as_default=False, timeout=30)
    except OSError as exc:
        raise UsageError(f"no Dask scheduler answers at {dask_address} ({exc})",
                         hint="start one (dask scheduler) or check the address") from None
    with ExitStack() as stack:
        stack.callback(client.close)
        # pure=False: two learners with identical files are still two gradings.
        yield client.get_executor(pure=False), True


class _LocalPool:
    """Long-lived worker processes; a pool that loses a worker is replaced."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool = self._start()

    def _start(self) -> cf.ProcessPoolExecutor:
        # spawn, not fork: this process may hold threads (tqdm's, torch's).
        return cf.ProcessPoolExecutor(max_workers=self.jobs,
                                      mp_context=multiprocessing.get_context("spawn"),
                                      initializer=_worker_start, initargs=(os.getpid(),))

    def submit(self, fn, /, *args) -> cf.Future:
        return self._pool.submit(fn, *args)

    def renew(self) -> _LocalPool:
        if getattr(self._pool, "_broken", False):
            self.stop(now=True)
            self._pool = self._start()
        return self

    def stop(self, *, now: bool = True) -> None:
        """End the workers; ``now`` even mid-grading (their learners are not
        recorded, so the next run grades them)."""
        # ProcessPoolExecutor has no public way to end busy workers before 3.14.
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=not now, cancel_futures=True)
        if now:
            for process in processes:
                process.kill()
                process.join(timeout=5)


def _worker_start(parent: int) -> None:
    # Ctrl-C goes to the whole terminal's process group; the parent alone
    # decides how a batch stops, so a worker ignores it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        # If the parent is killed (kill -9), its workers die with it rather
        # than grade on with nobody to record their results.
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)  # the parent died before the line above took effect
