"""The braille-ready edition: liblouis translation, the line stage, the page stage and the builder."""
