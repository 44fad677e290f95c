"""Shipped rule data (seeds of the rule tables): the law's deadlines and the official calendar."""
