"""What the law fixes, as pure functions over plain data: no Flask, no SQLAlchemy."""
