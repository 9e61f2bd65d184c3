"""Discovery: content sniffing, hidden files, excludes, symlink loops, odd names, shards."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
from PIL import Image

from headshot_lint.discover import discover, is_image, parse_shard, shard


@pytest.fixture
def tree(tmp_path):
    rgb = np.full((20, 20, 3), 128, np.uint8)
    (tmp_path / "sub" / "deep").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    Image.fromarray(rgb).save(tmp_path / "a.jpg")
    Image.fromarray(rgb).save(tmp_path / "sub" / "scan.dat", format="PNG")  # an image by content
    Image.fromarray(rgb).save(tmp_path / "sub" / "deep" / "c.webp")
    Image.fromarray(rgb).save(tmp_path / ".hidden" / "h.jpg")
    Image.fromarray(rgb).save(tmp_path / ".dot.jpg")
    (tmp_path / "notes.jpg").write_text("not an image")  # an image by name only
    (tmp_path / "drafts").mkdir()
    Image.fromarray(rgb).save(tmp_path / "drafts" / "d.png")
    return tmp_path


def _rel(paths, root):
    return sorted(os.path.relpath(p, root).replace(os.sep, "/") for p in paths)


def test_sniffs_content_and_skips_hidden(tree):
    """Images are found by their bytes or their names (a .jpg that is not one is kept for the
    audit to report); other files are skipped; hidden entries are skipped by default."""
    (tree / "readme.txt").write_text("not an image")
    assert _rel(discover([tree]), tree) == ["a.jpg", "drafts/d.png", "notes.jpg", "sub/deep/c.webp",
                                            "sub/scan.dat"]
    assert ".hidden/h.jpg" in _rel(discover([tree], hidden=True), tree)
    assert is_image(tree / "sub" / "scan.dat") and not is_image(tree / "notes.jpg")


def test_heic_is_found_by_name_and_by_content(tmp_path):
    """iPhone photos are photos: by their suffix, and by their ``ftyp`` brand under any name."""
    head = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32
    (tmp_path / "IMG_0001.HEIC").write_bytes(head)
    (tmp_path / "export.bin").write_bytes(head)
    (tmp_path / "clip.mov").write_bytes(b"\x00\x00\x00\x14ftypqt  " + b"\x00" * 32)
    assert _rel(discover([tmp_path]), tmp_path) == ["IMG_0001.HEIC", "export.bin"]


def test_exclude_globs(tree):
    """--exclude drops a folder (relative glob) and a file-name glob."""
    found = _rel(discover([tree], exclude=["drafts", "*.webp"], root=str(tree)), tree)
    assert found == ["a.jpg", "notes.jpg", "sub/scan.dat"]


def test_explicit_files_and_missing_paths_are_kept(tree):
    """Files named explicitly are yielded whatever they hold; a missing path too (the audit reports it)."""
    missing = str(tree / "gone.jpg")
    assert list(discover([str(tree / "notes.jpg"), missing])) == [str(tree / "notes.jpg"), missing]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_survives_symlink_loop(tree):
    """A symlink pointing back up the tree does not trap the walk: each photo is listed once."""
    os.symlink(tree, tree / "sub" / "loop")
    found = _rel(discover([tree]), tree)
    assert found.count("a.jpg") == 1 and len(found) == 5


@pytest.mark.skipif(sys.platform != "linux", reason="arbitrary file-name bytes need a POSIX file system")
def test_non_utf8_name(tree):
    """A file name that is not UTF-8 is found and can be opened again from the yielded str."""
    name = os.fsdecode(b"caf\xe9.jpg")
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(os.path.join(os.fsencode(tree), b"caf\xe9.jpg"),
                                                       format="JPEG")
    found = [p for p in discover([str(tree)]) if p.endswith(name)]
    assert len(found) == 1 and os.path.isfile(found[0])


def test_shards_partition_the_whole():
    """Shards are disjoint, their union is everything, and the split is deterministic."""
    paths = [f"photos/p{i:03d}.jpg" for i in range(200)]
    parts = [list(shard(paths, i, 4, root=".")) for i in range(1, 5)]
    assert sorted(p for part in parts for p in part) == sorted(paths)
    assert sum(len(p) for p in parts) == len(paths)
    assert all(20 <= len(p) <= 80 for p in parts)
    assert parts[1] == list(shard(paths, 2, 4, root="."))


def test_parse_shard():
    """'2/4' parses; 0/4, 5/4 and junk are rejected."""
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/4", "5/4", "x", "1/0"):
        with pytest.raises(ValueError):
            parse_shard(bad)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symlinks")
def test_a_pipe_or_broken_link_named_like_a_photo_is_listed_not_skipped(tmp_path):
    """In a walked folder, jane.jpg that is a FIFO or a link to a deleted file is listed (the
    audit says what it is), while a FIFO without a photo's name is not opened or listed."""
    os.mkfifo(tmp_path / "jane.jpg")
    os.symlink(tmp_path / "deleted.jpg", tmp_path / "john.png")
    os.mkfifo(tmp_path / "queue")
    found = [os.path.basename(p) for p in discover([str(tmp_path)])]
    assert found == ["jane.jpg", "john.png"]
