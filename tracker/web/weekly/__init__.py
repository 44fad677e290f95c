"""The chairperson's week: the weekly list, instructions and the inbox."""
