"""Security headers on every response, pages, API and static files alike."""

# Everything the platform loads comes from itself (no CDN: it must run on an intranet), so the policy
# can be strict: no inline script or style, no eval, no plugins, and no page may frame it. Pictures
# may be data: URLs (Swagger UI's icons) and blob: URLs (a file picked on the phone, shown before
# it is sent).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The platform needs none of these powerful features; a script that slipped in gets none either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


class SecurityHeadersMiddleware:
    """Add the content-security policy and the permissions policy; Django's SecurityMiddleware adds
    nosniff, the referrer policy, the opener policy and (over HTTPS) HSTS, and XFrameOptionsMiddleware
    the X-Frame-Options header that older browsers read instead of frame-ancestors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
