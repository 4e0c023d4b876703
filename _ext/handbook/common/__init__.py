"""What every format shares: the edition, abbreviations, fonts and the print page map."""
