"""Loopback stand-ins for outside services, so tests never reach the internet."""
