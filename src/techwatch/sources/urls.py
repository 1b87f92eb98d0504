"""URL hygiene for discovered links: one canonical form, redirect unwrapping, classification.

A link found in a newsletter is the same article whether it carries `utm_source=substack`
or not, so every URL goes through `canonicalize` before it is compared or stored.
Nothing here does network I/O: redirectors whose target is not in the URL are only
classified (`is_tracking_redirect_host`), the caller follows them.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

import idna
from tld import get_fld

# Query parameters that only say where a click came from. Exact names, compared lower-case.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "__hssc",
        "__hstc",
        "__hsfp",
        "hsctatracking",
        "_openstat",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "s_cid",
        "s_kwcid",
        "__s",
        "ss_source",
        "ss_campaign_id",
        "ss_campaign_name",
        "ss_campaign_sent_date",
        "ck_subscriber_id",
        "sc_cid",
        "cmpid",
        "wt_mc",
        "wt.mc_id",
        "spm",
        "trk",
        "trkcampaign",
        "rss",
        "sr_share",
        "share",
        "showwelcomeonshare",
        "r",
        "triedredirect",
        "publication_id",
        "post_id",
        "isfreemail",
    }
)
# Prefixes of tracking parameter families (utm_source, utm_medium, vero_conv, oly_enc_id...).
TRACKING_PREFIXES: tuple[str, ...] = (
    "utm_",
    "vero_",
    "oly_",
    "pk_",
    "mtm_",
    "hsa_",
    "ga_",
    "itm_",
    "ss_",
    "_bta_",
    "ns_",
)
# Parameters only dropped on the hosts that set them (elsewhere `r` or `share` may mean something).
_HOST_ONLY_PARAMS: frozenset[str] = frozenset(
    {"r", "share", "showwelcomeonshare", "triedredirect", "publication_id", "post_id", "rss"}
)
_HOST_ONLY_SUFFIXES: tuple[str, ...] = ("substack.com", "beehiiv.com", "medium.com")

# Query parameters of redirectors that carry the target URL (checked in this order).
REDIRECT_PARAMS: tuple[str, ...] = (
    "url",
    "u",
    "q",
    "target",
    "redirect",
    "redirect_url",
    "redirect_to",
    "redirecturl",
    "dest",
    "destination",
    "to",
    "link",
    "goto",
    "out",
    "uddg",
)

_SHORTENERS: frozenset[str] = frozenset(
    {
        "t.co",
        "bit.ly",
        "bitly.com",
        "lnkd.in",
        "buff.ly",
        "ow.ly",
        "tinyurl.com",
        "goo.gl",
        "dlvr.it",
        "ift.tt",
        "trib.al",
        "rebrand.ly",
        "cutt.ly",
        "is.gd",
        "shorturl.at",
        "mailchi.mp",
        "eepurl.com",
        "feedproxy.google.com",
        "feeds.feedburner.com",
        "click.convertkit-mail.com",
        "click.convertkit-mail2.com",
        "click.convertkit-mail3.com",
        "click.convertkit-mail4.com",
        "clicks.aweber.com",
        "link.mail.beehiiv.com",
        "mandrillapp.com",
        "hubs.ly",
        "hubs.li",
        "apple.co",
        "amzn.to",
        "youtu.be",
    }
)
_SHORTENER_SUFFIXES: tuple[str, ...] = (
    ".hubspotlinks.com",
    ".hs-sites.com",
    ".ct.sendgrid.net",
    ".awstrack.me",
    ".convertkit-mail.com",
    ".convertkit-mail2.com",
    ".mlsend.com",
    ".mailerlite.com",
    ".rs6.net",
    ".cmail19.com",
    ".cmail20.com",
    ".createsend1.com",
)

_MEDIA_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".svg",
        ".bmp",
        ".ico",
        ".tif",
        ".tiff",
        ".avif",
        ".heic",
        ".mp4",
        ".m4v",
        ".mov",
        ".webm",
        ".avi",
        ".mkv",
        ".mp3",
        ".m4a",
        ".wav",
        ".ogg",
        ".oga",
        ".flac",
        ".aac",
        ".opus",
    }
)
_MEDIA_HOSTS: tuple[str, ...] = (
    "substackcdn.com",
    "substack-post-media.s3.amazonaws.com",
    "bucketeer-e05bbc84-baa3-437e-9518-adb32be77984.s3.amazonaws.com",
    "media.beehiiv.com",
    "pbs.twimg.com",
    "i.imgur.com",
    "media.giphy.com",
    "images.unsplash.com",
    "cdn-images-1.medium.com",
    "miro.medium.com",
    "mcusercontent.com",
    "gallery.mailchimp.com",
)

# Registrable domains that host many independent publications, one per subdomain.
_PLATFORM_DOMAINS: frozenset[str] = frozenset(
    {
        "substack.com",
        "beehiiv.com",
        "ghost.io",
        "medium.com",
        "buttondown.email",
        "wordpress.com",
        "blogspot.com",
        "tumblr.com",
        "github.io",
        "gitlab.io",
        "netlify.app",
        "vercel.app",
        "pages.dev",
        "mailchi.mp",
        "revue.co",
    }
)

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _normalize_pct(part: str, safe: str) -> str:
    """Decode %-escapes of unreserved characters, upper-case the others, escape the rest."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return quote(_PCT.sub(fix, part), safe=safe + "%")


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 dot-segment removal, so /a/./b/../c and /a/c compare equal."""
    if "." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        if seg == ".":
            if i == len(segments) - 1:
                out.append("")
            continue
        if seg == "..":
            if len(out) > 1:
                out.pop()
            if i == len(segments) - 1:
                out.append("")
            continue
        out.append(seg)
    return "/".join(out) or "/"


def _ascii_host(host: str) -> str:
    """Lower-case, strip the trailing dot, and IDNA-encode a host name."""
    host = host.strip().rstrip(".").lower()
    if not host or host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return quote(host, safe=".-").lower()


def host_of(url: str) -> str:
    """The lower-case ASCII host of a URL ("" when it has none)."""
    try:
        return _ascii_host(urlsplit(url.strip()).hostname or "")
    except ValueError:
        return ""


def _is_tracking_param(name: str, host: str) -> bool:
    key = name.lower()
    if key in _HOST_ONLY_PARAMS:
        return any(host == s or host.endswith("." + s) for s in _HOST_ONLY_SUFFIXES)
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def canonicalize(url: str) -> str:
    """One spelling per resource: lower-case scheme/host, no default port, no fragment,
    no tracking parameters (see TRACKING_PARAMS, TRACKING_PREFIXES), normalised escapes,
    "/" for an empty path and IDNA (punycode) hosts. Other parameters keep their order.
    A string that does not parse is returned stripped, unchanged otherwise."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
    host = _ascii_host(parts.hostname or "")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    path = _remove_dot_segments(_normalize_pct(parts.path, safe="/:@!$&'()*+,;=")) or "/"
    if not path.startswith("/"):
        path = "/" + path
    kept = []
    for pair in parts.query.split("&"):
        if not pair:
            continue
        name = unquote(pair.split("=", 1)[0].replace("+", " "))
        if _is_tracking_param(name, host):
            continue
        kept.append(_normalize_pct(pair, safe="/:@!$'()*+,;=?&"))
    return urlunsplit((scheme, netloc, path, "&".join(kept), ""))


def is_http_url(url: str) -> bool:
    """Whether `url` is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def _embedded_base64_target(parts_path: str) -> str | None:
    """Substack /redirect/2/<base64 JSON>.<sig> links carry the target under key "e"."""
    match = re.match(r"^/redirect/\d+/([A-Za-z0-9_\-]+={0,2})", parts_path)
    if not match:
        return None
    token = match.group(1)
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    target = payload.get("e") if isinstance(payload, dict) else None
    return target if isinstance(target, str) and is_http_url(target) else None


def _unwrap_once(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = _ascii_host(parts.hostname or "")
    if host == "substack.com" or host.endswith(".substack.com"):
        target = _embedded_base64_target(parts.path)
        if target:
            return target
    # AWS SES / TLDR style: https://x.awstrack.me/L0/https:%2F%2Ftarget%2F/1/...
    match = re.match(r"^/(?:CL0|L0)/(https?(?::|%3A)[^/]+)", parts.path, re.IGNORECASE)
    if match:
        target = unquote(match.group(1))
        if is_http_url(target):
            return target
    params = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
    names = REDIRECT_PARAMS
    if "q" in params and not (host.startswith("google.") or ".google." in host):
        names = tuple(n for n in REDIRECT_PARAMS if n != "q")
    for name in names:
        value = params.get(name, "").strip()
        if value and is_http_url(value):
            return value
    return None


def unwrap_redirect(url: str) -> str | None:
    """The target of a redirect link whose target is written in the link itself
    (Google /url?q=, Facebook l.php?u=, ?url=, ?target=, Substack base64 redirects...),
    following nested wrappers; None when `url` carries no target (or is a share link)."""
    target: str | None = None
    current = url
    for _ in range(4):
        if is_social_share(current):
            break
        nxt = _unwrap_once(current)
        if not nxt or nxt == current:
            break
        target = current = nxt
    return target


def _host_in(host: str, names: frozenset[str] | tuple[str, ...]) -> bool:
    return any(host == n or host.endswith("." + n) for n in names)


_CLICK_PATH = re.compile(r"^/(?:redirect|click|track/click|out|r|c)/[A-Za-z0-9_=-]{6,}/?$")


def is_tracking_redirect_host(url: str) -> bool:
    """Whether `url` is a click-tracker or shortener whose target must be found by
    following the redirect over HTTP (t.co, bit.ly, substack.com/redirect, list-manage...)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    host = _ascii_host(parts.hostname or "")
    path = parts.path.lower()
    if host in _SHORTENERS or host.endswith(_SHORTENER_SUFFIXES):
        return True
    if (host == "substack.com" or host.endswith(".substack.com")) and path.startswith("/redirect/"):
        return True
    if _CLICK_PATH.match(path):
        return True  # a newsletter's own click tracker: /redirect/<token>, /click/<token>...
    if host.endswith(".list-manage.com") and path.startswith("/track/click"):
        return True
    if host.startswith(("links.", "link.")) and host.endswith(".beehiiv.com"):
        return True
    if host.startswith(("email.mg.", "email.mg1.", "email.mg2.")):
        return True
    if host.startswith(("click.", "clicks.", "links.", "link.", "track.", "tracking.")) and (
        "email" in host or "mail" in host or "newsletter" in host
    ):
        return True
    return host == "mandrillapp.com" and path.startswith("/track/click")


_SHARE_RULES: tuple[tuple[str, str], ...] = (
    ("twitter.com", "/intent/"),
    ("twitter.com", "/share"),
    ("x.com", "/intent/"),
    ("x.com", "/share"),
    ("facebook.com", "/sharer"),
    ("facebook.com", "/share.php"),
    ("facebook.com", "/dialog/share"),
    ("facebook.com", "/dialog/feed"),
    ("linkedin.com", "/sharearticle"),
    ("linkedin.com", "/shareArticle"),
    ("linkedin.com", "/sharing/share-offsite"),
    ("linkedin.com", "/cws/share"),
    ("reddit.com", "/submit"),
    ("t.me", "/share"),
    ("telegram.me", "/share"),
    ("pinterest.com", "/pin/create"),
    ("news.ycombinator.com", "/submitlink"),
    ("api.whatsapp.com", "/send"),
    ("web.whatsapp.com", "/send"),
    ("tumblr.com", "/share"),
    ("tumblr.com", "/widgets/share"),
    ("bsky.app", "/intent/compose"),
    ("threads.net", "/intent/post"),
    ("mastodonshare.com", "/"),
    ("getpocket.com", "/save"),
    ("getpocket.com", "/edit"),
    ("flipboard.com", "/bookmarklet"),
    ("vk.com", "/share.php"),
    ("xing.com", "/spi/shares"),
    ("buffer.com", "/add"),
)


def is_social_share(url: str) -> bool:
    """Whether `url` is a "share this" link (tweet intent, sharer.php, mailto:...), as
    opposed to a link to a post, which may be an article in its own right."""
    raw = url.strip()
    lowered = raw.lower()
    if lowered.startswith(("mailto:", "sms:", "whatsapp:", "fb-messenger:")):
        return True
    try:
        parts = urlsplit(raw)
    except ValueError:
        return False
    host = _ascii_host(parts.hostname or "")
    if host.startswith("www."):
        host = host[4:]
    if host in ("wa.me",):
        return True
    path = parts.path.lower()
    for rule_host, prefix in _SHARE_RULES:
        if (host == rule_host or host.endswith("." + rule_host)) and path.startswith(
            prefix.lower()
        ):
            return True
    return False


def is_image_or_media(url: str) -> bool:
    """Whether `url` points at an image, audio or video file or an image CDN."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    host = _ascii_host(parts.hostname or "")
    if _host_in(host, _MEDIA_HOSTS):
        return True
    if host.endswith("substack.com") and parts.path.startswith("/image/"):
        return True
    _, ext = os.path.splitext(unquote(parts.path).lower())
    return ext in _MEDIA_EXTENSIONS


def file_url(path: str | os.PathLike[str]) -> str:
    """The file:// URL of a local path (made absolute, symlinks kept)."""
    return Path(os.path.abspath(path)).as_uri()


def site_of(url: str) -> str:
    """The registrable domain of a URL (eTLD+1 from the bundled public suffix list), one
    level deeper on multi-publication platforms (x.substack.com); the host without `www.`
    for IP addresses and local names."""
    host = host_of(url)
    if not host:
        return ""
    fld = get_fld(host, fix_protocol=True, fail_silently=True)
    if not fld:
        return host.removeprefix("www.")
    if fld in _PLATFORM_DOMAINS and host != fld:
        labels = host[: -len(fld) - 1].split(".")
        if labels[-1] != "www":
            return f"{labels[-1]}.{fld}"
    return fld


def same_site(a: str, b: str) -> bool:
    """Whether two URLs belong to the same site (same registrable domain)."""
    site_a = site_of(a)
    return bool(site_a) and site_a == site_of(b)


_SLASH_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?!\d)")
_DASH_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.](\d{2})[-_.](\d{2})(?!\d)")
_COMPACT_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")


def _valid(y: str, m: str, d: str) -> str:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return ""


def find_date_slug(text: str) -> str:
    """A date written in a URL path or file name ("/2023/07/01/", "2023-07-01",
    "20230701-title", "20250518d") as "YYYY-MM-DD"; "" when there is none."""
    text = unquote(text)
    for pattern in (_SLASH_DATE, _DASH_DATE, _COMPACT_DATE):
        for match in pattern.finditer(text):
            found = _valid(*match.groups())
            if found:
                return found
    return ""


def url_date(url: str) -> str:
    """The date slug in a URL's path (see `find_date_slug`); "" when there is none."""
    try:
        return find_date_slug(urlsplit(url.strip()).path)
    except ValueError:
        return ""
