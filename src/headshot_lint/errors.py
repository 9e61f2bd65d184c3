"""The one error tree of headshot-lint.

::

    HeadshotLintError
    ├── LoadError                 the file could not be turned into pixels
    │   ├── EmptyFileError          zero bytes
    │   ├── NotAFileError           a pipe, device or socket, not a file (/dev/zero, a FIFO)
    │   ├── NotAnImageError         bytes are not a known image format
    │   ├── CorruptImageError       truncated or damaged image data
    │   ├── TooManyPixelsError      over the pixel limit (decompression bomb)
    │   └── UnsupportedImageError   a real image in a mode or shape we cannot analyse
    │       ├── TooSmallImageError    under the smallest side we can judge (a 1x1 pixel)
    │       └── TooElongatedImageError  a strip far longer than wide (a banner, a 4000x100 px scan)
    ├── PerceptionError           MediaPipe failed on a decoded image
    ├── RulePackError             a rule file or pack is malformed (names file and field)
    └── ConfigError               a configuration file or option is malformed

Lower-level errors (``cv2.error``, PIL's ``UnidentifiedImageError``, MediaPipe
failures) are caught at the boundary (``load.py``, ``perception/``) and re-raised
as one of these with ``from exc``.
"""

from __future__ import annotations

from dataclasses import dataclass


class HeadshotLintError(Exception):
    """Base class of every error headshot-lint raises on purpose."""


class LoadError(HeadshotLintError):
    """The file could not be turned into pixels.

    ``kind`` is a stable slug for reports (``empty-file``, ``not-an-image``, ...).
    """

    kind = "unreadable"

    def __init__(self, message: str, *, path: str | None = None, advice: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        #: what to do, when it is more specific than the kind's (``UNREADABLE[kind]``)
        self.advice = advice


class EmptyFileError(LoadError):
    """The file has zero bytes."""

    kind = "empty-file"


class NotAnImageError(LoadError):
    """The bytes are not an image format we can decode."""

    kind = "not-an-image"


class CorruptImageError(LoadError):
    """Truncated or damaged image data."""

    kind = "corrupt-image"


class NotAFileError(LoadError):
    """The path is a pipe, device or socket: reading it could block or never end."""

    kind = "not-a-file"


class TooManyPixelsError(LoadError):
    """The image declares more pixels than the limit (a decompression bomb guard)."""

    kind = "too-many-pixels"


class UnsupportedImageError(LoadError):
    """A valid image in a mode, depth or shape that cannot be analysed."""

    kind = "unsupported-image"


class TooSmallImageError(UnsupportedImageError):
    """Fewer pixels on a side than there must be to see a face and a background."""

    kind = "too-small"


class TooElongatedImageError(UnsupportedImageError):
    """Sides in a ratio beyond the largest a photo of a person can have (a banner, a strip)."""

    kind = "too-elongated"


class PerceptionError(HeadshotLintError):
    """Face detection, landmarks or segmentation failed on a decoded image."""


class RulePackError(HeadshotLintError):
    """A rule file or rule pack is malformed; the message names the file and field."""


class ConfigError(HeadshotLintError):
    """A configuration file or command-line option is malformed."""


@dataclass(frozen=True)
class Cause:
    """Why a photo could not be analysed, in a person's words, and what to do about it
    (the ``unreadable-image`` finding's message and fix; the technical reason is its detail)."""

    problem: str
    advice: str


#: Each ``kind`` a photo can fail to be analysed with (the ``LoadError`` kinds above, and
#: those the batch gives a photo that timed out or crashed its worker).
UNREADABLE = {
    "empty-file": Cause("The file is empty (0 bytes): there is no photo in it",
                        "Copy or export the photo again: it was probably cut off while saving or uploading"),
    "not-a-file": Cause("This is not a photo file but a pipe or a device, which is not read as a photo",
                        "Give the photo's file, or send the photo on standard input with the path '-' "
                        "(cat me.jpg | headshot-lint check -)"),
    "not-an-image": Cause("This file is not a photo: its contents are not an image format",
                          "Check that this is the file you meant, and export the photo as JPEG or PNG"),
    "corrupt-image": Cause("The photo is damaged or cut short, so it cannot be read in full",
                           "Copy or download the original again (this copy is truncated or damaged), "
                           "or export it again as JPEG"),
    "too-many-pixels": Cause("The image is far too large to open safely (over the pixel or memory limit)",
                             "Resize it and export again: a headshot needs no more than about 4000 px on "
                             "the long side"),
    "too-small": Cause("The image is too small to be a headshot: there is no face or background to judge",
                       "Use the original photo, at least a few hundred pixels on each side"),
    "too-elongated": Cause("The image is a long, narrow strip, not a photo of a person: there is no face "
                           "and background to judge",
                           "Check that this is the file you meant (a banner or a panorama?), or crop the "
                           "headshot out of it (about 4:5)"),
    "unsupported-image": Cause("This image is stored in a form that cannot be analysed",
                               "Export the photo again as an 8-bit RGB JPEG or PNG"),
    "unreadable": Cause("The file could not be read",
                        "Check that the file is still there and that you may read it"),
    "timeout": Cause("Checking this photo timed out: it took too long and was stopped",
                     "Check it again on its own; if it times out again, resize it or raise --timeout"),
    "worker-crashed": Cause("The analysis crashed on this photo",
                            "Check it again on its own with --jobs 1; if it crashes again, please report it"),
    "out-of-memory": Cause("Checking this photo needed more memory than a worker may use, so it was stopped",
                           "Resize it and check it again, or raise HEADSHOT_LINT_WORKER_MEMORY_MB"),
    "perception-failed": Cause("The face and person detection failed on this photo",
                               "Export the photo again as JPEG and re-run; if it fails again, please report it"),
    "internal-error": Cause("headshot-lint failed on this photo (an internal error)",
                            "Please report it, with the photo if you can share it"),
}


def cause_of(kind: str) -> Cause:
    """The :class:`Cause` of ``kind`` (a general one for a kind without its own)."""
    return UNREADABLE.get(kind, UNREADABLE["unreadable"])
