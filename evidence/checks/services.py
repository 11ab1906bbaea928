"""A claim's named service ("the file server") -> the network events about it: destination port or protocol."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from evidence.checks.subject import subject_of


@dataclass(frozen=True)
class Service:
    """How a network log names a kind of server: the ports clients reach it on and the protocol
    names a sensor gives it (Zeek's `service`, Suricata's `app_proto`)."""

    ports: tuple[str, ...]
    protocols: tuple[str, ...]


FILE = Service(("445", "139", "2049"), ("smb", "smb2", "nfs", "cifs"))
MAIL = Service(("25", "465", "587", "143", "993", "110", "995"), ("smtp", "imap", "pop3"))
WEB = Service(("80", "443", "8080", "8443"), ("http", "ssl", "tls", "https"))
DIRECTORY = Service(("88", "389", "636", "3268"), ("krb", "krb_tcp", "ldap", "ldap_tcp"))
PRINT = Service(("9100", "631", "515"), ("ipp", "lpd"))
DATABASE = Service(("1433", "3306", "5432", "1521", "27017"), ("mysql", "postgresql", "tds", "mongodb"))
REMOTE = Service(("3389", "22", "5900"), ("rdp", "ssh", "vnc"))
# Words a customer uses for a server, in the claim's subject as read (lowercase, any language).
SERVICE_WORDS: dict[str, Service] = {
    "file server": FILE, "fileserver": FILE, "file share": FILE, "shared drive": FILE, "network drive": FILE,
    "nas": FILE, "dateiserver": FILE, "netzlaufwerk": FILE, "serveur de fichiers": FILE,
    "servidor de archivos": FILE, "file system": FILE, "unità di rete": FILE,
    "mail server": MAIL, "email server": MAIL, "mailserver": MAIL, "serveur de messagerie": MAIL,
    "servidor de correo": MAIL, "server di posta": MAIL,
    "web server": WEB, "webserver": WEB, "intranet": WEB, "website": WEB,
    "domain controller": DIRECTORY, "active directory": DIRECTORY, "domänencontroller": DIRECTORY,
    "printer": PRINT, "drucker": PRINT, "imprimante": PRINT, "impresora": PRINT, "stampante": PRINT,
    "database": DATABASE, "datenbank": DATABASE, "base de données": DATABASE, "base de datos": DATABASE,
    "remote desktop": REMOTE, "terminal server": REMOTE,
}
# Where network parsers put the destination port and the protocol (zeek: id.resp_p, service;
# suricata and others: dest_port, app_proto).
PORT_PATHS = ("$['id.resp_p']", "$.dest_port", "$.dst_port")
PROTOCOL_PATHS = ("$.service", "$.app_proto")


def service_named(claim: dict) -> Service | None:
    """The kind of server the claim's subject names; None for a program the logs name by
    itself (outlook) or for no subject."""
    name = claim.get("subject")
    if not isinstance(name, str) or subject_of(claim) is not None:
        return None
    name = " ".join(name.lower().split())
    return next((svc for word, svc in SERVICE_WORDS.items() if word in name), None)


def about(service: Service) -> pl.Expr:
    """Events whose destination port or protocol is the service's."""
    extra = pl.col("extra")
    port = pl.coalesce([extra.str.json_path_match(p) for p in PORT_PATHS])
    protocol = pl.coalesce([extra.str.json_path_match(p) for p in PROTOCOL_PATHS]).str.to_lowercase()
    # zeek lists every protocol it recognised ("smb,krb"): any of them names the service
    named = protocol.str.split(",").list.eval(pl.element().is_in(list(service.protocols))).list.any()
    return (port.is_in(list(service.ports)) | named).fill_null(False)
