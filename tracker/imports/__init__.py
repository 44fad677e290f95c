"""Imports into the log book (Excel)."""
