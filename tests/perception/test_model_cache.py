"""The built-model cache: the embedding's ONNX bytes kept in the user's cache folder,
rebuilt when damaged, never written elsewhere, harmless when it cannot be written."""

from __future__ import annotations

import os
import sys

import pytest

from headshot_lint import _model_cache as mc
from headshot_lint.perception import embedding

KEY = mc.key_of(["test", "1"])


class Builder:
    def __init__(self, data: bytes = b"model bytes " * 100) -> None:
        self.data, self.calls = data, 0

    def __call__(self) -> bytes:
        self.calls += 1
        return self.data


@pytest.fixture
def folder(tmp_path, monkeypatch):
    d = tmp_path / "cache" / "models"
    monkeypatch.setenv(mc.ENV, str(d))
    return d


def test_built_once_then_read_back(folder):
    build = Builder()
    assert mc.load_or_build("thing", KEY, build) == build.data
    assert mc.load_or_build("thing", KEY, build) == build.data
    assert build.calls == 1
    assert [p.name for p in folder.iterdir()] == [mc.entry_path(folder, "thing", KEY).name]


@pytest.mark.parametrize("damage", ["flip", "truncate", "appended", "header-only", "empty", "garbage"])
def test_a_damaged_entry_is_ignored_and_rebuilt(folder, damage):
    build = Builder()
    mc.load_or_build("thing", KEY, build)
    path = mc.entry_path(folder, "thing", KEY)
    raw = bytearray(path.read_bytes())
    if damage == "flip":
        raw[-7] ^= 0x10
    elif damage == "truncate":
        raw = raw[:-5]
    elif damage == "appended":  # a payload that passes its CRC, with bytes after it
        raw += b"\0" * 3
    elif damage == "header-only":
        raw = raw[:len(mc.MAGIC) + mc._HEADER.size + 1]
    elif damage == "empty":
        raw = bytearray()
    else:
        raw = bytearray(b"not a model at all" * 10)
    path.write_bytes(bytes(raw))
    assert mc.load_or_build("thing", KEY, build) == build.data
    assert build.calls == 2
    assert mc.read_entry(path) == build.data  # rewritten intact


def test_another_key_replaces_the_old_entry(folder):
    mc.load_or_build("thing", KEY, Builder(b"old"))
    other = mc.key_of(["test", "2"])
    assert mc.load_or_build("thing", other, Builder(b"new")) == b"new"
    assert [p.name for p in folder.iterdir()] == [mc.entry_path(folder, "thing", other).name]


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="symlinks")
def test_a_link_planted_at_the_entry_is_not_followed(folder, tmp_path):
    outside = tmp_path / "precious.jpg"
    outside.write_bytes(b"a photo")
    folder.mkdir(parents=True)
    path = mc.entry_path(folder, "thing", KEY)
    path.symlink_to(outside)
    build = Builder()
    assert mc.load_or_build("thing", KEY, build) == build.data  # the link's target is not read as an entry
    assert build.calls == 1
    assert outside.read_bytes() == b"a photo"
    assert path.is_file() and not path.is_symlink()


def test_nothing_is_written_beside_the_photos_or_in_the_working_folder(tmp_path, monkeypatch):
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "me.jpg").write_bytes(b"jpeg")
    home = tmp_path / "home"
    monkeypatch.delenv(mc.ENV, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg"))
    monkeypatch.chdir(photos)
    mc.load_or_build("thing", KEY, Builder())
    assert sorted(p.name for p in photos.iterdir()) == ["me.jpg"]
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != photos]
    assert len(written) == 1
    if sys.platform not in ("win32", "darwin"):
        assert written[0].parent == home / "xdg" / "headshot-lint" / "models"


def test_a_relative_xdg_cache_home_is_ignored(tmp_path, monkeypatch):
    monkeypatch.delenv(mc.ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    if sys.platform not in ("win32", "darwin"):
        assert mc.cache_dir() == tmp_path / "home" / ".cache" / "headshot-lint" / "models"


def test_off_builds_every_time_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(mc.ENV, "off")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    build = Builder()
    mc.load_or_build("thing", KEY, build)
    mc.load_or_build("thing", KEY, build)
    assert build.calls == 2
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_created_only_costs_the_speed_up(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(mc.ENV, str(blocker / "models"))
    build = Builder()
    assert mc.load_or_build("thing", KEY, build) == build.data
    assert mc.load_or_build("thing", KEY, build) == build.data
    assert build.calls == 2


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="permissions (root writes anyway)")
def test_a_read_only_cache_is_read_and_never_written(folder):
    build = Builder()
    mc.load_or_build("thing", KEY, build)
    os.chmod(folder, 0o500)
    try:
        assert mc.load_or_build("thing", KEY, build) == build.data  # read back
        assert mc.load_or_build("thing", mc.key_of(["other"]), Builder(b"x")) == b"x"  # built, not stored
        assert len(list(folder.iterdir())) == 1
    finally:
        os.chmod(folder, 0o700)
    assert build.calls == 1


def test_a_read_only_entry_is_still_read(folder):
    build = Builder()
    mc.load_or_build("thing", KEY, build)
    path = mc.entry_path(folder, "thing", KEY)
    os.chmod(path, 0o400)
    assert mc.load_or_build("thing", KEY, build) == build.data
    assert build.calls == 1


def test_the_embedding_graph_comes_back_from_the_cache_unchanged(folder, monkeypatch):
    built = embedding.cached_model_bytes()
    assert built == embedding.model_bytes()
    assert len(list(folder.iterdir())) == 1

    def no_build(*args, **kwargs):
        raise AssertionError("rebuilt although an intact entry was there")

    monkeypatch.setattr(embedding, "model_bytes", no_build)
    assert embedding.cached_model_bytes() == built
