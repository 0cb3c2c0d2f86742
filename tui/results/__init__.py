"""Reading runs: an incremental metrics tailer and the trials table built from it."""
