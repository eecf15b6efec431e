"""The curated ICD-10-SE/KVÅ lists and the default note templates, so a fresh
installation can document at once. Later updates go through `load_codes`
and Django admin."""

from django.db import migrations


def forwards(apps, schema_editor):
    from journal import codes

    Dx = apps.get_model("journal", "DiagnosisCode")
    Pr = apps.get_model("journal", "ProcedureCode")
    Tpl = apps.get_model("journal", "NoteTemplate")
    Head = apps.get_model("journal", "TemplateHeading")
    for model, system in ((Dx, "icd10"), (Pr, "kva")):
        if not model.objects.exists():
            rows, _ = codes.parse_file(system, codes.CURATED[system])
            model.objects.bulk_create([model(code=c, text=t, active=True, common=True) for c, t in rows.items()])
    if not Tpl.objects.exists():
        for order, (name, note_type, profession, headings) in enumerate(codes.DEFAULT_TEMPLATES):
            t = Tpl.objects.create(name=name, note_type=note_type, profession=profession, order=order * 10, active=True)
            Head.objects.bulk_create([Head(template=t, title=h, order=i) for i, h in enumerate(headings)])


class Migration(migrations.Migration):
    dependencies = [("journal", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
