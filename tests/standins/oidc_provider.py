"""An OpenID Connect provider on loopback, as a firm's 企业微信 or directory would be one: the
authorization-code flow of OpenID Connect Core 1.0 — discovery, /authorize, /token, /userinfo
and /jwks — with ID tokens signed RS256 by joserfc. The person "signed in" at the provider is
`subject` (its claims); /authorize approves them at once, as after a successful sign-in there.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


class OidcProvider:
    def __init__(
        self,
        *,
        client_id: str = "expedite",
        client_secret: str = "s3cret",  # noqa: S107
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self.subject: dict = {}
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        # What the next ID tokens say, to try the client's checks: None is the right value.
        self.token_audience: str | None = None
        self.token_issuer: str | None = None
        self.token_lifetime = 300
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == "/.well-known/openid-configuration":
                    return self._json(200, provider.discovery())
                if parts.path == "/jwks":
                    return self._json(200, KeySet([provider.key]).as_dict(private=False))
                if parts.path == "/authorize":
                    return self._authorize(query)
                if parts.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    claims = provider.tokens.get(token)
                    if claims is None:
                        return self._json(401, {"error": "invalid_token"})
                    return self._json(200, claims)
                return self._json(404, {"error": "not_found"})

            def _authorize(self, query: dict) -> None:
                if (
                    query.get("client_id") != provider.client_id
                    or query.get("response_type") != "code"
                ):
                    return self._json(400, {"error": "unauthorized_client"})
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {
                    "redirect_uri": query["redirect_uri"],
                    "nonce": query.get("nonce"),
                    "claims": dict(provider.subject),
                }
                target = (
                    query["redirect_uri"]
                    + "?"
                    + urlencode({"code": code, "state": query.get("state", "")})
                )
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):
                if urlsplit(self.path).path != "/token":
                    return self._json(404, {"error": "not_found"})
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                provider.token_requests.append(form)
                grant = provider.codes.pop(form.get("code", ""), None)
                if (
                    form.get("client_id") != provider.client_id
                    or form.get("client_secret") != provider.client_secret
                ):
                    return self._json(401, {"error": "invalid_client"})
                if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                    return self._json(400, {"error": "invalid_grant"})
                access = secrets.token_urlsafe(16)
                provider.tokens[access] = grant["claims"]
                now = int(time.time())
                claims = {
                    "iss": provider.token_issuer or provider.issuer,
                    "sub": grant["claims"].get("sub", "unknown"),
                    "aud": provider.token_audience or provider.client_id,
                    "iat": now,
                    "exp": now + provider.token_lifetime,
                    "nonce": grant["nonce"],
                    **{k: v for k, v in grant["claims"].items() if k != "sub"},
                }
                id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, provider.key)
                return self._json(
                    200,
                    {
                        "access_token": access,
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": id_token,
                    },
                )

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def settings(self) -> dict:
        """The product's settings for this provider (what docs/operations.md names)."""
        return {
            "EXPEDITE_OIDC_ENABLED": True,
            "EXPEDITE_OIDC_ISSUER": self.issuer,
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
        }

    def __enter__(self) -> OidcProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
