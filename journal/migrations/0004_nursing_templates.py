"""The ward's nursing templates (VIPS admission assessment, daily nursing note,
omvårdnadsepikris) for installations that already have the default templates."""

from django.db import migrations


def forwards(apps, schema_editor):
    from journal import codes

    codes.ensure_nursing_templates(apps.get_model("journal", "NoteTemplate"), apps.get_model("journal", "TemplateHeading"))


class Migration(migrations.Migration):
    dependencies = [("journal", "0003_vital_signs_risk_assessment_care_plan")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
