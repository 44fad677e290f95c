"""Exchange files with the national database of citizen reception."""
