"""Modal screens: help and the preset picker."""
