"""``headshot-lint fix``: write corrected copies of photos; the originals are never touched.

Registered on the app in :mod:`headshot_lint.cli`. Exit codes are the app's: 0 when
every photo was handled (written, or nothing to fix), 1 when a copy could not be
written (exists without ``--force``, unreadable photo, or refused: no face on a person,
every action impossible here, or even the cautious retries lose the subject's face, leave
remnants of the old background, raise a new finding or clear none of the findings fixed:
see :func:`headshot_lint.fix.correct`), 2 for a usage error.
"""

from __future__ import annotations

import enum
import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

import typer
from rich.console import Console
from typing_extensions import Annotated

from ..discover import IMAGE_SUFFIXES, discover
from ..errors import HeadshotLintError, LoadError
from ..exit_codes import ExitCode
from ..rules import load_pack
from ._common import esc, split
from ._stdin import STDIN, spool_stdin

if TYPE_CHECKING:
    from .. import fix as fixes

_err = Console(stderr=True, highlight=False)


class Backdrop(str, enum.Enum):
    flat = "flat"
    gradient = "gradient"


def destinations(paths: List[Path], out: Path) -> List[Tuple[str, Path]]:
    """(photo, output path) pairs: a folder's photos keep their path below it; files named
    directly go to ``out`` by name; one photo may also go to ``out`` itself when it names an
    image file (``fix me.jpg --out me-fixed.jpg``). Raises ValueError when two photos map to
    one output, or when an image file name is given for several photos or a folder.
    Photos already inside ``out`` (the copies of an earlier run) are not fixed again. Raises
    ValueError too when ``out`` is taken as a folder but something else already has its name."""
    if out.suffix.lower() in IMAGE_SUFFIXES and not out.is_dir():
        if len(paths) != 1 or paths[0].is_dir():
            raise ValueError(f"--out {out} names an image file: give it one photo, or give a folder for several")
        return [(os.fspath(paths[0]), out)]
    if os.path.lexists(out) and not out.is_dir():
        if not out.is_file():  # a device, pipe or broken link takes a copy only under an image name
            raise ValueError(f"--out {out} is not a folder: give a folder for the copies, or for one photo "
                             "a file name ending in the photo's extension")
        hint = ""
        if len(paths) == 1 and not paths[0].is_dir():
            suffix = paths[0].suffix.lower() or ".jpg"
            hint = f"; for one photo, name the copy with its extension (e.g. --out {out}{suffix})"
        raise ValueError(f"--out {out} is a file, not a folder: give a folder for the copies{hint}")
    pairs: List[Tuple[str, Path]] = []
    seen: Dict[Path, str] = {}
    for raw in paths:
        if raw.is_dir():
            # --out inside the folder: its copies are not photos to fix again next run
            found = [(f, out / os.path.relpath(f, raw)) for f in discover([raw]) if not _inside(f, out)]
        else:
            found = [(os.fspath(raw), out / raw.name)]
        for src, dst in found:
            key = dst.resolve()
            if key in seen and seen[key] != src:
                raise ValueError(f"{src} and {seen[key]} would both be written to {dst}")
            seen[key] = src
            pairs.append((src, dst))
    return pairs


def _inside(path: str, folder: Path) -> bool:
    """Whether ``path`` lies in ``folder`` (both resolved: symlinks and '..' followed)."""
    try:
        return Path(path).resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError):
        return False


def _same_file(a: str, b: Path) -> bool:
    try:
        return b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def fix_command(
    ctx: typer.Context,
    paths: Annotated[List[Path], typer.Argument(help="Photos or folders (searched recursively); '-' "
                                                 "reads one photo from standard input.",
                                                 show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the corrected copies "
                                      "(created if missing), or for one photo the copy's file name "
                                      "(same extension as the original); the originals are never modified.",
                                      show_default=False)],
    unsafe_fixes: Annotated[bool, typer.Option("--unsafe-fixes", help="Also apply retouching fixes, "
                                               "which change what the photo shows (replaced or blurred "
                                               "background, a crop to the subject).")] = False,
    only: Annotated[Optional[List[str]], typer.Option(help="Only the fixes of these rules: codes, code "
                                                      "prefixes (HL3) or names; comma-separated or "
                                                      "repeated.")] = None,
    backdrop: Annotated[Backdrop, typer.Option(help="Replacement background: a flat tone, or a subtle "
                                               "studio vignette around the head.")] = Backdrop.flat,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be done; write "
                                          "nothing.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files in --out.")] = False,
    pack: Annotated[str, typer.Option(help="Rule pack: 'default', 'strict' or a path to a pack "
                                      "TOML.")] = "default",
    compare: Annotated[bool, typer.Option("--compare", help="Also write a before/after image beside each "
                                          "copy (<name>.compare.jpg).")] = False,
) -> None:
    """Write corrected copies of photos: the fix of every finding that has one.

    Safe fixes (exposure) apply by default; retouching fixes (replace or blur the
    background) only with --unsafe-fixes.

    Examples (the path '-' reads one photo from standard input):

    \b
      headshot-lint fix staff/ --out fixed/ --unsafe-fixes --backdrop gradient
      cat me.jpg | headshot-lint fix - --out me-fixed.jpg
    """
    label = None
    if any(str(p) == STDIN for p in paths):
        if len(paths) > 1 or out.suffix.lower() not in IMAGE_SUFFIXES or out.is_dir():
            _err.print(f"[red]error:[/red] '{STDIN}' reads one photo from standard input, alone; give --out "
                       "the copy's file name (e.g. --out me-fixed.jpg)")
            raise typer.Exit(ExitCode.ERROR)
        spool, label = spool_stdin(ctx, None)
        paths = [spool]
    try:
        rule_pack = load_pack(pack)
        only_list = split(only)
        rules = rule_pack.select(only_list, None)
        pairs = destinations(paths, out)
    except (HeadshotLintError, ValueError) as exc:
        _err.print(f"[red]error:[/red] {esc(str(exc))}")
        raise typer.Exit(ExitCode.ERROR) from None
    if not pairs:
        _err.print("[yellow]warning:[/yellow] no photos found under " + ", ".join(map(str, paths)))
    console = Console(highlight=False, soft_wrap=True)
    counts = {"written": 0, "unchanged": 0, "failed": 0, "unsafe": 0, "refused": 0}
    for src, dst in pairs:
        _one(console, src, dst, rules, only_list, unsafe_fixes, backdrop.value, dry_run, force, counts, label,
             compare)
    verb = "would write" if dry_run else "wrote"
    line = f"{verb} {counts['written']}, nothing to fix in {counts['unchanged']}, failed {counts['failed']}"
    if counts["refused"]:
        line += f" ({counts['refused']} refused: the reasons are above)"
    if counts["unsafe"] and not unsafe_fixes:
        line += f"; {counts['unsafe']} retouching fix(es) need --unsafe-fixes"
    console.print(line)
    raise typer.Exit(ExitCode.FINDINGS if counts["failed"] else ExitCode.CLEAN)


def compare_path(dst: Path) -> Path:
    """Where ``--compare`` writes the before/after image of the copy ``dst``: beside it."""
    return dst.with_name(f"{dst.stem}.compare.jpg")


def _one(console: Console, src: str, dst: Path, rules, only, unsafe: bool, backdrop: str,
         dry_run: bool, force: bool, counts: Dict[str, int], label: str | None = None,
         compare: bool = False) -> None:
    """Audit ``src``, plan its fixes and write the copy to ``dst`` (see :class:`headshot_lint.fix.Job`);
    ``label`` names it in messages when it is not the path (standard input)."""
    from .. import fix as fixes  # the fix machinery, imported only when a photo is fixed
    from ..retouch.write import OutputExistsError, output_format, suffix_format, write_bytes

    job = fixes.Job(src, rules, unsafe=unsafe, only=only, label=label)
    report, planned = job.report, job.planned
    counts["unsafe"] += sum(p.status == fixes.NEEDS_UNSAFE for p in planned)
    todo = job.todo
    name = esc(label or src)
    if not job.readable:  # unreadable: the audit says why
        counts["failed"] += 1
        f = report.findings[0] if report.findings else None
        why = "" if f is None else f": {f.message}" + (f" ({f.detail})" if f.detail else "")
        console.print(f"{name}: [red]cannot read[/red]{esc(why)}")
        return
    if todo:
        console.print(f"{name} -> {esc(str(dst))}")
    else:
        console.print(f"{name}: nothing to fix" + (" automatically" if planned else ""))
    for p in planned:
        mark = {fixes.APPLY: "[green]+[/green]", fixes.SUPERSEDED: "[dim]=[/dim]",
                fixes.NEEDS_UNSAFE: "[yellow]![/yellow]"}.get(p.status, "[dim]-[/dim]")
        console.print(f"  {mark} {esc(fixes.describe(p))}")
    if not todo:
        counts["unchanged"] += 1
        return
    if _same_file(src, dst):
        counts["failed"] += 1
        console.print(f"  [red]error:[/red] {esc(str(dst))} is the original; choose another --out")
        return
    if dst.exists() and not force:
        counts["failed"] += 1
        console.print(f"  [red]error:[/red] {esc(str(dst))} exists (use --force to overwrite it)")
        return
    if dry_run:
        counts["written"] += 1
        return
    try:
        fmt = output_format(job.meta, dst)
        named = suffix_format(dst) if dst.name != Path(src).name else None  # a name the user chose
        if named is not None and named != fmt:
            counts["failed"] += 1
            console.print(f"  [red]error:[/red] the copy is written as {fmt}, like the original; "
                          f"give {esc(str(dst))} a matching extension")
            return
        result = job.correct(fmt, backdrop=backdrop)
        if not result.ok:
            counts["failed"] += 1
            counts["refused"] += 1
            console.print(f"  [red]error:[/red] {esc(result.refused)}")
            return
        write_bytes(dst, result.data, force=force)
        if compare:
            _write_compare(job, result, compare_path(dst), force)
    except (LoadError, OutputExistsError) as exc:
        counts["failed"] += 1
        console.print(f"  [red]error:[/red] {esc(str(exc))}")
        return
    except OSError as exc:
        counts["failed"] += 1
        console.print(f"  [red]error:[/red] {esc(write_error(exc, dst))}")
        return
    counts["written"] += 1
    how = f"; {esc(result.how())}" if result.fallback else ""
    console.print(f"  wrote {esc(str(dst))} ({', '.join(result.done) or 'no change'}{how})")
    for note in result.notes:
        console.print(f"    {esc(note)}")
    for note in result.skipped:
        console.print(f"  [yellow]note:[/yellow] {esc(note)}")
    if result.after is not None:
        line = f"  re-checked: score {report.score:.1f} -> {result.after.score:.1f}"
        if result.outcomes:
            line += "; " + "; ".join(o.describe() for o in result.outcomes)
        console.print(esc(line))
        for o in result.outcomes:
            if not o.improved:
                console.print(f"  [yellow]note:[/yellow] the fix for {o.code} did not clear or clearly reduce it "
                              f"({esc(o.describe())})")
    if compare:
        console.print(f"  before/after: {esc(str(compare_path(dst)))}")


def write_error(exc: OSError, dst: Path) -> str:
    """Why the copy ``dst`` could not be written, in words ("cannot write fixed/me.jpg: a file
    stands where a folder of its path should be"), not Python's "[Errno 17] File exists"."""
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):  # making the copy's folder met a file on the way
        return f"cannot write {dst}: a file stands where a folder of its path should be"
    return f"cannot write {dst}: {exc.strerror or exc}"


def _write_compare(job: "fixes.Job", result: "fixes.Correction", path: Path, force: bool) -> None:
    """The before/after image of the copy, as a JPEG beside it."""
    import io

    from PIL import Image

    from ..retouch.compare import before_after
    from ..retouch.write import write_bytes

    crop = result.crop
    img = before_after(job.original(), result.rgb, None if crop is None else (crop.x0, crop.y0, crop.x1, crop.y1))
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=88)
    write_bytes(path, buf.getvalue(), force=force)
