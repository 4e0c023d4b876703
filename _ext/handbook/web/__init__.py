"""The HTML site: the downloads menu, search from disk and each page's date."""
