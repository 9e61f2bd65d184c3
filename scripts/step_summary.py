"""The GitHub Actions step summary of a headshot-lint run, as Markdown (used by action.yml).

    python scripts/step_summary.py REPORT.json EXIT_CODE >> "$GITHUB_STEP_SUMMARY"

Reads the JSON report (``check --format json``) and writes a heading with the counts and
the result, a table of findings per rule and severity, and the photos under
``--fail-under`` when the run had one. Standard library only: it runs wherever the action's
Python does.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

_RESULT = {"0": "passed", "1": "failed", "2": "could not run"}
_MAX_PHOTOS = 50


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell or inline code."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'").replace("\n", " ")


def markdown(doc: dict, exit_code: str) -> str:
    photos = doc.get("photos", [])
    summary = doc.get("summary", {})
    clean = sum(not p.get("findings") for p in photos)
    lines = [f"### headshot-lint {_RESULT.get(exit_code, f'exit {exit_code}')}: {len(photos)} photos, "
             f"{clean} clean, {summary.get('errors', 0)} errors, {summary.get('warnings', 0)} warnings", ""]
    by_rule: Counter = Counter()
    for p in photos:
        for f in p.get("findings", []):
            by_rule[(f["code"], f["rule"], f["severity"])] += 1
    if by_rule:
        lines += ["| rule | severity | photos |", "|---|---|---:|"]
        for (code, rule, severity), n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"| {code} {_cell(rule)} | {severity} | {n} |")
        lines.append("")
    gate = summary.get("fail_under")
    if gate and gate.get("photos"):
        under = gate["photos"]
        lines.append(f"**{len(under)} photo{'s' * (len(under) != 1)} under --fail-under {gate['threshold']:g}:**")
        lines.append("")
        lines += [f"- `{_cell(p['path'])}` ({int(p['score'])})" for p in under[:_MAX_PHOTOS]]
        if len(under) > _MAX_PHOTOS:
            lines.append(f"- and {len(under) - _MAX_PHOTOS} more")
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[0], encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError) as exc:
        sys.stdout.write(f"### headshot-lint could not write its summary ({exc})\n")
        return 0
    sys.stdout.write(markdown(doc, argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
