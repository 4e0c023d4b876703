"""The print editions: the PDF builder, its document tree and the tag repair."""
