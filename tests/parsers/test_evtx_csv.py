"""evtx_csv: Event Viewer and PowerShell CSV exports -> event rows (local times, labels from messages)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from parsers.base import ParseContext, Source
from parsers.code.evtx_csv import EvtxCsvParser, message_fields
from parsers.code.winevent_labels import load_labels_text
from parsers.spec import SpecError
from tests.parsers import parse_helpers
from tests.parsers.parse_helpers import assert_accounting, line, run

SAMPLES = parse_helpers.SAMPLES / "evtx_csv"


def parse(path: Path, tz: str = "Europe/Rome") -> tuple[pl.DataFrame, ParseContext]:
    frame, ctx = run(EvtxCsvParser(), path, tz=tz, reference=None, sha256="c0ffee00" * 8)
    assert_accounting(frame, ctx)
    return frame, ctx


def test_event_viewer_system_export() -> None:
    frame, ctx = parse(SAMPLES / "System_event_viewer.csv")
    assert frame.height == 6 and ctx.unparsed_count == 1
    assert (ctx.unparsed[0].line, ctx.unparsed[0].reason) == (14, "time not in a known export format")
    stopped = line(frame, 2)
    assert (stopped["action"], stopped["process"], stopped["event_id"]) == ("service_stop", "Print Spooler", "c0ffee00:L2")
    # 9:05:00 AM in Rome (CET, UTC+1) on 21 Nov
    assert stopped["timestamp"] == datetime(2026, 11, 21, 8, 5, tzinfo=timezone.utc)
    assert stopped["timestamp_quality"] == "tz_assumed"
    assert (line(frame, 3)["action"], line(frame, 4)["severity"]) == ("shutdown_unexpected", "critical")
    assert line(frame, 5)["action"] == "boot"
    installed = line(frame, 6)  # a message over 7 lines
    assert (installed["action"], installed["process"]) == ("service_install", "ExampleUpdater")
    assert json.loads(installed["extra"])["image"] == r"C:\ProgramData\exupd\exupd.exe"
    unknown = line(frame, 13)
    assert (unknown["action"], unknown["category"], unknown["severity"]) == ("log_line", "system", "warning")
    assert unknown["message"] == "Example-Agent 3001: Example agent could not reach update.example.com"
    assert any("read as Europe/Rome" in a for a in ctx.assumptions)


def test_event_viewer_security_export_reads_users_from_messages() -> None:
    frame, _ = parse(SAMPLES / "Security_event_viewer.csv")
    failed = line(frame, 2)
    assert (failed["action"], failed["outcome"], failed["user"], failed["src_ip"]) == ("login_failed", "failure", "alice", "192.0.2.10")
    assert json.loads(failed["extra"])["logon_type"] == "3"
    logon = frame.filter(pl.col("event_code") == "4624").row(0, named=True)
    assert (logon["action"], logon["user"], logon["outcome"]) == ("login", "alice", "success")


def test_get_winevent_export() -> None:
    frame, ctx = parse(SAMPLES / "get_winevent_export.csv")
    assert frame.height == 4 and ctx.unparsed_count == 0
    rows = {r["source_record"]: r for r in frame.to_dicts()}
    assert set(rows) == {"4410", "4411", "88120", "4412"}
    crash = rows["4410"]
    assert (crash["action"], crash["process"], crash["host"], crash["event_id"]) == ("crash", "OUTLOOK.EXE", "ws-042.example.com", "c0ffee00:4410")
    msi = rows["4411"]
    assert (msi["action"], msi["outcome"]) == ("package_install", "unknown")  # status is not in a CSV row
    failed = rows["88120"]  # Keywords -9218868437227405312 = 0x8010000000000000 (audit failure)
    assert (failed["action"], failed["user"], failed["src_ip"]) == ("login_failed", "bob", "198.51.100.7")
    assert failed["timestamp"] == datetime(2026, 11, 23, 8, 41, 2, tzinfo=timezone.utc)
    assert (rows["4412"]["action"], rows["4412"]["category"]) == ("log_line", "other")


def test_message_fields() -> None:
    fields = message_fields("New Logon:\n\tAccount Name:\t\tcarol\n\tSource Network Address:\t203.0.113.5", "4624")
    assert fields == {"SubjectUserName": "carol", "TargetUserName": "carol", "IpAddress": "203.0.113.5"}
    assert message_fields("The Windows Update service entered the running state.", "7036") == {
        "param1": "Windows Update", "param2": "running"}


def test_sniff() -> None:
    parser = EvtxCsvParser()
    for path in SAMPLES.glob("*.csv"):
        assert parser.sniff(Source(path, path.name), path.read_bytes()) >= 0.9
    assert parser.sniff(Source(SAMPLES, "x.csv"), b"time,value\n2026-01-01,3\n") == 0.0


# An Event Viewer export from a French Windows: translated column and level names, dd/mm/yyyy,
# messages whose labels are French (and the 1000 template puts no colon after the first label).
FRENCH_VIEWER = """\ufeffNiveau,Date et heure,Source,ID de l’événement,Catégorie de la tâche
Erreur,26/11/2026 17:48:30,Application Error,1000,(100),"Nom de l’application défaillante OUTLOOK.EXE, version : 16.0.17928.20156, horodatage : 0x6720a0f1
Nom du module défaillant : mso20win32client.dll, version : 16.0.17928.20114, horodatage : 0x671fb2c4
Code d’exception : 0xc0000005"
Erreur,26/11/2026 17:50:02,Application Error,1000,(100),"Nom de l’application défaillante : WINWORD.EXE, version : 16.0.1.0, horodatage : 0x6720a0f1"
Information,26/11/2026 18:00:00,Service Control Manager,7036,Aucun,Le service Windows Update est entré dans l’état : arrêté.
Erreur,26/11/2026 18:01:00,Service Control Manager,7034,Aucun,Le service Spouleur d’impression s’est arrêté de façon inattendue. Il s’est arrêté 1 fois.
"""


def test_french_event_viewer_export_names_the_crashing_app(tmp_path) -> None:
    path = tmp_path / "Application.csv"
    path.write_text(FRENCH_VIEWER, encoding="utf-8")
    assert EvtxCsvParser().sniff(Source(path, path.name), path.read_bytes()) >= 0.9
    frame, ctx = parse(path, tz="Europe/Paris")
    assert frame.height == 4 and ctx.unparsed_count == 0
    crash = line(frame, 2)
    assert (crash["action"], crash["process"], crash["severity"]) == ("crash", "OUTLOOK.EXE", "error")
    assert crash["message"] == "1000 OUTLOOK.EXE crashed in mso20win32client.dll (exception 0xc0000005)"
    assert crash["timestamp"] == datetime(2026, 11, 26, 16, 48, 30, tzinfo=timezone.utc)
    assert line(frame, 5)["process"] == "WINWORD.EXE"  # the same label with its colon
    stopped = line(frame, 6)
    assert (stopped["action"], stopped["process"]) == ("service_stop", "Windows Update")
    died = line(frame, 7)
    assert (died["action"], died["process"]) == ("service_failed", "Spouleur d’impression")


def test_message_fields_in_each_language() -> None:
    crashes = {
        "en": "Faulting application name: OUTLOOK.EXE, version: 16.0.1.0, time stamp: 0x6720a0f1",
        "fr": "Nom de l'application défaillante : OUTLOOK.EXE, version : 16.0.1.0, horodatage : 0x6720a0f1",
        "de": "Name der fehlerhaften Anwendung: OUTLOOK.EXE, Version: 16.0.1.0, Zeitstempel: 0x6720a0f1",
        "it": "Nome dell'applicazione che ha generato l'errore: OUTLOOK.EXE, versione: 16.0.1.0, timestamp: 0x6720a0f1",
        "es": "Nombre de la aplicación con errores: OUTLOOK.EXE, versión: 16.0.1.0, marca de tiempo: 0x6720a0f1",
    }
    for language, text in crashes.items():
        assert message_fields(text, "1000") == {"AppName": "OUTLOOK.EXE"}, language
    logon = ("Sujet :\n\tNom du compte :\t\tWS-042$\n\tDomaine du compte :\t\tEXAMPLE\n"
             "Nouvelle ouverture de session :\n\tNom du compte :\t\tclaire\n\tDomaine du compte :\t\tCABINET\n"
             "\tType d’ouverture de session :\t\t3\n\tAdresse du réseau source :\t192.0.2.44\n"
             "\tNom du processus :\t\tC:\\Windows\\System32\\svchost.exe")
    assert message_fields(logon, "4624") == {
        "SubjectUserName": "WS-042$", "TargetUserName": "claire", "TargetDomainName": "CABINET",
        "LogonType": "3", "IpAddress": "192.0.2.44", "ProcessName": "C:\\Windows\\System32\\svchost.exe"}
    assert message_fields("Der Dienst \"Windows Update\" befindet sich jetzt im Status \"Beendet\".", "7036") == {
        "param1": "Windows Update", "param2": "Beendet"}
    # a label needs its colon unless Windows writes it without one
    assert message_fields("Exception code 0xc0000005", "1000") == {}


def test_label_table_is_checked() -> None:
    with pytest.raises(SpecError, match="occurrence"):
        load_labels_text('[field.AppName]\noccurrence = "middle"\nen = ["Faulting application name:"]\n'
                         + LABELS_VIEWER)
    with pytest.raises(SpecError, match="unknown key"):
        load_labels_text('[field.AppName]\nxx = ["Faulting application name:"]\n' + LABELS_VIEWER)
    labels = load_labels_text('[field.AppName]\nfr = ["Nom de l’application défaillante"]\n' + LABELS_VIEWER)
    assert labels.rules["nom de l'application défaillante"][0].name == "AppName"


LABELS_VIEWER = """
[viewer]
level = ["Level"]
keywords = ["Keywords"]
time = ["Date and Time"]
provider = ["Source"]
event_code = ["Event ID"]
task = ["Task Category"]
[viewer.audit]
success = ["Audit Success"]
failure = ["Audit Failure"]
"""


HANG_VIEWERS = {
    "fr": ("\ufeffNiveau,Date et heure,Source,ID de l’événement,Catégorie de la tâche\n"
           "Erreur,26/11/2026 13:02:17,Application Hang,1002,(101),\"Le programme OUTLOOK.EXE version "
           "16.0.17928.20156 a cessé d’interagir avec Windows et a été fermé. Pour déterminer si des "
           "informations supplémentaires sont disponibles, consultez l’historique du problème.\n"
           " ID de processus : 2f4c\n Heure de début : 01db401c7e5a3f10\"\n"),
    "en": ("Level,Date and Time,Source,Event ID,Task Category\n"
           "Error,11/26/2026 1:02:17 PM,Application Hang,1002,(101),\"The program OUTLOOK.EXE version "
           "16.0.17928.20156 stopped interacting with Windows and was closed. To see if more information "
           "about the problem is available, check the problem history in the Security and Maintenance "
           "control panel.\n Process ID: 2f4c\n Start Time: 01db401c7e5a3f10\"\n"),
}


@pytest.mark.parametrize("language", sorted(HANG_VIEWERS))
def test_event_viewer_hang_names_the_program_from_its_sentence(tmp_path, language) -> None:
    path = tmp_path / "Application.csv"
    path.write_text(HANG_VIEWERS[language], encoding="utf-8")
    frame, _ = parse(path, tz="Europe/Paris")
    hang = line(frame, 2)
    assert (hang["action"], hang["process"]) == ("hang", "OUTLOOK.EXE")
    assert hang["message"] == "1002 OUTLOOK.EXE stopped responding (hang)"
    assert json.loads(hang["extra"])["app_version"] == "16.0.17928.20156"


def test_hang_sentences_in_each_language() -> None:
    sentences = {
        "de": "Programm OUTLOOK.EXE, Version 16.0.1.0 kann nicht mehr unter Windows ausgeführt werden und "
              "wurde geschlossen.",
        "it": "Il programma OUTLOOK.EXE versione 16.0.1.0 ha smesso di interagire con Windows ed è stato chiuso.",
        "es": "El programa OUTLOOK.EXE versión 16.0.1.0 dejó de interactuar con Windows y se cerró.",
    }
    for language, text in sentences.items():
        assert message_fields(text, "1002") == {"AppName": "OUTLOOK.EXE", "AppVersion": "16.0.1.0"}, language
    # the sentence belongs to 1002 only
    assert message_fields(sentences["it"], "1000") == {}
