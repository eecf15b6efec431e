"""List reads name their patients in a typed, indexed column (issue 12 item 2).

The table is created by sql/accesslog.sql (which now has the column); this migration
brings an existing database to the same shape. Rows written before it keep their hash:
vardmiljo_audit_row_hash() leaves a NULL patient_ids out of the hashed text.
"""

import django.contrib.postgres.fields
from django.db import migrations, models

SQL = r"""
ALTER TABLE vardmiljo_accesslog ADD COLUMN IF NOT EXISTS patient_ids bigint[];
CREATE INDEX IF NOT EXISTS accesslog_patient_ids_idx ON vardmiljo_accesslog USING gin (patient_ids)
    WHERE patient_ids IS NOT NULL;

CREATE OR REPLACE FUNCTION vardmiljo_audit_row_hash(r jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to((
        CASE WHEN coalesce(r -> 'patient_ids', 'null'::jsonb) = 'null'::jsonb
             THEN r - 'row_hash' - 'patient_ids' ELSE r - 'row_hash' END)::text, 'UTF8')), 'hex')
$$;

CREATE OR REPLACE FUNCTION vardmiljo_audit_append() RETURNS trigger
LANGUAGE plpgsql SET timezone TO 'UTC' AS $$
DECLARE
    head record;
BEGIN
    INSERT INTO vardmiljo_auditchainhead AS h (chain, seq, last_hash)
        VALUES (NEW.chain, 1, '')
        ON CONFLICT (chain) DO UPDATE SET seq = h.seq + 1
        RETURNING h.seq, h.last_hash INTO head;
    NEW.seq := head.seq;
    NEW.prev_hash := head.last_hash;
    NEW.row_hash := '';
    NEW.row_hash := vardmiljo_audit_row_hash(to_jsonb(NEW));
    UPDATE vardmiljo_auditchainhead SET last_hash = NEW.row_hash WHERE chain = NEW.chain;
    RETURN NEW;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("vardmiljo", "0002_patient_name_prefix_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="accesslog",
            name="patient_ids",
            field=django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), null=True, size=None),
        ),
        # No reverse: the column may hold rows by then, and the access log is append-only.
        migrations.RunSQL(SQL, reverse_sql=migrations.RunSQL.noop),
    ]
