"""The house style: content rules run on the doctree, and one-line build errors."""
