"""Exports of the log book (Excel)."""
