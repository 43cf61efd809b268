"""The pure domain core.

Plain Python only: no Django, no database, no queue (enforced by an
import-linter contract). Time is always passed in, never read from a clock.
"""
