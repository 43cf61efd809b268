"""What every app's edge shares: errors shown in the user's language, access refusals as 403/404,
the client's address and rate limits, typed configuration, the read-only admin.

Sits just above the domain core: any app may import it; it imports no app."""
