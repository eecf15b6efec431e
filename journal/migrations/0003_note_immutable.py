"""Signed notes and their versions are immutable in the database itself (issue 12 item 5),
as the access log is: the rules hold for every channel, a raw SQL session included.

- No note and no note version is ever deleted (a wrong note is marked entered in error).
- A note version is never changed.
- A signed (or imported) note changes only by
  * a correction (rättelse): new text, the next version_no, status 'signed', and the
    replaced text already kept as a note version with the same headings;
  * being marked entered in error, once (reason, time, who), never unmarked;
  * bookkeeping: revision, updated_at, edit_session, and template_id (SET NULL when a
    template is deleted);
  * moving to the surviving identity when two patients are merged (HL7 A40).
  Who wrote it, for whom, where, when and from which source never change.
"""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION journal_note_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'journal_note: a note is never deleted (mark it entered in error)'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status = 'draft' THEN
        RETURN NEW;
    END IF;
    IF NEW.status = 'draft' THEN
        RAISE EXCEPTION 'journal_note %: a signed note cannot become a draft again', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- A merged identity's record follows the person (HL7 A40): the old patient row already
    -- points at the one the note moves to.
    IF NEW.patient_id IS DISTINCT FROM OLD.patient_id AND NOT EXISTS (
        SELECT 1 FROM vardmiljo_patient p WHERE p.id = OLD.patient_id AND p.merged_into_id = NEW.patient_id
    ) THEN
        RAISE EXCEPTION 'journal_note %: a signed note moves to another patient only when the identities are merged', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.unit_id, NEW.encounter_id, NEW.note_type, NEW.author_id, NEW.author_name,
        NEW.author_profession, NEW.event_at, NEW.created_at, NEW.source_system, NEW.source_id)
       IS DISTINCT FROM
       (OLD.unit_id, OLD.encounter_id, OLD.note_type, OLD.author_id, OLD.author_name,
        OLD.author_profession, OLD.event_at, OLD.created_at, OLD.source_system, OLD.source_id) THEN
        RAISE EXCEPTION 'journal_note %: who, for whom, where and when of a signed note never change', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.entered_in_error AND (NEW.entered_in_error, NEW.error_reason, NEW.error_at, NEW.error_by_id)
        IS DISTINCT FROM (OLD.entered_in_error, OLD.error_reason, OLD.error_at, OLD.error_by_id) THEN
        RAISE EXCEPTION 'journal_note %: an entered-in-error mark is final', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.headings, NEW.text, NEW.status, NEW.version_no, NEW.signed_at, NEW.signed_by_id)
       IS DISTINCT FROM (OLD.headings, OLD.text, OLD.status, OLD.version_no, OLD.signed_at, OLD.signed_by_id) THEN
        -- Only a correction changes the content: the next version, with the text it
        -- replaces kept readable as a note version.
        IF NEW.status <> 'signed' OR NEW.version_no <> OLD.version_no + 1
           OR NEW.headings IS NOT DISTINCT FROM OLD.headings OR NOT EXISTS (
            SELECT 1 FROM journal_noteversion v
             WHERE v.note_id = OLD.id AND v.version_no = OLD.version_no AND v.headings = OLD.headings
        ) THEN
            RAISE EXCEPTION 'journal_note %: a signed note is changed only by a correction that keeps the old version', OLD.id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION journal_noteversion_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'journal_noteversion is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER journal_note_immutable BEFORE UPDATE OR DELETE ON journal_note
    FOR EACH ROW EXECUTE FUNCTION journal_note_guard();
CREATE TRIGGER journal_noteversion_immutable BEFORE UPDATE OR DELETE ON journal_noteversion
    FOR EACH ROW EXECUTE FUNCTION journal_noteversion_refuse();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS journal_note_immutable ON journal_note;
DROP TRIGGER IF EXISTS journal_noteversion_immutable ON journal_noteversion;
DROP FUNCTION IF EXISTS journal_note_guard();
DROP FUNCTION IF EXISTS journal_noteversion_refuse();
"""


class Migration(migrations.Migration):
    dependencies = [("journal", "0002_defaults")]
    operations = [migrations.RunSQL(SQL, reverse_sql=REVERSE)]
