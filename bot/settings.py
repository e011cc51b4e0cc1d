"""Settings: the one place that reads configuration (the environment, and an optional `.env` file).

Everything else receives a `Settings` value, so tests build one from a plain dict and nothing reads `os.environ`
behind their back. Malformed values raise `ConfigError` with one line naming the variable.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.core.check.roots import IANA_ROOT_HINTS
from bot.core.errors import ConfigError

KNOWLEDGE_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "rcodes.yaml"
DEFAULT_RESOLVERS = ("system", "1.1.1.1", "8.8.8.8", "9.9.9.9")
DEFAULT_API_URL = "https://slack.com/api/"
DATABASE_FILE = "rcodebot.db"
#: The URL schemes RCODEBOT_DATABASE_URL may use: the embedded default, and PostgreSQL through psycopg 3.
DATABASE_SCHEMES = ("sqlite", "postgresql+psycopg")


def default_data_dir(env: Mapping[str, str]) -> Path:
    """Where rcodebot keeps its files: $RCODEBOT_DATA_DIR, else $XDG_DATA_HOME/rcodebot, else ~/.local/share/rcodebot."""
    if env.get("RCODEBOT_DATA_DIR"):
        return Path(env["RCODEBOT_DATA_DIR"]).expanduser()
    if env.get("XDG_DATA_HOME"):
        return Path(env["XDG_DATA_HOME"]).expanduser() / "rcodebot"
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return home / ".local" / "share" / "rcodebot"


def database_url_from(env: Mapping[str, str]) -> str:
    """RCODEBOT_DATABASE_URL, or the embedded SQLite file in the data directory.

    `postgresql://` and `postgres://` are read as `postgresql+psycopg://` (psycopg 3 is the driver installed);
    any other scheme is a ConfigError naming the variable.
    """
    url = (env.get("RCODEBOT_DATABASE_URL") or "").strip()
    if not url and (env.get("RCODEBOT_DATA_DIR") or "").strip().lower() == "off":
        return "sqlite://"  # `RCODEBOT_DATA_DIR=off`: in memory, for this one process
    if not url:
        return f"sqlite:///{default_data_dir(env) / DATABASE_FILE}"
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigError(
            problem=f"RCODEBOT_DATABASE_URL={redact_url(url)!r} is not a URL (sqlite:///PATH or postgresql+psycopg://…)"
        )
    if scheme in ("postgresql", "postgres"):
        scheme = "postgresql+psycopg"
    if scheme not in DATABASE_SCHEMES:
        raise ConfigError(
            problem=f"RCODEBOT_DATABASE_URL: {scheme}:// is not supported (use sqlite:///PATH or postgresql+psycopg://…)"
        )
    return f"{scheme}://{rest}"


def redact_url(url: str) -> str:
    """A URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `count` requests per `seconds` (per user, or per channel)."""

    count: int
    seconds: float

    @classmethod
    def from_text(cls, name: str, text: str) -> RateLimit:
        """Parse `5/60` (five per sixty seconds)."""
        try:
            count_text, seconds_text = text.split("/", 1)
            limit = cls(int(count_text), float(seconds_text))
        except ValueError:
            raise ConfigError(problem=f"{name}={text!r} is not COUNT/SECONDS, e.g. 5/60") from None
        if limit.count < 1 or limit.seconds <= 0:
            raise ConfigError(problem=f"{name}={text!r}: COUNT and SECONDS must be positive")
        return limit


@dataclass(frozen=True, slots=True)
class ProbeSettings:
    """How `/dnscheck` probes.

    Attributes:
        resolvers: resolvers asked in parallel; "system" means the nameservers of /etc/resolv.conf.
        allowed_resolvers: what Slack users may name with @resolver (default: the configured resolvers).
        allow_private: whether Slack users may make the bot query private/loopback/link-local addresses.
        query_timeout: seconds to wait for one answer.
        deadline: seconds a whole check may take; the user gets what was learned by then.
        query_budget: the most queries one check may send.
        port: the DNS port to query (53; the lab tests may use another).
        root_hints: (name, address) of the root servers a trace starts from (RCODEBOT_ROOT_HINTS; default IANA's).
        signature_window_days: RRSIGs that expire within this many days are reported (`signature_expiring`;
            RCODEBOT_SIGNATURE_WINDOW_DAYS, default 3, 0 turns the warning off).
        security_checks: ask the zone's servers for AXFR and for recursion (`zone_transfer_open`,
            `open_recursion`; RCODEBOT_SECURITY_CHECKS, default true).
    """

    resolvers: tuple[str, ...] = DEFAULT_RESOLVERS
    allowed_resolvers: tuple[str, ...] | None = None
    allow_private: bool = False
    query_timeout: float = 2.0
    deadline: float = 10.0
    query_budget: int = 60
    port: int = 53
    root_hints: tuple[tuple[str, str], ...] = IANA_ROOT_HINTS
    signature_window_days: float = 3.0
    security_checks: bool = True

    @property
    def resolver_allow_list(self) -> tuple[str, ...]:
        """The resolvers a Slack user may name: the explicit allow-list, or the configured resolvers."""
        return self.allowed_resolvers if self.allowed_resolvers is not None else self.resolvers


@dataclass(frozen=True, slots=True)
class Settings:
    """All configuration of a running rcodebot."""

    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    api_url: str = DEFAULT_API_URL
    port: int = 3000
    knowledge_path: Path = KNOWLEDGE_FILE
    probe: ProbeSettings = field(default_factory=ProbeSettings)
    user_rate: RateLimit = RateLimit(5, 60.0)
    channel_rate: RateLimit = RateLimit(20, 60.0)
    log_level: str = "INFO"
    #: OAuth (distribution to many workspaces): used in HTTP mode when SLACK_BOT_TOKEN is not set.
    client_id: str | None = None
    client_secret: str | None = None
    redirect_uri: str | None = None
    #: SQLAlchemy URL of the database (installations, OAuth state, settings); see `database_url_from`. Built
    #: directly (tests), Settings keeps it in memory; `from_env` names the embedded file in the data directory.
    database_url: str = "sqlite://"
    cache_dir: Path | None = None
    redis_url: str | None = None
    log_format: str = "text"
    grace_seconds: float = 15.0
    probe_cache_ttl: float = 60.0
    max_probes: int = 8
    max_waiting_probes: int = 24
    max_body_bytes: int = 1_048_576
    body_timeout: float = 5.0

    @property
    def has_slack(self) -> bool:
        """True when any Slack credential is configured (the run command then serves Slack, not the shell)."""
        return bool(self.bot_token or self.app_token or self.oauth)

    @property
    def oauth(self) -> bool:
        """True when the app installs into many workspaces through Slack's OAuth flow (no single bot token)."""
        return bool(self.client_id and self.client_secret and not self.bot_token)

    def with_probe(self, **changes: object) -> Settings:
        """A copy with some probe settings changed (the CLI's --resolver/--timeout)."""
        return replace(self, probe=replace(self.probe, **changes))  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: Mapping[str, str], dotenv: Path | None = None) -> Settings:
        """Read settings from `environ`, with values from a `.env` file underneath (the environment wins)."""
        env: dict[str, str] = {}
        if dotenv is not None and dotenv.is_file():
            env.update(read_dotenv(dotenv))
        env.update({k: v for k, v in environ.items() if v != ""})

        def text(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value is not None and value.strip() else None

        bot_token = text("SLACK_BOT_TOKEN")
        if bot_token is not None and not bot_token.startswith("xox"):
            raise ConfigError(problem="SLACK_BOT_TOKEN should start with xoxb- (the Bot User OAuth Token)")
        app_token = text("SLACK_APP_TOKEN")
        if app_token is not None and not app_token.startswith("xapp-"):
            raise ConfigError(problem="SLACK_APP_TOKEN should start with xapp- (an app-level token with connections:write)")
        api_url = text("SLACK_API_URL") or DEFAULT_API_URL
        if not api_url.startswith(("http://", "https://")):
            raise ConfigError(problem=f"SLACK_API_URL={api_url!r} is not an http(s) URL")
        if not api_url.endswith("/"):
            api_url += "/"

        resolvers = _resolver_list("RCODEBOT_RESOLVERS", text("RCODEBOT_RESOLVERS")) or DEFAULT_RESOLVERS
        allowed = _resolver_list("RCODEBOT_ALLOWED_RESOLVERS", text("RCODEBOT_ALLOWED_RESOLVERS"))
        probe = ProbeSettings(
            resolvers=resolvers,
            allowed_resolvers=allowed,
            allow_private=_flag("RCODEBOT_ALLOW_PRIVATE", text("RCODEBOT_ALLOW_PRIVATE")),
            query_timeout=_number("RCODEBOT_QUERY_TIMEOUT", text("RCODEBOT_QUERY_TIMEOUT"), 2.0, 0.05, 30),
            deadline=_number("RCODEBOT_CHECK_DEADLINE", text("RCODEBOT_CHECK_DEADLINE"), 10.0, 0.5, 120),
            query_budget=int(_number("RCODEBOT_QUERY_BUDGET", text("RCODEBOT_QUERY_BUDGET"), 60, 1, 1000)),
            port=int(_number("RCODEBOT_DNS_PORT", text("RCODEBOT_DNS_PORT"), 53, 1, 65535)),
            root_hints=_root_hints(text("RCODEBOT_ROOT_HINTS")),
            security_checks=_flag("RCODEBOT_SECURITY_CHECKS", text("RCODEBOT_SECURITY_CHECKS") or "true"),
            signature_window_days=_number(
                "RCODEBOT_SIGNATURE_WINDOW_DAYS", text("RCODEBOT_SIGNATURE_WINDOW_DAYS"), 3.0, 0, 365
            ),
        )
        knowledge = text("RCODEBOT_KNOWLEDGE")
        return cls(
            bot_token=bot_token,
            signing_secret=text("SLACK_SIGNING_SECRET"),
            app_token=app_token,
            api_url=api_url,
            port=int(_number("PORT", text("PORT"), 3000, 1, 65535)),
            knowledge_path=Path(knowledge) if knowledge else KNOWLEDGE_FILE,
            probe=probe,
            user_rate=RateLimit.from_text("RCODEBOT_RATE_USER", text("RCODEBOT_RATE_USER") or "5/60"),
            channel_rate=RateLimit.from_text("RCODEBOT_RATE_CHANNEL", text("RCODEBOT_RATE_CHANNEL") or "20/60"),
            log_level=(text("RCODEBOT_LOG_LEVEL") or "INFO").upper(),
            database_url=database_url_from(env),
            client_id=text("SLACK_CLIENT_ID"),
            client_secret=text("SLACK_CLIENT_SECRET"),
            redirect_uri=_redirect_uri(text("SLACK_REDIRECT_URI")),
            max_body_bytes=int(
                _number("RCODEBOT_MAX_BODY_BYTES", text("RCODEBOT_MAX_BODY_BYTES"), 1_048_576, 65_536, 67_108_864)
            ),
            body_timeout=_number("RCODEBOT_BODY_TIMEOUT", text("RCODEBOT_BODY_TIMEOUT"), 5.0, 0.5, 60),
            redis_url=_redis_url(text("RCODEBOT_REDIS_URL")),
            log_format=_log_format(text("RCODEBOT_LOG_FORMAT")),
            probe_cache_ttl=_number("RCODEBOT_PROBE_CACHE_TTL", text("RCODEBOT_PROBE_CACHE_TTL"), 60.0, 0, 3600),
            max_probes=int(_number("RCODEBOT_MAX_PROBES", text("RCODEBOT_MAX_PROBES"), 8, 1, 256)),
            max_waiting_probes=int(_number("RCODEBOT_MAX_WAITING_PROBES", text("RCODEBOT_MAX_WAITING_PROBES"), 24, 0, 1024)),
            grace_seconds=_number("RCODEBOT_GRACE_SECONDS", text("RCODEBOT_GRACE_SECONDS"), 15.0, 0, 600),
            cache_dir=_cache_dir(text("RCODEBOT_CACHE_DIR"), text("XDG_CACHE_HOME"), text("HOME")),
        )


def read_dotenv(path: Path) -> dict[str, str]:
    """Read KEY=VALUE lines (optional `export`, quotes, # comments), the common subset of .env formats."""
    values: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(problem=f"cannot read {path}: {err}") from None
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key.replace("_", "").isalnum():
            raise ConfigError(problem=f"{path}:{number}: expected KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def _log_format(value: str | None) -> str:
    form = (value or "text").lower()
    if form not in ("text", "json"):
        raise ConfigError(problem=f"RCODEBOT_LOG_FORMAT={value!r} should be text or json")
    return form


def _redis_url(value: str | None) -> str | None:
    """`RCODEBOT_REDIS_URL`, checked for its scheme only (redis-py reads the rest; a wrong host shows at start)."""
    if value is None:
        return None
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(problem="RCODEBOT_REDIS_URL should be a redis://, rediss:// or unix:// URL")
    return value


def _cache_dir(configured: str | None, xdg_cache: str | None, home: str | None) -> Path | None:
    """Where derived files may be kept (the parsed knowledge file): `RCODEBOT_CACHE_DIR`, else the XDG cache
    directory; `off` (or no home at all) keeps nothing."""
    if configured is not None:
        return None if configured.lower() == "off" else Path(configured)
    if xdg_cache is not None and Path(xdg_cache).is_absolute():
        return Path(xdg_cache) / "rcodebot"
    return Path(home) / ".cache" / "rcodebot" if home is not None else None


def _resolver_list(name: str, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = tuple(item.strip() for item in value.replace(" ", ",").split(",") if item.strip())
    for item in items:
        if item == "system":
            continue
        try:
            ipaddress.ip_address(item)
        except ValueError:
            raise ConfigError(problem=f"{name}: {item!r} is not an IP address (or 'system')") from None
    return items


def _redirect_uri(value: str | None) -> str | None:
    if value is not None and not value.startswith(("https://", "http://")):
        raise ConfigError(problem=f"SLACK_REDIRECT_URI={value!r} is not a URL (https://HOST/slack/oauth_redirect)")
    return value


def _root_hints(value: str | None) -> tuple[tuple[str, str], ...]:
    """RCODEBOT_ROOT_HINTS: IP addresses (`192.0.2.53,2001:db8::53`), or the path of a root hints file in zone-file
    form (named.root: `A.ROOT-SERVERS.NET. 3600000 A 198.41.0.4`); unset: IANA's root servers."""
    name = "RCODEBOT_ROOT_HINTS"
    if value is None:
        return IANA_ROOT_HINTS
    items = [item.strip() for item in value.replace(" ", ",").split(",") if item.strip()]
    addresses = []
    for item in items:
        try:
            addresses.append(str(ipaddress.ip_address(item.strip("[]"))))
        except ValueError:
            break
    else:
        return tuple((address, address) for address in addresses)
    path = Path(value)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(
            problem=f"{name}={value!r} is neither IP addresses nor a readable root hints file ({err})"
        ) from None
    hints: list[tuple[str, str]] = []
    for line in lines:
        words = line.split(";", 1)[0].split()
        kinds = [i for i, w in enumerate(words) if w.upper() in ("A", "AAAA")]
        if len(words) >= 3 and kinds and kinds[0] + 1 < len(words):
            try:
                address = str(ipaddress.ip_address(words[kinds[0] + 1]))
            except ValueError:
                continue
            owner = words[0].lower()
            hints.append((owner if owner.endswith(".") else owner + ".", address))
    if not hints:
        raise ConfigError(problem=f"{name}: {path} holds no A or AAAA record of a root server")
    return tuple(hints)


def _flag(name: str, value: str | None) -> bool:
    if value is None:
        return False
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(problem=f"{name}={value!r} should be true or false")


def _number(name: str, value: str | None, default: float, low: float, high: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(problem=f"{name}={value!r} is not a number") from None
    if not low <= number <= high:
        raise ConfigError(problem=f"{name}={value!r} should be between {low:g} and {high:g}")
    return number
