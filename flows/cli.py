"""`uncoop`: build, validate and list releases.

    uncoop build --input corpus --output outputs
    uncoop validate outputs/latest
    uncoop releases --output outputs [--json]
    uncoop schemas [--check]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
CATALOG_PAGE = "index.html"  # flows.core.catalog.CATALOG_FILE, not imported: it would load pyarrow for --help


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"uncoop: error: {message}", file=sys.stderr)
    return code


def cmd_build(args: argparse.Namespace) -> int:
    from flows.core.fetch import FetchInputError, read_list_file
    from flows.settings import settings_for

    remote = {"urls_file": args.urls, "symbols_file": args.symbols}
    for flag, path in (("--urls", args.urls), ("--symbols", args.symbols)):
        if path is not None:
            try:
                read_list_file(path)
            except FetchInputError as exc:
                return _fail(f"{flag}: {exc}", EXIT_USAGE)
    try:
        settings = settings_for(args.profile, input_dir=args.input, output_dir=args.output,
                                batch_size=args.batch_size, max_bytes=args.max_bytes, task_runner=args.task_runner,
                                workers=args.workers, dask_address=args.dask_address, cache_dir=args.cache_dir,
                                fetch_cache_dir=args.fetch_cache, symbol_url_template=args.symbol_url_template,
                                offline=args.offline or None, publish_to=args.publish_to,
                                source_repo=args.source_repo, source_branch=args.source_branch, **remote)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError: a readable message per field
        return _fail(f"invalid settings: {exc}", EXIT_USAGE)
    if args.input is None and (args.urls or args.symbols):  # only the fetched documents
        settings = settings.model_copy(update={"input_dir": None})
    if args.no_publish:
        settings = settings.model_copy(update={"publish": False})
    if args.no_cache:
        settings = settings.model_copy(update={"use_cache": False})
    if args.allow_shrink:
        settings = settings.model_copy(update={"allow_shrink": True})
    if settings.input_dir is not None and not settings.input_dir.exists():
        return _fail(f"input folder {settings.input_dir} does not exist", EXIT_USAGE)
    if settings.input_dir is not None and not settings.input_dir.is_dir():
        return _fail(f"input {settings.input_dir} is not a folder", EXIT_USAGE)
    if settings.output_dir.exists() and not settings.output_dir.is_dir():
        return _fail(f"output {settings.output_dir} exists and is not a folder", EXIT_USAGE)

    from flows.core.gitsource import SourceUnavailable
    from flows.core.storage import PublishRefused
    from flows.pipeline import BuildFailed, ValidationFailed, build_release
    from flows.progress import terminal_progress

    sources = [str(p) for p in (settings.source_repo or settings.input_dir, settings.urls_file, settings.symbols_file)
               if p is not None]
    print(f"uncoop: building a release from {' + '.join(sources)} into {settings.output_dir}", flush=True)
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    try:
        # No flow-run heartbeats for a build run from the command line: they let a server
        # notice a crashed run of a deployment, but here the run is in the foreground, and the
        # heartbeat thread costs about a second at the end of every run (it sleeps in 1 s steps).
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}), terminal_progress(args.progress):
            summary = build_release(settings)
    except ValidationFailed as exc:
        print("\nthe release failed validation and was NOT published:", file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    except PublishRefused as exc:
        print(f"\nthe release was NOT published: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except SourceUnavailable as exc:
        return _fail(f"the source repository could not be read: {exc}")
    except BuildFailed as exc:  # a full disk, an unwritable output, a build already running: one line
        return _fail(str(exc))
    print("\n" + summary.render())
    catalog = Path(summary.release) / CATALOG_PAGE if summary.release else None
    if catalog is not None and catalog.is_file():
        print(f"catalog page (open it next): {catalog}")
    if args.json:
        Path(args.json).write_text(json.dumps(summary.__dict__, indent=2, default=str) + "\n", encoding="utf-8")
    return EXIT_OK


def _resolve_release(path: Path) -> Path:
    if path.is_file() and not path.is_symlink():  # a pointer file holding a relative path
        path = path.parent / path.read_text(encoding="utf-8").strip()
    return path.resolve()


def cmd_validate(args: argparse.Namespace) -> int:
    from flows.core.release_check import BrokenRelease, check_files, read_package
    from flows.core.validation import release_frames, run_validation

    release = _resolve_release(Path(args.release))
    if not (release / "datapackage.json").exists():
        return _fail(f"{args.release} is not a release (no datapackage.json in {release})", EXIT_USAGE)
    try:
        package = read_package(release)
    except BrokenRelease as exc:
        print("validation failed: the release cannot be checked")
        return _fail(str(exc))
    # the files against datapackage.json: checksums, rows per table, JSON equal to Parquet
    problems = check_files(release, package)
    unreadable = [p for p in problems if "cannot be read" in p or "is missing" in p]
    report = None
    from flows.progress import terminal_progress, tracked

    with contextlib.ExitStack() as stack:
        # without --report, the report goes to a temporary folder removed afterwards: nothing is left in /tmp
        out = Path(args.report) if args.report else Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="uncoop-validate-", ignore_cleanup_errors=True)))
        if not unreadable:  # the expectations need every table readable
            with terminal_progress(args.progress):
                report = run_validation(release_frames(release), out, version=release.name,
                                        progress=lambda items: tracked(items, "validate"))
    failed = bool(problems) or report is None or not report.success
    if report is not None:
        lines = report.summary().splitlines()
        head = lines[0].replace("validation passed", "expectations passed").replace("validation FAILED",
                                                                                   "expectations FAILED")
        print("\n".join([head, *lines[1:]]))
    for p in problems:
        print(f"  - {p}")
    print(f"validation {'failed' if failed else 'passed'}: "
          + (f"{len(problems)} problem(s) with the files" if problems else "files match datapackage.json")
          + ("" if report is None else f"; {report.n_expectations - report.n_failed}/{report.n_expectations} "
                                       "expectations met"))
    if report is not None:
        print(f"report: {out}" if args.report else "report: not kept (write it with --report DIR)")
    return EXIT_FAILED if failed else EXIT_OK


def release_index(releases: list[Path], latest: Path | None) -> list[dict]:
    """One entry per release, read from its datapackage.json: version, created, whether it is
    latest, rows per table, the content fingerprint and each file's bytes and sha256."""
    out = []
    for rel in releases:
        pkg = json.loads((rel / "datapackage.json").read_text(encoding="utf-8"))
        resources = pkg.get("resources", [])
        rows = {r["name"]: r["rows"] for r in resources
                if r.get("profile") == "tabular-data-resource" and not r["name"].endswith("-json") and "rows" in r}
        out.append({"version": pkg.get("version", rel.name), "created": pkg.get("created"), "path": str(rel),
                    "latest": latest is not None and rel.resolve() == latest, "rows": rows,
                    "fingerprint": (pkg.get("uncoop") or {}).get("fingerprint"),
                    "files": {r["path"]: {"bytes": r.get("bytes"), "sha256": str(r.get("hash", "")).removeprefix("sha256:")}
                              for r in resources if isinstance(r.get("path"), str)}})
    return out

def cmd_check_unxml(args: argparse.Namespace) -> int:
    """Build a release from a folder of Akoma Ntoso files (unless --release names one), timing the
    build and its peak memory, then check the release against the files themselves."""
    import resource
    import subprocess
    import time

    from flows.core.unxml_check import check_release, write_json

    folder = Path(args.input).resolve()
    if not folder.is_dir():
        return _fail(f"input folder {folder} does not exist", EXIT_USAGE)
    extra: dict = {"input": str(folder)}
    if args.release:
        release = _resolve_release(Path(args.release))
    else:
        output = Path(args.output).resolve()
        command = [sys.executable, "-m", "flows.cli", "build", "--input", str(folder), "--output", str(output),
                   "--allow-shrink"] + (["--no-cache"] if args.no_cache else [])
        print("uncoop: " + " ".join(command[1:]), flush=True)
        start = time.perf_counter()
        done = subprocess.run(command, check=False)
        seconds = time.perf_counter() - start
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
        extra.update(build_seconds=round(seconds, 1), build_peak_rss_mib=round(peak_mib), build_exit=done.returncode,
                     cpus=os.cpu_count())
        print(f"build: {seconds:.1f} s, peak memory of the largest process {peak_mib:.0f} MiB, "
              f"exit {done.returncode} ({os.cpu_count()} CPUs)")
        if done.returncode != 0:
            return _fail("the build failed; nothing to check")
        release = _resolve_release(output / "latest")
    if not (release / "documents.parquet").exists():
        return _fail(f"{release} is not a release", EXIT_USAGE)
    report = check_release(release, folder)
    print(f"release: {release}")
    print(report.render())
    if args.json:
        write_json(report, Path(args.json), {**extra, "release": str(release)})
    return EXIT_OK


def cmd_releases(args: argparse.Namespace) -> int:
    from flows.core.storage import Outputs

    outputs = Outputs(Path(args.output))
    index = release_index(outputs.list_releases(), outputs.latest())
    if args.json:
        print(json.dumps(index, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not index:
        print(f"no releases under {outputs.releases}")
        return EXIT_OK
    for entry in index:
        rows = entry["rows"]
        marker = "*" if entry["latest"] else " "
        print(f"{marker} {entry['version']}  created {entry['created']}  documents {rows.get('documents')}  "
              f"citations {rows.get('citations')}  entities {rows.get('entities')}")
    print("(* = latest)")
    return EXIT_OK


def cmd_schemas(args: argparse.Namespace) -> int:
    from flows.core.schema import GENERATED_DIR, drifted, write_generated

    if args.check:
        stale = drifted()
        if stale:
            print("generated schema files differ from schemas/tables.yaml (run `uncoop schemas`):")
            for rel in stale:
                print(f"  {rel}")
            return EXIT_FAILED
        print("generated schema files are up to date")
        return EXIT_OK
    written = write_generated()
    print(f"wrote {len(written)} files under {GENERATED_DIR}")
    return EXIT_OK


def _progress_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="show progress bars (default: when standard error is a terminal)")
    g.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress bars")


def parser() -> argparse.ArgumentParser:
    from flows import __version__

    p = argparse.ArgumentParser(prog="uncoop", description="Open datasets of UN cooperation with regional organizations.")
    p.add_argument("--version", action="version", version=f"uncoop {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    b = sub.add_parser("build", help="build a release from a folder of documents and publish it if valid")
    b.add_argument("--input", type=Path, help="folder of .txt, .md, .pdf, .docx and .html documents (default: the bundled "
                                              "corpus/, or none when --urls/--symbols is given)")
    b.add_argument("--urls", type=Path, metavar="FILE", help="file listing document URLs to fetch, one a line")
    b.add_argument("--symbols", type=Path, metavar="FILE",
                   help="file listing UN document symbols to fetch from the official document service")
    b.add_argument("--symbol-url-template", metavar="URL", help="URL of a symbol, {symbol} replaced (default: the ODS)")
    b.add_argument("--fetch-cache", type=Path, metavar="DIR", help="fetched bytes and provenance (default: OUTPUT/.cache/fetch)")
    b.add_argument("--offline", action="store_true", help="fetch nothing: use only the fetch cache")
    b.add_argument("--publish-to", metavar="URL", help="also upload the release to s3://bucket/prefix (or any fsspec "
                                                       "URL) and move the remote latest after every object is verified")
    b.add_argument("--output", type=Path, help="output folder (default: outputs/)")
    b.add_argument("--source-repo", metavar="PATH_OR_GIT_URL",
                   help="read this repository instead of --input: a folder (a local clone), or a git URL cloned into "
                        "the fetch cache and updated on every run")
    b.add_argument("--source-branch", help="branch of --source-repo (default: the remote's HEAD)")
    b.add_argument("--profile", choices=["full", "test"], default="full", help="settings profile (default: full)")
    b.add_argument("--batch-size", type=int, help="documents per task run (default: 64)")
    b.add_argument("--max-bytes", type=int, help="inputs larger than this are quarantined (default: 50 MiB)")
    b.add_argument("--no-publish", action="store_true", help="validate the release but do not publish it")
    b.add_argument("--task-runner", choices=["auto", "sequential", "threads", "processes", "dask"],
                   help="where extract batches run (default: auto = a process per core when there is more than one batch)")
    b.add_argument("--workers", type=int, help="processes/threads/local Dask workers (default: one per core)")
    b.add_argument("--dask-address", metavar="ADDR", help="scheduler of an existing Dask cluster, e.g. tcp://host:8786")
    b.add_argument("--cache-dir", type=Path, help="per-document result cache (default: OUTPUT/.cache/extract)")
    b.add_argument("--no-cache", action="store_true", help="extract every document again (ignore and refill the cache)")
    b.add_argument("--allow-shrink", action="store_true",
                   help="publish even if the release has fewer documents than latest or loses more than 10%% of a "
                        "table's rows (an empty release is never published)")
    b.add_argument("--json", metavar="FILE", help="also write the run summary as JSON to FILE")
    _progress_flags(b)
    b.set_defaults(func=cmd_build)

    v = sub.add_parser("validate", help="validate a published release (checksums and expectations)")
    v.add_argument("release", help="release folder, or outputs/latest")
    v.add_argument("--report", metavar="DIR", help="where to write the validation report (default: not kept)")
    _progress_flags(v)
    v.set_defaults(func=cmd_validate)

    c = sub.add_parser("check-unxml", help="check a release built from a folder of UN Akoma Ntoso XML files "
                                           "against the files (builds it first, timed, unless --release)")
    c.add_argument("--input", required=True, help="the folder of XML files (e.g. a clone of the UN's repository)")
    c.add_argument("--output", default="outputs/unxml-check", help="where to build (default: outputs/unxml-check)")
    c.add_argument("--release", help="check this release instead of building one")
    c.add_argument("--no-cache", action="store_true", help="extract every document again (a cold build)")
    c.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    c.set_defaults(func=cmd_check_unxml)

    r = sub.add_parser("releases", help="list the releases under an output folder")
    r.add_argument("--output", default="outputs", help="output folder (default: outputs/)")
    r.add_argument("--json", action="store_true",
                   help="print a machine-readable index: version, created, latest, rows per table, bytes and sha256")
    r.set_defaults(func=cmd_releases)

    s = sub.add_parser("schemas", help="regenerate the files generated from schemas/tables.yaml")
    s.add_argument("--check", action="store_true", help="only report generated files that drifted")
    s.set_defaults(func=cmd_schemas)
    return p


def main(argv: list[str] | None = None) -> int:
    # no telemetry calls from the local ephemeral API (there is no network to send them to)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
