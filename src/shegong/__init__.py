"""Shegong (社工): the community workforce platform."""
