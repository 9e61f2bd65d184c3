"""Image operations behind ``headshot-lint fix``: full-resolution, pure functions.

Every function takes full-resolution upright sRGB uint8 pixels (and a soft person
alpha where it needs one) and returns new pixels; nothing here reads findings or
files except :mod:`.write`, the one writer. The planner that decides which
operation runs is :mod:`headshot_lint.fix`.

- :mod:`.matte` -- the analysis-size person matte refined at full resolution.
- :mod:`.background` -- estimate the old background, replace it (flat or vignette).
- :mod:`.blur` -- lens-like disc blur of the background that respects the matte.
- :mod:`.exposure` -- lift an underexposed subject, feathered by the matte.
- :mod:`.crop` -- a 4:5 headshot frame around the subject without other faces.
- :mod:`.compare` -- a before/after image of a corrected copy.
- :mod:`.write` -- atomic, format-preserving writer.
"""

from __future__ import annotations
