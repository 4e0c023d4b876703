"""The EPUB 3 edition: the builder and its package templates."""
