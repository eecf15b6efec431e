from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from journal.models import DiagnosisCode, ProcedureCode
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db


def test_load_codes_accepts_tab_and_semicolon_with_header_and_cp1252(tmp_path: Path) -> None:
    f = tmp_path / "icd.txt"
    f.write_bytes("Kod;Titel\nJ069;Akut övre luftvägsinfektion UNS\nZ99.9;Beroende av hjälpmedel\nbad line\n".encode("cp1252"))
    call_command("load_codes", "icd10", str(f))
    assert DiagnosisCode.objects.get(code="J06.9").text == "Akut övre luftvägsinfektion UNS"
    assert DiagnosisCode.objects.filter(code="Z99.9").exists()
    assert AccessLog.objects.filter(action="journal.codes.load", ground="system").exists()
    f2 = tmp_path / "kva.tsv"
    f2.write_text("# kommentar\nAB123\tTeståtgärd\n", encoding="utf-8")
    call_command("load_codes", "kva", str(f2), "--deactivate-missing")
    assert ProcedureCode.objects.get(code="AB123").active
    assert not ProcedureCode.objects.get(code="JEA00").active


def test_load_codes_refuses_a_file_without_codes(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_text("hej\nhopp;san\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_codes", "icd10", str(f))
