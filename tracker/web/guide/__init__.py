"""The user guide (Hướng dẫn sử dụng): a page per role, printable."""
