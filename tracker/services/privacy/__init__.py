"""Need to know and personal data: the identity gate, grants, audit, anonymising, subject access, ID keys."""
