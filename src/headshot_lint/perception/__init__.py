"""Perception: the MediaPipe wrappers (faces, landmarks, person matte)."""
