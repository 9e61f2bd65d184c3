"""Renderers: they turn reports into text, JSON, ...; they never compute."""
