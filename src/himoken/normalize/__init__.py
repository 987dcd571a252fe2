"""Normalization of Japanese names, readings, dates, sex codes and addresses.

Each module turns raw values into canonical, comparable forms, once per distinct value (a
process-wide cache), with batch functions that take whole columns.
"""
