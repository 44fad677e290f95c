"""Grassroots mediation groups and the mediation log book."""
