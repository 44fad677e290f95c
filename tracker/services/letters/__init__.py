"""Use cases of letters: registering, searching, splitting, attachments."""
