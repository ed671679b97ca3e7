"""Benchmarks for matchday: a seeded generator of realistic B2B events and the timing runs built on it."""
