"""The bundled presets (TOML problem files and their CSV data), shipped as package data."""
