"""The `sunlight` command: operator verbs on top of Django's management commands.

    sunlight demo                 seed the demo city (once) and serve it on 127.0.0.1:8000
    sunlight seed-demo            create or complete the demo city (idempotent)
    sunlight demo code USER [--secret]   a demo account's current two-factor code
    sunlight serve                apply migrations and serve the web app (with its worker)
    sunlight worker [--once]      run the background jobs (scans, escalations, deliveries)
    sunlight backup [-o DIR]      back up the embedded database and uploaded files (verified)
    sunlight restore DIR [--replace | --check-only]   restore (or only check) a backup
    sunlight status [--json]      counts an operator or monitoring script can read
    sunlight audit verify [--checkpoints FILE [--public-key HEX]]
                                  recompute the audit hash chain (and check it against
                                  signed checkpoints: truncated or rewritten tail)
    sunlight audit checkpoint     sign a checkpoint of the chain head now; print the public key
    sunlight catalog import FILE --department CODE [--good-rows-only] [--dry-run]
    sunlight catalog export --department CODE -o FILE
    sunlight flows check FILE [--statutory-days N]   can the BPMN file run as a flow?
    sunlight flows draw FILE -o OUT.svg               draw any BPMN file as SVG
    sunlight calendar seed                            load official holidays (chinesecalendar)
    sunlight calendar load FILE [--year YEAR]         load a year's notice (JSON or CSV)
    sunlight regions load FILE [--changes FILE]       refresh the GB/T 2260 code list
    sunlight calendar add-workdays DATE N [--explain] date N working days after DATE
    sunlight reports generate [--month YYYY-MM]       stage forms due now; last month's filing forms
    sunlight supervise scan [--full] [--json]         run the supervision rules now
    sunlight discretion import FILE --department CODE [--dry-run] [--good-rows-only] [--json]
    sunlight catalog record-historical CODE --from DATE --until DATE --reason TEXT   a past version
    sunlight cases import FILE --batch N [--steps STEPS.csv] [--power CODE]   past cases (补录)
    sunlight cases export-log --format xes|ocel|csv [--department CODE] [--power CODE]
                              [--from DATE --to DATE] -o FILE   event logs for process mining
    sunlight rollup pull --from NAME [--statistics YYYY-MM] [--from-start]
                              pull a lower platform's changes (and a month's statistics)
    sunlight rollup push --to NAME [--url URL --key KEY]  push changes to a superior
    sunlight rollup add-superior CODE --name NAME     a read key for the superior platform
    sunlight rollup add-lower CODE --name N --url URL --key KEY --source SOURCE
    sunlight publicity load-districts FILE [--check]  a city's district outlines (GeoJSON) for
                              the 公示 map (--check: report only, nothing stored)

Any other verb is passed to Django (migrate, createsuperuser, check, shell, …).
"""

import os
import sys

# (verb, sub-verb) → management command name (commands are named verb_noun).
GROUPED = {
    ("audit", "verify"): "verify_audit",
    ("audit", "checkpoint"): "issue_checkpoint",
    ("demo", "code"): "demo_code",
    ("catalog", "import"): "import_catalog",
    ("catalog", "export"): "export_catalog",
    ("flows", "check"): "check_flow",
    ("flows", "draw"): "draw_flow",
    ("calendar", "seed"): "seed_calendar",
    ("calendar", "load"): "load_calendar",
    ("regions", "load"): "load_regions",
    ("calendar", "add-workdays"): "add_workdays",
    ("reports", "generate"): "generate_stage_reports",
    ("supervise", "scan"): "supervise_scan",
    ("discretion", "import"): "import_discretion",
    ("catalog", "record-historical"): "record_historical_version",
    ("cases", "import"): "import_cases",
    ("cases", "export-log"): "export_case_log",
    ("rollup", "pull"): "rollup_pull",
    ("rollup", "push"): "rollup_push",
    ("rollup", "add-superior"): "rollup_add_superior",
    ("rollup", "add-lower"): "rollup_add_lower",
    ("publicity", "load-districts"): "load_districts",
}
SINGLE = {
    "demo": "run_demo",
    "seed-demo": "seed_demo",
    "serve": "serve",
    "status": "show_status",
    "worker": "run_worker",
    "backup": "create_backup",
    "restore": "restore_backup",
}


def translate(argv: list[str]) -> list[str]:
    """Turn `sunlight` arguments into Django management arguments."""
    if len(argv) >= 2 and (argv[0], argv[1]) in GROUPED:
        return [GROUPED[(argv[0], argv[1])], *argv[2:]]
    if argv and argv[0] in SINGLE:
        return [SINGLE[argv[0]], *argv[1:]]
    return argv


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__.strip())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.config.settings")
    from sunlight.cli_errors import run_guarded

    sys.exit(run_guarded(["sunlight", *translate(args)]))


if __name__ == "__main__":
    main()
