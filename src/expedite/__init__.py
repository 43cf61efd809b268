"""Expedite (加急服务台): run urgent enterprise-service requests to a promised, kept date."""

__version__ = "0.1.0"
