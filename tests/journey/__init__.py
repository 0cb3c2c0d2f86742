"""The learner's journey, played through the app's own screens with the Pilot (see play.py)."""
