"""import_drugs and load_interactions: formats, bad records with line and reason, defusedxml."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lakemedel import catalogue, queries
from lakemedel.models import Interaction, Product
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db

GOOD = """<?xml version="1.0" encoding="UTF-8"?>
<produkter>
  <produkt npl-id="20990000009001">
    <namn>Testdrog</namn><substans>Testin</substans><styrka>5 mg</styrka><form>Tablett</form><atc>N02BE01</atc>
    <forpackningar><forpackning antal="30"/></forpackningar>
  </produkt>
  <produkt npl-id="123">
    <namn>Fel id</namn><substans>X</substans><form>Tablett</form><atc>N02BE01</atc>
    <forpackningar><forpackning antal="30"/></forpackningar>
  </produkt>
  <produkt npl-id="20990000009002">
    <namn>Fel ATC</namn><substans>X</substans><form>Tablett</form><atc>123</atc>
    <forpackningar><forpackning antal="30"/></forpackningar>
  </produkt>
  <produkt npl-id="20990000009003">
    <namn>Ingen förpackning</namn><substans>X</substans><form>Tablett</form><atc>N02BE01</atc>
  </produkt>
</produkter>
"""


def test_sample_catalogue_loads_and_is_about_200_products(drugs: None) -> None:
    assert 180 <= Product.objects.count() <= 300
    assert Interaction.objects.count() >= 40
    assert all(len(n) == 14 and n.isdigit() for n in Product.objects.values_list("npl_id", flat=True))


def test_import_reports_bad_records_with_line_and_reason(tmp_path: Path) -> None:
    f = tmp_path / "npl.xml"
    f.write_text(GOOD, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_drugs", str(f), "--no-progress", stdout=out, stderr=err)
    assert "1 nya" in out.getvalue() and "3 fel" in out.getvalue()
    assert "rad 7: ogiltigt NPL-id" in err.getvalue()
    assert "rad 11: ogiltig ATC-kod" in err.getvalue()
    assert "rad 15: minst en" in err.getvalue()
    assert Product.objects.get().name == "Testdrog"
    assert AccessLog.objects.filter(action="lakemedel.catalogue.import", ground="system").count() == 1
    call_command("import_drugs", str(f), "--no-progress", stdout=out, stderr=StringIO())
    assert Product.objects.count() == 1  # upsert on NPL-id


def test_import_refuses_entities_xml_bomb(tmp_path: Path) -> None:
    f = tmp_path / "bomb.xml"
    f.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><produkter>&b;</produkter>')
    with pytest.raises(CommandError):
        call_command("import_drugs", str(f), "--no-progress", stdout=StringIO(), stderr=StringIO())
    assert Product.objects.count() == 0


def test_load_interactions_reports_bad_lines(tmp_path: Path) -> None:
    f = tmp_path / "i.csv"
    f.write_text(
        "atc_a;atc_b;allvarlighetsgrad;beskrivning\nB01AA03;M01A;D;Blödning\nB01AA03;M01A;E;x\nfel;M01A;C;x\n", encoding="utf-8"
    )
    out, err = StringIO(), StringIO()
    call_command("load_interactions", str(f), stdout=out, stderr=err)
    assert "1 nya" in out.getvalue() and "rad 3: allvarlighetsgrad" in err.getvalue() and "rad 4: ogiltig ATC" in err.getvalue()
    assert Interaction.objects.get().atc_a == "B01AA03"


def test_search_by_name_substance_and_atc_prefix(drugs: None) -> None:
    assert {p.name for p in queries.product_search("sim")} == {"Simvastatin Actavis"}
    assert "Eliquis" in {p.name for p in queries.product_search("apixa")}
    assert {p.atc_code[:5] for p in queries.product_search("C09CA")} == {"C09CA"}
    assert queries.product_search("a") == []


def test_search_uses_prefix_index(drugs: None) -> None:
    sql = str(Product.objects.filter(atc_code__startswith="C09").query)
    assert "LIKE" in sql
    assert catalogue.SAMPLE_PRODUCTS.exists()
