"""The one error tree of headshot-lint.

::

    HeadshotLintError
    ├── LoadError                 the file could not be turned into pixels
    │   ├── EmptyFileError          zero bytes
    │   ├── NotAnImageError         bytes are not a known image format
    │   ├── CorruptImageError       truncated or damaged image data
    │   ├── TooManyPixelsError      over the pixel limit (decompression bomb)
    │   └── UnsupportedImageError   a real image in a mode or shape we cannot analyse
    ├── PerceptionError           MediaPipe failed on a decoded image
    ├── RulePackError             a rule file or pack is malformed (names file and field)
    └── ConfigError               a configuration file or option is malformed

Lower-level errors (``cv2.error``, PIL's ``UnidentifiedImageError``, MediaPipe
failures) are caught at the boundary (``load.py``, ``perception/``) and re-raised
as one of these with ``from exc``.
"""

from __future__ import annotations


class HeadshotLintError(Exception):
    """Base class of every error headshot-lint raises on purpose."""


class LoadError(HeadshotLintError):
    """The file could not be turned into pixels.

    ``kind`` is a stable slug for reports (``empty-file``, ``not-an-image``, ...).
    """

    kind = "unreadable"

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class EmptyFileError(LoadError):
    """The file has zero bytes."""

    kind = "empty-file"


class NotAnImageError(LoadError):
    """The bytes are not an image format we can decode."""

    kind = "not-an-image"


class CorruptImageError(LoadError):
    """Truncated or damaged image data."""

    kind = "corrupt-image"


class TooManyPixelsError(LoadError):
    """The image declares more pixels than the limit (a decompression bomb guard)."""

    kind = "too-many-pixels"


class UnsupportedImageError(LoadError):
    """A valid image in a mode, depth or shape that cannot be analysed."""

    kind = "unsupported-image"


class PerceptionError(HeadshotLintError):
    """Face detection, landmarks or segmentation failed on a decoded image."""


class RulePackError(HeadshotLintError):
    """A rule file or rule pack is malformed; the message names the file and field."""


class ConfigError(HeadshotLintError):
    """A configuration file or command-line option is malformed."""
