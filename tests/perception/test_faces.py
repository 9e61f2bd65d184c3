"""Face detection: both ranges merged, small faces found on tiles, the subject on the person."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from headshot_lint.load import load
from headshot_lint.perception import faces as F
from headshot_lint.perception.faces import Box, Face, detect_faces
from headshot_lint.scene import Scene


def _face(x0, y0, x1, y1, score):
    return Face(Box(x0, y0, x1, y1), score, ())


def _group(rows: int = 2, cols: int = 5) -> np.ndarray:
    """A 640x400 grey canvas with rows x cols copies of the astronaut's head at 50x60 px."""
    head = cv2.resize(data.astronaut()[20:260, 140:340], (50, 60), interpolation=cv2.INTER_AREA)
    canvas = np.full((400, 640, 3), 90, np.uint8)
    for r in range(rows):
        for c in range(cols):
            y, x = 60 + r * 170, 30 + c * 125
            canvas[y:y + 60, x:x + 50] = head
    return canvas


def test_nested_boxes_of_one_face_merge():
    """A loose box around a more confident tight one is the same face (IoU alone would keep both)."""
    tight, loose = _face(100, 100, 160, 170, 0.95), _face(80, 70, 190, 200, 0.6)
    assert tight.box.iou(loose.box) < F._NMS_IOU  # the case plain NMS misses
    assert F._merge([loose, tight]) == [tight]


def test_separate_faces_stay_separate():
    """Two faces side by side are two faces, largest first."""
    a, b = _face(0, 0, 50, 60, 0.9), _face(100, 0, 160, 70, 0.8)
    assert F._merge([a, b]) == [b, a]


def test_small_faces_of_a_group_are_found_on_tiles():
    """Ten 60 px heads on a 640 px canvas: invisible to one whole-image pass, found on tiles."""
    canvas = _group()
    whole = F._detect(canvas, 0) + F._detect(canvas, 1)
    found = detect_faces(canvas)
    assert len(found) >= 8 > len(whole)
    for f in found:  # mapped back into the canvas's coordinates, on a pasted head
        cx, cy = f.box.center
        assert (cx - 30) % 125 < 50 and min(abs(cy - 90), abs(cy - 260)) < 30


def test_subject_is_a_face_on_the_person():
    """With the matte covering only the face that would not be chosen otherwise, that face is the subject."""
    rgb = np.hstack([cv2.resize(data.astronaut(), (320, 320)), np.full((320, 320, 3), 90, np.uint8)])
    rgb[156:300, 420:540] = cv2.resize(data.astronaut()[20:260, 140:340], (120, 144), interpolation=cv2.INTER_AREA)
    chosen_without = Scene(load(rgb)).face
    scene = Scene(load(rgb))
    assert len(scene.faces) >= 2
    other = next(f for f in scene.faces if f != chosen_without)
    matte = np.zeros((scene.height, scene.width), np.float32)
    b = other.box
    matte[int(b.y0):int(b.y1) + 1, int(b.x0):int(b.x1) + 1] = 1.0
    scene.__dict__["matte"] = matte  # the cached property, as if the segmenter saw one person there
    assert scene.faces_on_person == (other,)
    assert scene.face == other != chosen_without


def _turned_astronaut(k: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(data.astronaut(), k))


def test_a_turned_photo_is_recognised_and_the_turn_undoes_it():
    """A photo stored a quarter, a half or three quarters turned needs the opposite turn; upright needs none."""
    for k in range(4):
        rgb = _turned_astronaut(k)
        assert F.upright_turns(rgb, detect_faces(rgb)) == (4 - k) % 4


def test_a_confident_upright_face_costs_no_extra_detection(monkeypatch):
    """Only a weak best face makes the detector look at turned copies: upright headshots pay nothing."""
    rgb = _turned_astronaut(0)
    faces = detect_faces(rgb)
    assert max(f.score for f in faces) >= F.UPRIGHT_CONFIDENT
    calls = []
    monkeypatch.setattr(F._mediapipe, "run", lambda *a, **k: calls.append(a))
    assert F.upright_turns(rgb, faces) == 0 and calls == []


def test_a_turned_photo_is_segmented_upright():
    """The matte of a turned photo, turned back, is the upright photo's; segmenting it as stored loses the neck."""
    from headshot_lint.perception.segment import person_matte

    upright = Scene(load(_turned_astronaut(0))).matte >= 0.5
    for k in (1, 2, 3):
        scene = Scene(load(_turned_astronaut(k)))
        back = np.rot90(scene.matte, -k) >= 0.5
        naive = np.rot90(person_matte(scene.rgb), -k) >= 0.5
        iou = float((back & upright).sum() / (back | upright).sum())
        naive_iou = float((naive & upright).sum() / (naive | upright).sum())
        assert iou > 0.97 and naive_iou < 0.9, (k, iou, naive_iou)


def test_keypoints_gate_the_turned_search():
    """A face whose keypoints sit upright skips the turned search; the astronaut turned a
    quarter either way or upside down does not, so it is still searched and turned back."""
    from skimage import data

    from headshot_lint.load import load
    from headshot_lint.perception.faces import detect_faces, looks_upright

    rgb = load(data.astronaut()).rgb
    for k, upright in ((0, True), (1, False), (2, False), (3, False)):
        faces = detect_faces(np.ascontiguousarray(np.rot90(rgb, k)))
        assert faces, k
        assert looks_upright(max(faces, key=lambda f: f.score)) is upright, k


def _runs_ok(code: str) -> None:
    """Run ``code`` in a fresh interpreter (imports start clean there); it must print "ok"."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr[-2000:]


def test_mediapipe_imports_without_pyplot_and_leaves_it_importable():
    """MediaPipe's import no longer pulls in matplotlib (half its import time) or its Tasks
    API, and a later `import matplotlib.pyplot` still gets the real module."""
    code = ("import sys\nfrom headshot_lint.perception import _mediapipe\n_mediapipe._solutions()\n"
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
            "assert 'mediapipe.tasks.python' not in sys.modules, 'tasks imported'\n"
            "import matplotlib.pyplot as plt\nassert hasattr(plt, 'figure')\nprint('ok')")
    _runs_ok(code)


@pytest.mark.parametrize("later", [
    "import mediapipe as mp\nassert mp.tasks.vision.FaceDetector.create_from_options",
    "from mediapipe.tasks.python import vision\nassert vision.FaceDetector.create_from_options",
    "from mediapipe.tasks import python as tasks\nassert tasks.vision.FaceDetector.create_from_options",
])
def test_the_tasks_api_left_out_of_the_import_is_still_there_for_a_program_that_uses_it(later):
    """A program that audits photos and then uses MediaPipe's Tasks API itself gets the real one."""
    code = ("import sys\nfrom headshot_lint.perception import _mediapipe\n_mediapipe._solutions()\n"
            "assert 'mediapipe.tasks.python' not in sys.modules\n" + later + "\nprint('ok')")
    _runs_ok(code)


@pytest.mark.parametrize("later", [
    "assert mp.solutions.hands.Hands and mp.solutions.drawing_styles",
    "from mediapipe.python.solutions import drawing_utils\nassert drawing_utils.draw_landmarks",
    "import mediapipe.python.solutions.pose as pose\nassert pose.Pose",
])
def test_only_the_solutions_run_here_are_imported_and_the_others_load_on_first_use(later):
    """The import loads face detection, face mesh and selfie segmentation alone (not hands,
    pose with urllib and ssl, objectron with attrs, nor the drawing helpers); a program that
    then uses another solution gets it."""
    code = ("import sys\nfrom headshot_lint.perception import _mediapipe\nmp = _mediapipe._solutions()\n"
            "assert mp.face_detection and mp.face_mesh and mp.selfie_segmentation\n"
            "left = [m for m in ('mediapipe.python.solutions.hands', 'mediapipe.python.solutions.pose', 'attr', "
            "'urllib.request', 'absl') if m in sys.modules]\nassert not left, left\n"
            "import mediapipe as mp\n" + later + "\nprint('ok')")
    _runs_ok(code)


def test_a_program_that_imported_mediapipe_first_keeps_it_whole():
    code = ("import mediapipe as mp\nfrom headshot_lint.perception import _mediapipe\n_mediapipe._solutions()\n"
            "assert 'mediapipe.tasks.python' in sys.modules and mp.tasks.vision\nprint('ok')")
    _runs_ok("import sys\n" + code)
