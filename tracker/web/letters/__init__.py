"""The letter register (sổ theo dõi đơn): register, list, read, handle, split, print the receipt.

Labels of the letter codes are in tracker/labels.py with every other code's.
"""
