"""Deliver the digest: to the SMTP server from settings, or (dry run) into a folder as files."""

from datetime import date
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

from service.config import Settings
from service.errors import SendFailed


async def send_smtp(message: EmailMessage, settings: Settings) -> None:
    """Hand the message to FUSEBRIEF_SMTP_HOST with the configured security and login."""
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password if settings.smtp_username else None,
            use_tls=settings.smtp_security == "ssl",
            start_tls=settings.smtp_security == "starttls",
            timeout=settings.smtp_timeout_s,
        )
    except (aiosmtplib.SMTPException, OSError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise SendFailed(
            f"the SMTP server {where} did not take the digest ({reason}); check "
            "FUSEBRIEF_SMTP_HOST, _PORT, _SECURITY, _USERNAME and _PASSWORD"
        ) from error


def write_files(message: EmailMessage, folder: Path, day: date, name: str) -> list[Path]:
    """The whole message as <name>-<day>.eml and its HTML part as <name>-<day>.html."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        eml = folder / f"{name}-{day.isoformat()}.eml"
        eml.write_bytes(bytes(message))
        html = folder / f"{name}-{day.isoformat()}.html"
        part = message.get_body(("html",))
        html.write_text(part.get_content() if part else "", encoding="utf-8")
    except OSError as error:
        raise SendFailed(
            f"cannot write the dry-run files into {folder} ({error.strerror}); "
            "choose a writable folder"
        ) from error
    return [eml, html]
