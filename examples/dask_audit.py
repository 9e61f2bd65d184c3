"""Audit a folder of headshots on Dask: a LocalCluster by default, or a running scheduler.

    pip install 'headshot-lint[dask]'
    python examples/dask_audit.py staff/ --workers 4                 # LocalCluster, 4 processes
    python examples/dask_audit.py staff/ --scheduler tcp://10.0.0.5:8786 -o report.json

With ``--scheduler`` the workers (started with ``dask worker tcp://... --nthreads 1``)
must see the photos under the same paths (a shared file system). Prints one line per
photo, in the folder's order, and with ``-o`` writes the same JSON as
``headshot-lint check --format json``. Exits 1 when any photo has an error finding.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--scheduler", help="address of a running Dask scheduler (default: start a LocalCluster)")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    ap.add_argument("--batch-size", type=int, default=16, help="photos per Dask task (default 16)")
    ap.add_argument("--select", action="append", help="rule codes or prefixes, e.g. HL5 (repeatable)")
    ap.add_argument("-o", "--output", type=Path, help="write the JSON report here")
    args = ap.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    from headshot_lint.discover import discover
    from headshot_lint.distributed import audit_dask
    from headshot_lint.report import json as json_report

    paths = [str(p) for p in discover([args.folder])]
    if args.scheduler:
        client, cluster = Client(args.scheduler), None
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    reports = []
    t0 = time.perf_counter()
    try:
        for report in audit_dask(paths, client, select=args.select, batch_size=args.batch_size):
            codes = ",".join(f.code for f in report.findings) or "clean"
            print(f"{report.score or 0.0:5.1f}  {codes:20s}  {report.path}")
            reports.append(report)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    seconds = time.perf_counter() - t0
    print(f"{len(reports)} photos in {seconds:.1f} s ({len(reports) / max(seconds, 1e-9):.1f} photos/s)",
          file=sys.stderr)
    if args.output:
        args.output.write_text(json_report.render(reports), encoding="utf-8")
    return int(any(f.severity == "error" for r in reports for f in r.findings))


if __name__ == "__main__":  # the guard matters: LocalCluster's worker processes re-import this file
    sys.exit(main())
