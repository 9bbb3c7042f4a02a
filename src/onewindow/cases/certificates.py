"""What an e-certificate's digest is made of, and whether a certificate row is still genuine (the
e-certificate practice "let data run, not people": a result, once issued, is trusted by every later
application, so an edited row must no longer verify)."""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings

from .models import Certificate


def certificate_digest(certificate: Certificate) -> str:
    """HMAC-SHA256 (keyed with SECRET_KEY) of what the certificate says: a row edited in the database
    no longer verifies."""
    content = json.dumps(
        [certificate.number, certificate.certificate_type, certificate.title, certificate.holder.id_number,
         certificate.holder.name, certificate.issuer.code, certificate.issued_on.isoformat(),
         certificate.valid_until.isoformat() if certificate.valid_until else None, certificate.data],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(settings.SECRET_KEY.encode(), content.encode(), hashlib.sha256).hexdigest()


def is_genuine(certificate: Certificate) -> bool:
    return hmac.compare_digest(certificate.digest, certificate_digest(certificate))
